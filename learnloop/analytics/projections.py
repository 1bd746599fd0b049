"""Keeping the analytics projections equal to what the statements say.

``apply_stored`` is the LRS's on-stored subscriber (``xapi.hooks``): it runs inside the
ingest transaction, adds the new statements' facts and folds them into the aggregates
with one upsert per table, and removes what newly voided statements had contributed
(xAPI-Data 2.3.2: voided statements must not count). ``rebuild_projections`` computes
everything again from the statements table with the same code, so both agree exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Text, and_, case, cast, delete, select, text, tuple_
from sqlalchemy.orm import Session

from learnloop.analytics.facts import (
    Deltas,
    Fact,
    ProgressDelta,
    about_content,
    fact_from_statement,
    fold,
)
from learnloop.analytics.learners import LearnerResolver
from learnloop.analytics.models import (
    LEARNER_ID_LENGTH,
    ContentDay,
    LearnerDay,
    LearnerProgress,
    QuestionLearner,
    QuestionStats,
    StatementFact,
)
from learnloop.db import Base, dialect_insert, dialect_name, json_list, json_rows_insert
from learnloop.xapi.hooks import StoredStatement
from learnloop.xapi.models import StatementRow
from learnloop.xapi.validation_primitives import parse_timestamp

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
PROJECTION_TABLES = (
    StatementFact,
    LearnerProgress,
    ContentDay,
    LearnerDay,
    QuestionLearner,
    QuestionStats,
)


class ProgressProjector:
    """The on-stored subscriber, bound to the base URL that names this server's users."""

    def __init__(self, base_url: str) -> None:
        self.resolver = LearnerResolver(base_url)

    def __call__(self, session: Session, stored: Sequence[StoredStatement]) -> None:
        apply_stored(session, stored, self.resolver)


def apply_stored(
    session: Session, stored: Sequence[StoredStatement], resolver: LearnerResolver
) -> None:
    voiding = [s for s in stored if s.verb_id == VOIDED_VERB]
    # Only statements about hosted content have facts: the others need no learner lookup.
    others = [s for s in stored if s.verb_id != VOIDED_VERB and about_content(s.statement)]
    if others:
        # A statement can arrive already voided (an earlier voiding statement names it,
        # xAPI-Data 2.3.2), or be voided by another statement of the same batch.
        voided = set(
            session.scalars(
                select(StatementRow.seq).where(
                    StatementRow.seq.in_([s.seq for s in others]), StatementRow.voided.is_(True)
                )
            )
        )
        candidates = [(s.seq, s.statement) for s in others if s.seq not in voided]
        add_facts(session, facts_for(session, candidates, resolver))
    if voiding:
        targets = {str(s.statement["object"]["id"]).lower() for s in voiding}
        remove_facts(session, targets)


def facts_for(
    session: Session,
    statements: Sequence[tuple[int, Mapping[str, Any]]],
    resolver: LearnerResolver,
) -> list[Fact]:
    """Facts of ``statements`` (those about hosted content: callers filter with
    ``about_content`` first, so the learner lookup is only paid for them)."""
    if not statements:
        return []
    learners = resolver.resolve(session, [statement["actor"] for _, statement in statements])
    facts: list[Fact] = []
    for (seq, statement), learner_id in zip(statements, learners, strict=True):
        if learner_id is None or len(learner_id) > LEARNER_ID_LENGTH:
            continue
        timestamp = _timestamp(statement)
        if timestamp is None:
            continue
        fact = fact_from_statement(seq, statement, learner_id, timestamp)
        if fact is not None:
            facts.append(fact)
    return facts


def _timestamp(statement: Mapping[str, Any]) -> datetime | None:
    moment = statement.get("timestamp") or statement.get("stored")
    return parse_timestamp(str(moment)) if moment else None


def add_facts(session: Session, facts: Sequence[Fact]) -> None:
    if not facts:
        return
    _write_rows(
        session,
        _rows_insert(dialect_name(session), StatementFact.__tablename__, FACT_COLUMNS),
        [fact.row() for fact in facts],
    )
    deltas = fold(facts)
    _upsert_progress(session, deltas)
    _add_days(session, deltas)
    _add_learner_days(session, deltas)
    _add_answers(session, deltas)


