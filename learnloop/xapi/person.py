"""The Person object of ``GET /xapi/agents`` (xAPI-Communication 2.4).

A Person combines the identifiers known for one person. Besides the requested Agent,
LearnLoop knows one link: a LearnLoop user is both their account on this server (the Agent
the player and the reference API write) and their email address as ``mbox``. Returning
several identifiers of one person is sensitive, so (Communication 2.4: "SHOULD require the
connecting credentials have increased, explicitly given permissions") the linked
identifiers are only shown to callers who may read everything, or to that user; anyone
else gets the Person of the requested Agent alone, which the spec requires anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.auth.models import Role, User
from learnloop.xapi.callers import XapiCaller, user_identities

PERSON_READ_SCOPES = frozenset({"all", "all/read"})


def _add(person: dict[str, Any], name: str, value: Any) -> None:
    values = person.setdefault(name, [])
    if value not in values:
        values.append(value)


def _add_agent(person: dict[str, Any], agent: Mapping[str, Any]) -> None:
    if isinstance(agent.get("name"), str):
        _add(person, "name", agent["name"])
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            _add(person, ifi, dict(agent[ifi]) if ifi == "account" else agent[ifi])


def linked_user(session: Session, agent: Mapping[str, Any], base_url: str) -> User | None:
    """The LearnLoop user an Agent identifies, by account on this server or by email."""
    if isinstance(agent.get("mbox"), str):
        # Emails are stored lowercased (learnloop.auth.users.normalize_email): the unique
        # index answers this.
        address = agent["mbox"].partition(":")[2].strip().lower()
        return session.scalar(select(User).where(User.email == address))
    account = agent.get("account")
    if isinstance(account, Mapping) and account.get("homePage") == base_url:
        return session.get(User, str(account.get("name", "")))
    return None


def may_see_links(caller: XapiCaller, user: User) -> bool:
    if caller.user_id is not None:
        return caller.role == Role.ADMIN.value or caller.user_id == user.id
    return bool(caller.scopes & PERSON_READ_SCOPES)


def person_for(
    session: Session, agent: Mapping[str, Any], caller: XapiCaller, base_url: str
) -> dict[str, Any]:
    person: dict[str, Any] = {"objectType": "Person"}
    _add_agent(person, agent)
    user = linked_user(session, agent, base_url)
    if user is not None and user.is_active and may_see_links(caller, user):
        account_agent, _keys = user_identities(user, base_url)
        _add_agent(person, account_agent)
        _add_agent(person, {"mbox": f"mailto:{user.email}"})
    return person
