"""Where other domains take part in statement storage (ARCHITECTURE.md "Who may import whom").

``xapi`` imports no other domain. ``main.py`` builds one :class:`StatementHooks` per app and
other domains register into it:

* a **statement check** sees a validated batch before it is stored and may reject it by
  raising an ``AppError`` (cmi5 session rules → 403); nothing of the batch is stored;
* an **on stored** subscriber runs in the same transaction right after the batch is
  written; it may update projections or enqueue jobs, and its failure rolls the batch back;
* a **teacher activity provider** names the activity ids a teacher may read statements
  about (content they own), for the scoped reference ``GET /api/xapi/statements``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class StoredStatement:
    statement_id: str
    seq: int
    statement: dict[str, Any]
    actor_key: str | None
    verb_id: str
    object_activity_id: str | None
    registration: str | None
    authority_key: str | None


@dataclass(frozen=True)
class StatementBatch:
    """What a statement check sees: the statements as they will be stored, and who sent them."""

    statements: Sequence[dict[str, Any]]
    authority: dict[str, Any]
    user_id: str | None
    # The statements as the client sent them (before the LRS set id, timestamp, stored…).
    received: Sequence[dict[str, Any]] = ()
    # Indexes of statements already stored with the same content (acknowledged, not stored).
    already_stored: frozenset[int] = frozenset()


StatementCheck = Callable[[Session, StatementBatch], None]
OnStored = Callable[[Session, Sequence[StoredStatement]], None]
TeacherActivityProvider = Callable[[Session, str], Sequence[str]]


@dataclass
class StatementHooks:
    checks: list[StatementCheck] = field(default_factory=list)
    on_stored: list[OnStored] = field(default_factory=list)
    teacher_activity_providers: list[TeacherActivityProvider] = field(default_factory=list)

    def add_check(self, check: StatementCheck) -> None:
        self.checks.append(check)

    def add_on_stored(self, subscriber: OnStored) -> None:
        self.on_stored.append(subscriber)

    def add_teacher_activity_provider(self, provider: TeacherActivityProvider) -> None:
        self.teacher_activity_providers.append(provider)

    def run_checks(self, session: Session, batch: StatementBatch) -> None:
        for check in self.checks:
            check(session, batch)

    def publish_stored(self, session: Session, stored: Sequence[StoredStatement]) -> None:
        for subscriber in self.on_stored:
            subscriber(session, stored)

    def teacher_activities(self, session: Session, user_id: str) -> list[str]:
        activities: list[str] = []
        for provider in self.teacher_activity_providers:
            activities.extend(provider(session, user_id))
        return activities
