"""The transaction plumbing: test rollbacks are real, commits happen before responses."""

from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from learnloop.auth.models import Role, User
from learnloop.db import Database, UTCDateTime, dialect_name, in_json_list, json_list
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