def remove_facts(session: Session, statement_ids: Iterable[str]) -> None:
    ids = list(statement_ids)
    facts = [
        _fact(row)
        for row in session.scalars(select(StatementFact).where(StatementFact.statement_id.in_(ids)))
    ]
    if not facts:
        return
    session.execute(
        delete(StatementFact).where(StatementFact.seq.in_([fact.seq for fact in facts]))
    )
    deltas = fold(facts, sign=-1)
    _add_days(session, deltas)
    _add_learner_days(session, deltas)
    _add_answers(session, deltas)
    _prune(session, deltas)
    # Best and last scores cannot be subtracted: recompute the touched progress rows.
    pairs = {(fact.learner_id, fact.content_id) for fact in facts}
    session.execute(
        delete(LearnerProgress).where(
            tuple_(LearnerProgress.learner_id, LearnerProgress.content_id).in_(list(pairs))
        )
    )
    remaining = [
        _fact(row)
        for row in session.scalars(
            select(StatementFact)
            .where(tuple_(StatementFact.learner_id, StatementFact.content_id).in_(list(pairs)))
            .order_by(StatementFact.seq)
        )
    ]
    _upsert_progress(session, fold(remaining))


def rebuild_projections(session: Session, base_url: str, *, chunk: int = 2000) -> int:
    """Empty the projections and compute them again from the stored, non-voided
    statements. Returns the number of statements that produced facts."""
    for table in PROJECTION_TABLES:
        session.execute(delete(table))
    resolver = LearnerResolver(base_url)
    counted = 0
    last_seq = 0
    while True:
        rows = session.execute(
            select(StatementRow.seq, cast(StatementRow.statement, Text))
            .where(
                StatementRow.seq > last_seq,
                StatementRow.voided.is_(False),
                StatementRow.verb_id != VOIDED_VERB,
            )
            .order_by(StatementRow.seq)
            .limit(chunk)
        ).all()
        if not rows:
            _analyze(session)
            return counted
        last_seq = rows[-1][0]
        documents = [(seq, orjson.loads(document)) for seq, document in rows]
        about = [(seq, document) for seq, document in documents if about_content(document)]
        facts = facts_for(session, about, resolver)
        add_facts(session, facts)
        counted += len(facts)


def _analyze(session: Session) -> None:
    """Refresh PostgreSQL's planner statistics of the rebuilt tables in the same
    transaction. A rebuild replaces every row, often of tables that were empty: until
    autovacuum next analyzes them (a minute or more later, never when it is off) the
    planner keeps the old statistics, and the dashboards' lookups of a few rows by
    content or learner become sequential scans that grow with the tables. SQLite keeps
    no statistics unless asked and plans these lookups by their indexes anyway."""
    if dialect_name(session) != "postgresql":
        return
    for table in PROJECTION_TABLES:
        session.execute(text(f'ANALYZE "{table.__tablename__}"'))


# --- writing -----------------------------------------------------------------------------


# The statements below are built once per dialect and model: building an upsert with its
# CASE expressions, and computing its cache key, cost more than running it for a batch.


FACT_COLUMNS = tuple(item.name for item in fields(Fact))
PROGRESS_COLUMNS = ("learner_id", "content_id", *(item.name for item in fields(ProgressDelta)))


def _plain_insert(dialect: str, model: type[Any]) -> Any:
    return dialect_insert(dialect, model.__table__)


@cache
def _rows_insert(dialect: str, table_name: str, columns: tuple[str, ...]) -> Any:
    """An INSERT of rows with ``columns``, run by :func:`_write_rows`. On PostgreSQL the
    rows travel as one JSON text (``db.json_rows_insert``): a batch's facts and deltas
    are hundreds of rows, and having the driver convert each value cost more than the
    upserts themselves."""
    table = Base.metadata.tables[table_name]
    if dialect == "postgresql":
        return json_rows_insert(table, columns)
    return dialect_insert(dialect, table)


