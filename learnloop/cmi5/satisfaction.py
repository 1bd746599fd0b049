"""moveOn evaluation (cmi5 Course Structure 13.1.4 moveOn; 9.3.9 Satisfied), waivers, and
the record of what AU statements mean for a session and a registration.

``Cmi5StatementTracker`` is an on-stored subscriber of the LRS: it runs in the statement's
transaction, updates the session and AU records, and writes ``satisfied`` statements for
blocks (innermost first) and then the course, each once per registration.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learnloop.cmi5.au_auth import auth_key_of_authority
from learnloop.cmi5.lms_statements import LmsWriter, cmi5_statement
from learnloop.cmi5.models import (
    Cmi5Au,
    Cmi5AuStatus,
    Cmi5Course,
    Cmi5Registration,
    Cmi5Satisfaction,
    Cmi5Session,
)
from learnloop.cmi5.packages import course_aus, course_blocks
from learnloop.cmi5.registrations import actor_for, au_status, generated_activity_id
from learnloop.cmi5.vocabulary import (
    ACTIVITY_TYPE_BLOCK,
    ACTIVITY_TYPE_COURSE,
    CATEGORY_CMI5,
    CATEGORY_MOVE_ON,
    EXT_REASON,
    VERB_COMPLETED,
    VERB_FAILED,
    VERB_INITIALIZED,
    VERB_PASSED,
    VERB_SATISFIED,
    VERB_TERMINATED,
    VERB_WAIVED,
)
from learnloop.db import utcnow
from learnloop.errors import Conflict
from learnloop.xapi.hooks import StatementHooks, StoredStatement


def au_satisfied(move_on: str, status: Cmi5AuStatus | None) -> bool:
    """cmi5 13.1.4 moveOn: whether an AU counts as done for its block and course."""
    if move_on == "NotApplicable":
        return True
    if status is None:
        return False
    if status.waived:
        return True
    if move_on == "Passed":
        return status.passed
    if move_on == "Completed":
        return status.completed
    if move_on == "CompletedAndPassed":
        return status.completed and status.passed
    if move_on == "CompletedOrPassed":
        return status.completed or status.passed
    return False


def is_cmi5_defined(statement: dict[str, Any]) -> bool:
    categories = ((statement.get("context") or {}).get("contextActivities") or {}).get(
        "category"
    ) or []
    return any(isinstance(c, dict) and c.get("id") == CATEGORY_CMI5 for c in categories)


@dataclass(frozen=True)
class SatisfiedNode:
    node_id: str
    publisher_id: str
    statement_id: str


def evaluate_registration(
    session: Session,
    registration: Cmi5Registration,
    *,
    base_url: str,
    writer: LmsWriter,
    session_id: str | None = None,
) -> list[SatisfiedNode]:
    """Write ``satisfied`` for every block, then the course, whose AUs now all meet their
    moveOn criteria and that was not satisfied before in this registration."""
    course = session.get(Cmi5Course, registration.course_id)
    assert course is not None
    aus = course_aus(session, course.id)
    blocks = course_blocks(session, course.id)
    statuses = {
        s.au_id: s
        for s in session.scalars(
            select(Cmi5AuStatus).where(Cmi5AuStatus.registration_id == registration.id)
        )
    }
    done = set(
        session.scalars(
            select(Cmi5Satisfaction.node_id).where(
                Cmi5Satisfaction.registration_id == registration.id
            )
        )
    )
    satisfied_aus = {au.id for au in aus if au_satisfied(au.move_on, statuses.get(au.id))}
    children: dict[str | None, list[str]] = {}
    for block in blocks:
        children.setdefault(block.parent_block_id, []).append(block.id)
    aus_of: dict[str | None, list[str]] = {}
    for au in aus:
        aus_of.setdefault(au.block_id, []).append(au.id)

    memo: dict[str, bool] = {}

    def block_satisfied(block_id: str) -> bool:
        if block_id not in memo:
            memo[block_id] = all(a in satisfied_aus for a in aus_of.get(block_id, [])) and all(
                block_satisfied(b) for b in children.get(block_id, [])
            )
        return memo[block_id]

    # Innermost blocks first: a block is reported before the block or course containing it.
    depth: dict[str, int] = {}
    parents = {block.id: block.parent_block_id for block in blocks}
    for block in blocks:
        level, parent = 0, block.parent_block_id
        while parent is not None:
            level, parent = level + 1, parents[parent]
        depth[block.id] = level
    ordered = sorted(blocks, key=lambda b: (-depth[b.id], b.position))
    targets: list[tuple[str, str]] = [
        (b.id, b.publisher_id) for b in ordered if b.id not in done and block_satisfied(b.id)
    ]
    course_done = all(a in satisfied_aus for a in aus_of.get(None, [])) and all(
        block_satisfied(b) for b in children.get(None, [])
    )
    if course_done and course.id not in done:
        targets.append((course.id, course.publisher_id))
    if not targets:
        return []
    now = utcnow()
    written: list[SatisfiedNode] = []
    statements = []
    for node_id, publisher_id in targets:
        activity_id = (
            registration.course_activity_id
            if node_id == course.id
            else generated_activity_id(base_url, registration.id, node_id)
        )
        statement = cmi5_statement(
            actor=actor_for(registration),
            verb_id=VERB_SATISFIED,
            activity_id=activity_id,
            registration_id=registration.id,
            session_id=session_id or str(uuid.uuid4()),
            publisher_id=publisher_id,
            timestamp=now,
            activity_type=ACTIVITY_TYPE_COURSE if node_id == course.id else ACTIVITY_TYPE_BLOCK,
        )
        try:
            with session.begin_nested():
                session.add(
                    Cmi5Satisfaction(
                        registration_id=registration.id,
                        node_id=node_id,
                        statement_id=statement["id"],
                    )
                )
                session.flush()
        except IntegrityError:
            continue  # another request satisfied it at the same moment
        statements.append(statement)
        written.append(SatisfiedNode(node_id, publisher_id, statement["id"]))
    if statements:
        writer.store(session, statements)
    return written


class AlreadyWaived(Conflict):
    code = "cmi5_already_waived"


def waive_au(
    session: Session,
    registration: Cmi5Registration,
    au: Cmi5Au,
    reason: str,
    *,
    base_url: str,
    writer: LmsWriter,
) -> str:
    """Record ``waived`` (cmi5 9.3.7) with its reason, once per AU and registration, and
    re-evaluate moveOn; return the statement id."""
    status = au_status(session, registration, au.id, base_url)
    if status.waived:
        raise AlreadyWaived("This AU is already waived in this registration (cmi5 9.3.7)")
    status.waived = True
    statement = cmi5_statement(
        actor=actor_for(registration),
        verb_id=VERB_WAIVED,
        activity_id=status.launch_activity_id,
        registration_id=registration.id,
        session_id=str(uuid.uuid4()),
        publisher_id=au.publisher_id,
        timestamp=utcnow(),
        result={"success": True, "completion": True, "extensions": {EXT_REASON: reason}},
        categories=(CATEGORY_CMI5, CATEGORY_MOVE_ON),
    )
    registration.status = "waived"
    session.flush()
    writer.store(session, [statement])
    evaluate_registration(session, registration, base_url=base_url, writer=writer)
    return str(statement["id"])


class Cmi5StatementTracker:
    """On-stored subscriber: what an AU's statements mean for its session and registration."""

    def __init__(self, base_url: str, hooks: StatementHooks) -> None:
        self.writer = LmsWriter(base_url=base_url, hooks=hooks)

    def __call__(self, session: Session, stored: Sequence[StoredStatement]) -> None:
        touched: dict[str, Cmi5Session] = {}
        for item in stored:
            key = auth_key_of_authority(item.statement.get("authority") or {})
            if key is None:
                continue
            cmi5_session = session.scalar(select(Cmi5Session).where(Cmi5Session.auth_key == key))
            if cmi5_session is None:
                continue
            if self._record(session, cmi5_session, item.statement):
                touched[cmi5_session.id] = cmi5_session
        for cmi5_session in touched.values():
            registration = session.get(Cmi5Registration, cmi5_session.registration_id)
            assert registration is not None
            evaluate_registration(
                session,
                registration,
                base_url=self.writer.base_url,
                writer=self.writer,
                session_id=cmi5_session.id,
            )

    def _record(
        self, session: Session, cmi5_session: Cmi5Session, statement: dict[str, Any]
    ) -> bool:
        """Update the session and AU records; True when moveOn may have changed."""
        now = utcnow()
        cmi5_session.last_activity_at = now
        if not is_cmi5_defined(statement):
            return False
        verb = statement["verb"]["id"]
        registration = session.get(Cmi5Registration, cmi5_session.registration_id)
        au = session.get(Cmi5Au, cmi5_session.au_id)
        assert registration is not None and au is not None
        status = au_status(session, registration, au.id, self.writer.base_url)
        result = statement.get("result") or {}
        if verb == VERB_INITIALIZED:
            cmi5_session.state = "initialized"
            cmi5_session.initialized_at = now
            return False
        if verb == VERB_TERMINATED:
            cmi5_session.state = "terminated"
            cmi5_session.ended_at = now
            registration.status = "terminated"
        elif verb == VERB_COMPLETED:
            status.completed = True
            registration.status = "completed"
        elif verb in (VERB_PASSED, VERB_FAILED):
            if verb == VERB_PASSED:
                status.passed = True
                registration.status = "passed"
            else:
                status.failed = True
                registration.status = "failed"
            score = result.get("score")
            if isinstance(score, dict):
                status.score = score
                registration.score = {**(registration.score or {}), **score}
        registration.updated_at = now
        status.satisfied = au_satisfied(au.move_on, status)
        session.flush()
        return verb in (VERB_COMPLETED, VERB_PASSED)


@dataclass(frozen=True)
class AuProgress:
    au: Cmi5Au
    status: Cmi5AuStatus | None
    satisfied: bool


@dataclass(frozen=True)
class RegistrationProgress:
    session_state: str | None
    aus: list[AuProgress]
    course_satisfied: bool


def registration_progress(session: Session, registration: Cmi5Registration) -> RegistrationProgress:
    """Per-AU state of a registration, derived from the recorded AU statements."""
    statuses = {
        s.au_id: s
        for s in session.scalars(
            select(Cmi5AuStatus).where(Cmi5AuStatus.registration_id == registration.id)
        )
    }
    aus = [
        AuProgress(au, statuses.get(au.id), au_satisfied(au.move_on, statuses.get(au.id)))
        for au in course_aus(session, registration.course_id)
    ]
    current = session.get(Cmi5Session, registration.session_id) if registration.session_id else None
    course_satisfied = (
        session.scalar(
            select(Cmi5Satisfaction.id).where(
                Cmi5Satisfaction.registration_id == registration.id,
                Cmi5Satisfaction.node_id == registration.course_id,
            )
        )
        is not None
    )
    return RegistrationProgress(
        session_state=current.state if current else None,
        aus=aus,
        course_satisfied=course_satisfied,
    )
