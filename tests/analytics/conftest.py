"""Helpers of the analytics tests: statements stored through the LRS's real ingest path."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy.orm import Session

from learnloop.analytics.projections import ProgressProjector
from learnloop.auth.models import Role
from learnloop.config import Settings
from learnloop.xapi.callers import user_caller
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.statements import StoreLimits, store_statements
from learnloop.xapi.versions import XapiVersion
from tests.conftest import MakeAccount

VERBS = "http://adlnet.gov/expapi/verbs/"
Store = Callable[[Sequence[dict[str, Any]]], list[str]]


@pytest.fixture
def store(session: Session, settings: Settings, make_account: MakeAccount) -> Store:
    """Store statements as an admin (any actor allowed), with the projector subscribed."""
    writer = make_account(Role.ADMIN, name="Statement writer")
    hooks = StatementHooks()
    hooks.add_on_stored(ProgressProjector(settings.base_url))
    caller = user_caller(writer.user, settings.base_url)

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
