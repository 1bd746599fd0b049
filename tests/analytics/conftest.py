"""Helpers of the analytics tests: statements stored through the LRS's real ingest path."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics.projections import ProgressProjector
from learnloop.auth.models import Role
from learnloop.config import Settings
from learnloop.h5p.models import ContentCurriculum, ContentOwnership, H5PContent, H5PLibrary
from learnloop.xapi.callers import client_caller
from learnloop.xapi.credentials import create_client
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.statements import StoreLimits, store_statements
from learnloop.xapi.versions import XapiVersion
from tests.conftest import Account, MakeAccount

VERBS = "http://adlnet.gov/expapi/verbs/"
Store = Callable[[Sequence[dict[str, Any]]], list[str]]


@pytest.fixture
def store(session: Session, settings: Settings, make_account: MakeAccount) -> Store:
    """Store statements as a trusted LRS client (any actor allowed), with the projector
    subscribed."""
    writer = create_client(session, name="Statement writer", scopes=["statements/write"])
    hooks = StatementHooks()
    hooks.add_on_stored(ProgressProjector(settings.base_url))
    caller = client_caller(writer.client, settings.base_url)

    def run(statements: Sequence[dict[str, Any]]) -> list[str]:
        ids = store_statements(
            session,
            list(statements),
            caller=caller,
            version=XapiVersion.V1_0_3,
            hooks=hooks,
            limits=StoreLimits(max_statements=1000),
        )
        session.flush()
        return ids

    return run


def actor(base_url: str, user_id: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": base_url, "name": user_id}}


def statement(
    base_url: str,
    user_id: str,
    verb: str,
    content_id: str,
    *,
    question: str | None = None,
    result: dict[str, Any] | None = None,
    timestamp: str = "2026-11-01T10:00:00Z",
    statement_id: str | None = None,
) -> dict[str, Any]:
    activity = f"{base_url}/h5p/content/{content_id}"
    if question is not None:
        activity += f"?subContentId={question}"
    document: dict[str, Any] = {
        "id": statement_id or str(uuid.uuid4()),
        "actor": actor(base_url, user_id),
        "verb": {"id": VERBS + verb},
        "object": {"objectType": "Activity", "id": activity},
        "timestamp": timestamp,
    }
    if result is not None:
        document["result"] = result
    return document


def voiding(base_url: str, user_id: str, target: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": actor(base_url, user_id),
        "verb": {"id": VERBS + "voided"},
        "object": {"objectType": "StatementRef", "id": target},
    }


# --- a small dataset with hand-computed answers (see test_routes.py) ----------------------


@dataclass
class Dataset:
    teacher: Account
    other_teacher: Account
    admin: Account
    l1: Account
    l2: Account
    l3: Account
    today: date

    def day(self, days_ago: int) -> str:
        return (self.today - timedelta(days=days_ago)).isoformat()


def add_content(
    session: Session,
    content_id: str,
    title: str,
    owner: Account,
    topics: list[str] | None = None,
    visibility: str = "private",
) -> None:
    library = session.scalar(select(H5PLibrary).where(H5PLibrary.machine_name == "H5P.Test"))
    if library is None:
        library = H5PLibrary(
            machine_name="H5P.Test", major_version=1, minor_version=0, patch_version=0, title="T"
        )
        session.add(library)
        session.flush()
    session.add(H5PContent(id=content_id, title=title, main_library_id=library.id))
    session.flush()
    session.add(ContentOwnership(content_id=content_id, user_id=owner.id, visibility=visibility))
    if topics is not None:
        session.add(ContentCurriculum(content_id=content_id, topic_names=topics))
    session.commit()


def post_as(client: TestClient, account: Account, statements: list[dict[str, Any]]) -> None:
    response = client.post("/api/xapi/statements", json=statements, headers=account.headers)
    assert response.status_code == 200, response.text


@pytest.fixture
def dataset(
    client: TestClient, session: Session, settings: Settings, make_account: MakeAccount
) -> Dataset:
    data = Dataset(
        teacher=make_account(Role.TEACHER, name="Tess Teacher"),
        other_teacher=make_account(Role.TEACHER, name="Otto Other"),
        admin=make_account(Role.ADMIN),
        l1=make_account(Role.LEARNER, name="Lena One"),
        l2=make_account(Role.LEARNER, name="Lars Two"),
        l3=make_account(Role.LEARNER, name="Lia Three"),
        today=datetime.now(UTC).date(),
    )
    add_content(session, "bio", "Cell Biology", data.teacher, ["Cells", "Genetics"])
    add_content(session, "math", "Math Basics", data.teacher)
    add_content(session, "other", "Other Quiz", data.other_teacher)
    base = settings.base_url

    def at(days_ago: int) -> str:
        return f"{data.day(days_ago)}T10:00:00Z"

    post_as(
        client,
        data.l1,
        [
            statement(
                base,
                "x",
                "completed",
                "bio",
                timestamp=at(3),
                result={"score": {"scaled": 0.6}, "duration": "PT1M"},
            ),
            statement(
                base,
                "x",
                "completed",
                "bio",
                timestamp=at(2),
                result={"score": {"scaled": 0.9}, "success": True, "duration": "PT1M30.5S"},
            ),
            statement(
                base,
                "x",
                "answered",
                "bio",
                question="q1",
                timestamp=at(3),
                result={"success": False, "response": "a"},
            ),
            statement(
                base,
                "x",
                "answered",
                "bio",
                question="q1",
                timestamp=at(2),
                result={"success": True, "response": "b"},
            ),
            statement(
                base,
                "x",
                "answered",
                "bio",
                question="q2",
                timestamp=at(3),
                result={"success": True, "response": "c"},
            ),
            statement(
                base,
                "x",
                "answered",
                "math",
                timestamp=at(1),
                result={"score": {"raw": 3, "max": 4}, "success": False, "duration": "PT2M"},
            ),
        ],
    )
    post_as(
        client,
        data.l2,
        [
            statement(
                base,
                "x",
                "completed",
                "bio",
                timestamp=at(1),
                result={
                    "score": {"raw": 2, "max": 5},
                    "completion": True,
                    "success": False,
                    "duration": "PT30S",
                },
            ),
            statement(
                base,
                "x",
                "answered",
                "bio",
                question="q1",
                timestamp=at(1),
                result={"success": True, "response": "b"},
            ),
            statement(
                base, "x", "completed", "other", timestamp=at(1), result={"score": {"scaled": 1.0}}
            ),
        ],
    )
    post_as(
        client,
        data.l3,
        [
            statement(
                base, "x", "completed", "math", timestamp=at(10), result={"score": {"scaled": 0.3}}
            ),
        ],
    )
    return data
