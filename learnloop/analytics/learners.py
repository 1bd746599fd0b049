"""Who a statement is about, as the learner id the projections use.

A user of this server is known by their user id whichever identity the statement used:
the account the reference writes (``{baseUrl}`` home page, user id as name) or their
email as ``mbox``. Anyone else keeps their xAPI identity key (``xapi.agents.agent_key``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.xapi.agents import agent_key, normalise_mbox


class LearnerResolver:
    def __init__(self, base_url: str) -> None:
        self.home_page = base_url.rstrip("/")

    def resolve(self, session: Session, actors: Sequence[Mapping[str, Any]]) -> list[str | None]:
        emails = {
            _email(actor) for actor in actors if "mbox" in actor and _email(actor) is not None
        }
        users_by_email: dict[str, str] = {}
        if emails:
            rows = session.execute(
                select(func.lower(User.email), User.id).where(func.lower(User.email).in_(emails))
            )
            users_by_email = {email: user_id for email, user_id in rows}
        resolved: list[str | None] = []
        for actor in actors:
            account = actor.get("account")
            if (
                isinstance(account, Mapping)
                and str(account.get("homePage", "")).rstrip("/") == self.home_page
                and account.get("name")
            ):
                resolved.append(str(account["name"]))
                continue
            email = _email(actor) if "mbox" in actor else None
            if email is not None and email in users_by_email:
                resolved.append(users_by_email[email])
                continue
            resolved.append(agent_key(actor))
        return resolved


def _email(actor: Mapping[str, Any]) -> str | None:
    mbox = normalise_mbox(str(actor.get("mbox", "")))
    if not mbox.startswith("mailto:"):
        return None
    return mbox.removeprefix("mailto:").lower()