def _write_rows(session: Session, statement: Any, rows: list[dict[str, Any]]) -> None:
    if dialect_name(session) == "postgresql":
        session.execute(statement, {"rows": json_list(rows)})
    else:
        session.execute(statement, rows)


def _fact(row: StatementFact) -> Fact:
    return Fact(
        seq=row.seq,
        statement_id=row.statement_id,
        learner_id=row.learner_id,
        content_id=row.content_id,
        question_id=row.question_id,
        timestamp=row.timestamp,
        day=row.day,
        is_attempt=row.is_attempt,
        is_completion=row.is_completion,
        is_success=row.is_success,
        score_milli=row.score_milli,
        duration_ms=row.duration_ms,
        is_answer=row.is_answer,
        is_correct=row.is_correct,
    )


_PROGRESS_SUMS = (
    "statements",
    "attempts",
    "completions",
    "successes",
    "scored",
    "score_sum_milli",
    "duration_ms",
)


def _upsert_progress(session: Session, deltas: Deltas) -> None:
    rows = [
        {"learner_id": learner, "content_id": content, **vars(delta)}
        for (learner, content), delta in sorted(deltas.progress.items())
        if delta.statements > 0
    ]
    if rows:
        _write_rows(session, _progress_upsert(dialect_name(session)), rows)


@cache
def _progress_upsert(dialect: str) -> Any:
    table = LearnerProgress.__table__.c
    insert = _rows_insert(dialect, LearnerProgress.__tablename__, PROGRESS_COLUMNS)
    new = insert.excluded
    # In ON CONFLICT DO UPDATE every expression sees the row as it was, so ``newer_score``
    # decides the three "last score" columns consistently.
    newer_score = and_(
        new.last_scored_at.is_not(None),
        (table.last_scored_at.is_(None))
        | (new.last_scored_at > table.last_scored_at)
        | (
            (new.last_scored_at == table.last_scored_at)
            & (new.last_scored_seq > table.last_scored_seq)
        ),
    )
    updates: dict[str, Any] = {name: table[name] + new[name] for name in _PROGRESS_SUMS}
    updates |= {
        "best_score_milli": case(
            (table.best_score_milli.is_(None), new.best_score_milli),
            (new.best_score_milli > table.best_score_milli, new.best_score_milli),
            else_=table.best_score_milli,
        ),
        "last_score_milli": case((newer_score, new.last_score_milli), else_=table.last_score_milli),
        "last_scored_at": case((newer_score, new.last_scored_at), else_=table.last_scored_at),
        "last_scored_seq": case((newer_score, new.last_scored_seq), else_=table.last_scored_seq),
        "first_activity_at": case(
            (new.first_activity_at < table.first_activity_at, new.first_activity_at),
            else_=table.first_activity_at,
        ),
        "last_activity_at": case(
            (new.last_activity_at > table.last_activity_at, new.last_activity_at),
            else_=table.last_activity_at,
        ),
    }
    return insert.on_conflict_do_update(index_elements=["learner_id", "content_id"], set_=updates)


def _add_counts(
    session: Session, model: type[Any], keys: list[str], rows: list[dict[str, Any]]
) -> None:
    """Upsert rows whose other columns are counters: inserted, or added to the stored ones."""
    if not rows:
        return
    counters = tuple(name for name in rows[0] if name not in keys)
    # One key order for every transaction: concurrent ingests lock rows in the same order
    # and so cannot deadlock each other on PostgreSQL.
    rows = sorted(rows, key=lambda row: tuple(str(row[key]) for key in keys))
    statement = _counts_upsert(dialect_name(session), model.__tablename__, tuple(keys), counters)
    _write_rows(session, statement, rows)


@cache
def _counts_upsert(
    dialect: str, table_name: str, keys: tuple[str, ...], counters: tuple[str, ...]
) -> Any:
    table = Base.metadata.tables[table_name].c
    insert = _rows_insert(dialect, table_name, (*keys, *counters))
    return insert.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table[name] + insert.excluded[name] for name in counters},
    )


