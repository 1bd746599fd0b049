"""Who is speaking to the LRS, what they may write and which statements they may read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from learnloop.auth.models import Role, User
from learnloop.xapi.agents import account_agent, agent_key
from learnloop.xapi.errors import InsufficientScope
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.models import LrsClient

WRITE_SCOPES = frozenset({"statements/write", "all"})
READ_ALL_SCOPES = frozenset({"statements/read", "all/read", "all"})
READ_MINE_SCOPE = "statements/read/mine"


@dataclass(frozen=True)
class ReadScope:
    """A statement is visible when ``everything`` is set, or its actor is one of
    ``actor_keys``, or its object is one of ``activity_ids``, or it was written with
    ``authority_key`` (statements/read/mine)."""

    everything: bool = False
    actor_keys: tuple[str, ...] = ()
    activity_ids: tuple[str, ...] = ()
    authority_key: str | None = None


EVERYTHING = ReadScope(everything=True)


@dataclass(frozen=True)
class XapiCaller:
    authority: dict[str, Any]
    scopes: frozenset[str]
    user_id: str | None = None
    role: str | None = None
    # A JWT user's own identities: they may only write statements with these actors.
    own_actor_keys: tuple[str, ...] = field(default=())

    @property
    def authority_key(self) -> str | None:
        return agent_key(self.authority)

    @property
    def is_learner(self) -> bool:
        return self.user_id is not None and self.role == Role.LEARNER.value

    @property
    def is_signed_in_user(self) -> bool:
        """A LearnLoop user speaking with their own token (not an LRS client or an AU)."""
        return self.user_id is not None

    @property
    def may_void_for_others(self) -> bool:
        return self.user_id is None or self.role == Role.ADMIN.value

    def require_write(self) -> None:
        if not self.scopes & WRITE_SCOPES:
            raise InsufficientScope("These credentials may not write statements (scope)")

    def read_scope(self, session: Session, hooks: StatementHooks) -> ReadScope:
        if self.user_id is not None:
            if self.role == Role.ADMIN.value:
                return EVERYTHING
            if self.role == Role.TEACHER.value:
                return ReadScope(
                    actor_keys=self.own_actor_keys,
                    activity_ids=tuple(hooks.teacher_activities(session, self.user_id)),
                    authority_key=self.authority_key,
                )
            return ReadScope(actor_keys=self.own_actor_keys)
        if self.scopes & READ_ALL_SCOPES:
            return EVERYTHING
        if READ_MINE_SCOPE in self.scopes:
            return ReadScope(authority_key=self.authority_key)
        raise InsufficientScope("These credentials may not read statements (scope)")


def client_caller(client: LrsClient, base_url: str) -> XapiCaller:
    # xAPI-Data 2.4.9: the authority is the Agent of the credentials used.
    authority = account_agent(f"{base_url.rstrip('/')}/xapi/clients", client.key, client.name)
    return XapiCaller(authority=authority, scopes=frozenset(client.scopes))


def user_identities(user: User, base_url: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A user's Agent (account on this server, as the reference writes it) and every
    identity key that counts as them (that account, or their email as mbox)."""
    agent = account_agent(base_url, user.id, user.display_name)
    keys = [agent_key(agent), agent_key({"mbox": f"mailto:{user.email}"})]
    return agent, tuple(key for key in keys if key is not None)


def user_caller(user: User, base_url: str) -> XapiCaller:
    agent, keys = user_identities(user, base_url)
    scopes = frozenset({"all"}) if user.is_admin else frozenset({"statements/write"})
    return XapiCaller(
        authority=agent, scopes=scopes, user_id=user.id, role=user.role, own_actor_keys=keys
    )
