"""The transaction plumbing: test rollbacks are real, commits happen before responses."""

from datetime import UTC, date, datetime

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from learnloop.analytics.models import StatementFact
from learnloop.auth.models import Role, User
from learnloop.db import (
    Database,
    UTCDateTime,
    dialect_name,
    in_json_list,
    json_list,
    json_rows_insert,
)
from learnloop.deps import SessionDep

MARKER_EMAIL = "rollback-marker@example.test"


@pytest.mark.parametrize("step", [1, 2])
def test_rows_written_in_one_test_are_gone_in_the_next(session: Session, step: int) -> None:
    # Each run finds no marker, then writes and commits one; the fixture rolls it back.
    assert session.scalar(select(User).where(User.email == MARKER_EMAIL)) is None
    session.add(User(email=MARKER_EMAIL, display_name=f"step {step}", role=Role.LEARNER.value))
    session.commit()
    assert (
        session.scalar(select(func.count()).select_from(User).where(User.email == MARKER_EMAIL))
        == 1
    )


def test_a_savepoint_rolls_back_on_its_own(session: Session) -> None:
    session.add(User(email="kept@example.test", display_name="kept"))
    session.flush()
    nested = session.begin_nested()
    session.add(User(email="dropped@example.test", display_name="dropped"))
    session.flush()
    nested.rollback()
    emails = set(session.scalars(select(User.email)))
    assert "kept@example.test" in emails
    assert "dropped@example.test" not in emails


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(User(email="fk@example.test", display_name="fk", plan_id="no-such-plan"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2025, 1, 1), sqlite.dialect())


def test_datetimes_come_back_timezone_aware(session: Session) -> None:
    user = User(email="tz@example.test", display_name="tz")
    session.add(user)
    session.flush()
    session.expire(user)
    assert user.created_at.tzinfo is not None


def test_a_failed_commit_is_answered_with_5xx_not_200(app: FastAPI, database: Database) -> None:
    @app.post("/test/write")
    def write(session: SessionDep) -> dict[str, bool]:
        session.add(User(email="never-stored@example.test", display_name="x"))
        return {"success": True}

    def fail_commit(_session: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(database.session_factory, "before_commit", fail_commit)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.post("/test/write")
    finally:
        event.remove(database.session_factory, "before_commit", fail_commit)
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": "Internal server error"}
    with database.session() as check:
        assert check.scalar(select(User).where(User.email == "never-stored@example.test")) is None


def test_a_failing_handler_rolls_the_request_back(app: FastAPI, database: Database) -> None:
    @app.post("/test/write-then-fail")
    def write_then_fail(session: SessionDep) -> dict[str, bool]:
        session.add(User(email="rolled-back@example.test", display_name="x"))
        session.flush()
        raise RuntimeError("handler failed after writing")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/test/write-then-fail")
    assert response.status_code == 500
    with database.session() as check:
        assert check.scalar(select(User).where(User.email == "rolled-back@example.test")) is None


@pytest.mark.parametrize(
    "wanted",
    [
        [],
        ["plain@example.test"],
        ['quote"and,comma@example.test', "ünïcode@example.test", "back\\slash@example.test"],
    ],
)
def test_in_json_list_matches_exactly_the_listed_values(
    session: Session, wanted: list[str]
) -> None:
    emails = [
        "plain@example.test",
        'quote"and,comma@example.test',
        "ünïcode@example.test",
        "back\\slash@example.test",
        "other@example.test",
    ]
    for email in emails:
        session.add(User(email=email, display_name=email))
    session.flush()
    query = select(User.email).where(
        in_json_list(User.email, "emails", dialect_name(session)),
        User.email.in_(emails),
    )
    found = session.scalars(query, {"emails": json_list(wanted)}).all()
    assert sorted(found) == sorted(wanted)


def test_json_rows_insert_keeps_every_value_type(session: Session, database: Database) -> None:
    if not database.is_postgresql:
        pytest.skip("jsonb_to_recordset is PostgreSQL's; SQLite runs executemany")
    table = StatementFact.__table__
    row = {
        "seq": 987654321,
        "statement_id": "6f1c6d3e-0d5b-4b8e-9a51-2b7f0c1d9e11",
        "learner_id": 'learner "quoted" ünïcode',
        "content_id": "content-1",
        "question_id": None,
        "timestamp": datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=UTC),
        "day": date(2026, 3, 4),
        "is_attempt": True,
        "is_completion": False,
        "is_success": True,
        "score_milli": 87500,
        "duration_ms": None,
        "is_answer": False,
        "is_correct": False,
    }
    statement = json_rows_insert(table, tuple(row))  # type: ignore[arg-type]
    session.execute(statement, {"rows": orjson.dumps([row]).decode()})
    stored = session.execute(select(table).where(table.c.seq == row["seq"])).mappings().one()
    assert dict(stored) == row