def _add_days(session: Session, deltas: Deltas) -> None:
    rows = [
        {"content_id": content, "day": day, **vars(delta)}
        for (content, day), delta in deltas.days.items()
    ]
    _add_counts(session, ContentDay, ["content_id", "day"], rows)


def _add_learner_days(session: Session, deltas: Deltas) -> None:
    rows = [
        {"learner_id": learner, "day": day, "content_id": content, "statements": count}
        for (learner, day, content), count in deltas.learner_days.items()
    ]
    _add_counts(session, LearnerDay, ["learner_id", "day", "content_id"], rows)


def _add_answers(session: Session, deltas: Deltas) -> None:
    if not deltas.answers:
        return
    keys = sorted(deltas.answers)
    # Rows inserted now are learners answering a question for the first time.
    inserted = session.execute(
        _plain_insert(dialect_name(session), QuestionLearner)
        .on_conflict_do_nothing()
        .returning(
            QuestionLearner.content_id, QuestionLearner.question_id, QuestionLearner.learner_id
        ),
        [
            {"content_id": c, "question_id": q, "learner_id": lrn, "answered": 0, "correct": 0}
            for c, q, lrn in keys
        ],
    )
    first_time = {(c, q, lrn) for c, q, lrn in inserted}
    _add_counts(
        session,
        QuestionLearner,
        ["content_id", "question_id", "learner_id"],
        [
            {"content_id": c, "question_id": q, "learner_id": lrn, **vars(delta)}
            for (c, q, lrn), delta in deltas.answers.items()
        ],
    )
    per_question: dict[tuple[str, str], dict[str, int]] = {}
    for (c, q, lrn), delta in deltas.answers.items():
        totals = per_question.setdefault((c, q), {"answered": 0, "correct": 0, "learners": 0})
        totals["answered"] += delta.answered
        totals["correct"] += delta.correct
        totals["learners"] += (c, q, lrn) in first_time
    removing = any(delta.answered < 0 for delta in deltas.answers.values())
    for c, q, _ in _emptied_learners(session, keys) if removing else []:
        per_question[(c, q)]["learners"] -= 1
    _add_counts(
        session,
        QuestionStats,
        ["content_id", "question_id"],
        [{"content_id": c, "question_id": q, **totals} for (c, q), totals in per_question.items()],
    )


def _emptied_learners(
    session: Session, keys: list[tuple[str, str, str]]
) -> list[tuple[str, str, str]]:
    """Delete learner rows left with no answer (after a void); return their keys."""
    key_columns = tuple_(
        QuestionLearner.content_id, QuestionLearner.question_id, QuestionLearner.learner_id
    )
    empty = [
        (c, q, lrn)
        for c, q, lrn in session.execute(
            select(
                QuestionLearner.content_id, QuestionLearner.question_id, QuestionLearner.learner_id
            ).where(key_columns.in_(keys), QuestionLearner.answered <= 0)
        )
    ]
    if empty:
        session.execute(delete(QuestionLearner).where(key_columns.in_(empty)))
    return empty


def _prune(session: Session, deltas: Deltas) -> None:
    """Aggregate rows left empty by voiding are deleted, as a rebuild would not create them."""
    if deltas.learner_days:
        session.execute(
            delete(LearnerDay).where(
                tuple_(LearnerDay.learner_id, LearnerDay.day, LearnerDay.content_id).in_(
                    list(deltas.learner_days)
                ),
                LearnerDay.statements <= 0,
            )
        )
    if deltas.days:
        session.execute(
            delete(ContentDay).where(
                tuple_(ContentDay.content_id, ContentDay.day).in_(list(deltas.days)),
                ContentDay.statements <= 0,
            )
        )
    questions = list({(c, q) for c, q, _ in deltas.answers})
    if questions:
        session.execute(
            delete(QuestionStats).where(
                tuple_(QuestionStats.content_id, QuestionStats.question_id).in_(questions),
                QuestionStats.answered <= 0,
            )
        )
