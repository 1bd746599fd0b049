from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from learnloop.analytics.models import (
    ContentDay,
    LearnerProgress,
    QuestionLearner,
    QuestionStats,
    StatementFact,
)
from learnloop.analytics.projections import PROJECTION_TABLES, rebuild_projections
from learnloop.config import Settings
from learnloop.xapi.models import StatementRow
from tests.analytics.conftest import Store, statement, voiding
from tests.support import databases

VERB_CHOICES = ["attempted", "answered", "completed", "passed", "failed", "interacted"]


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for model in PROJECTION_TABLES:
        columns = list(model.__table__.columns)
        rows = session.execute(select(*columns)).all()
        tables[model.__tablename__] = sorted(
            (tuple(row) for row in rows), key=lambda row: tuple(map(str, row))
        )
    return tables


def random_result(rng: random.Random) -> dict[str, Any] | None:
    roll = rng.random()
    if roll < 0.2:
        return None
    result: dict[str, Any] = {}
    if rng.random() < 0.7:
        maximum = rng.choice([1, 3, 5, 10])
        raw = rng.randint(0, maximum)
        result["score"] = {"raw": raw, "max": maximum, "min": 0}
        if rng.random() < 0.5:
            result["score"]["scaled"] = round(raw / maximum, 4)
    if rng.random() < 0.5:
        result["success"] = rng.random() < 0.6
    if rng.random() < 0.5:
        result["completion"] = rng.random() < 0.7
    if rng.random() < 0.6:
        result["duration"] = rng.choice(["PT12S", "PT1M30.5S", "PT0.25S", "P1DT2H", "PT2H3M"])
    if rng.random() < 0.3:
        result["response"] = "choice-" + str(rng.randint(1, 4))
    return result


def random_stream(
    base_url: str, learners: list[str], rng: random.Random
) -> list[list[dict[str, Any]]]:
    contents = ["alpha", "beta", "gamma"]
    questions = ["q1", "q2", "q3"]
    batches: list[list[dict[str, Any]]] = []
    stored_ids: list[str] = []
    pre_voided: list[str] = []
    for _ in range(40):
        batch: list[dict[str, Any]] = []
        for _ in range(rng.randint(1, 8)):
            roll = rng.random()
            if roll < 0.12 and stored_ids:
                target = rng.choice(stored_ids)
                stored_ids.remove(target)
                batch.append(voiding(base_url, learners[0], target))
                continue
            if roll < 0.15:
                # Voided before it arrives: it must never count.
                future = str(uuid.uuid4())
                pre_voided.append(future)
                batch.append(voiding(base_url, learners[0], future))
                continue
            statement_id = pre_voided.pop() if pre_voided and rng.random() < 0.5 else None
            document = statement(
                base_url,
                rng.choice(learners),
                rng.choice(VERB_CHOICES),
                rng.choice(contents),
                question=rng.choice(questions) if rng.random() < 0.45 else None,
                result=random_result(rng),
                timestamp=f"2026-10-{rng.randint(1, 9):02d}T{rng.randint(0, 23):02d}:00:00Z",
                statement_id=statement_id,
            )
            batch.append(document)
            if statement_id is None:
                stored_ids.append(document["id"])
        batches.append(batch)
    return batches


def test_projections_after_a_random_stream_with_voids_equal_a_rebuild(
    session: Session, settings: Settings, store: Store
) -> None:
    rng = random.Random(20261122)
    base_url = settings.base_url
    learners = ["learner-a", "learner-b", "learner-c", "learner-d"]
    for batch in random_stream(base_url, learners, rng):
        store(batch)
    incremental = snapshot(session)
    voided = session.scalars(select(StatementRow.statement_id).where(StatementRow.voided)).all()
    fact_ids = {row[1] for row in incremental["analytics_statement_facts"]}
    assert voided and not fact_ids & set(voided)
    assert incremental["analytics_statement_facts"], "the stream produced no facts"
    assert incremental["analytics_question_stats"], "the stream produced no answers"

    rebuild_projections(session, base_url)
    session.flush()
    assert snapshot(session) == incremental


def test_a_voided_statement_drops_out_of_every_projection(
    session: Session, settings: Settings, store: Store
) -> None:
    base = settings.base_url
    kept = statement(base, "u1", "completed", "c1", result={"score": {"scaled": 0.5}})
    best = statement(
        base,
        "u1",
        "completed",
        "c1",
        result={"score": {"scaled": 0.9}, "success": True},
        timestamp="2026-11-02T10:00:00Z",
    )
    answer = statement(
        base, "u1", "answered", "c1", question="q1", result={"success": True, "response": "a"}
    )
    store([kept, best, answer])
    progress = session.get(LearnerProgress, ("u1", "c1"))
    assert progress is not None and progress.best_score_milli == 90_000

    store([voiding(base, "u1", best["id"]), voiding(base, "u1", answer["id"])])

    session.expire_all()
    progress = session.get(LearnerProgress, ("u1", "c1"))
    assert progress is not None
    assert (progress.attempts, progress.best_score_milli, progress.last_score_milli) == (
        1,
        50_000,
        50_000,
    )
    assert progress.successes == 0
    assert session.get(ContentDay, ("c1", date(2026, 11, 2))) is None
    assert session.scalars(select(QuestionStats)).all() == []
    assert session.scalars(select(QuestionLearner)).all() == []
    assert [f.statement_id for f in session.scalars(select(StatementFact))] == [kept["id"]]


def test_a_statement_voided_before_it_arrives_never_counts(
    session: Session, settings: Settings, store: Store
) -> None:
    base = settings.base_url
    later = statement(base, "u1", "completed", "c1", result={"score": {"scaled": 1.0}})
    store([voiding(base, "u1", later["id"])])
    store([later])
    assert session.get(LearnerProgress, ("u1", "c1")) is None


def test_statements_about_other_activities_make_no_facts(
    session: Session, settings: Settings, store: Store
) -> None:
    document = statement(settings.base_url, "u1", "completed", "c1")
    document["object"]["id"] = "https://example.com/courses/one"
    store([document])
    assert session.scalars(select(StatementFact)).all() == []


@pytest.mark.skipif(
    not databases.is_postgresql(databases.test_database_url()),
    reason="planner statistics are PostgreSQL's (LEARNLOOP_TEST_DATABASE_URL)",
)
def test_a_rebuild_leaves_planner_statistics_of_the_rebuilt_tables(
    session: Session, settings: Settings, store: Store
) -> None:
    base = settings.base_url
    store(
        [
            statement(
                base,
                f"u{index % 3}",
                "completed",
                f"c{index % 4}",
                result={"score": {"scaled": 0.5}},
            )
            for index in range(13)
        ]
    )
    rebuild_projections(session, base)
    session.flush()
    # ANALYZE writes the row estimate in pg_class in place, visible before the commit.
    for model, rows in (
        (StatementFact, 13),
        (LearnerProgress, session.scalar(select(func.count()).select_from(LearnerProgress))),
    ):
        estimate = session.scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = CAST(:name AS regclass)"),
            {"name": model.__tablename__},
        )
        assert estimate == rows, model.__tablename__
