"""Statements as an AU built with the cmi5 libraries sends them, and a way to send them
through the LRS's statement service with the AU's fetched credentials."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.cmi5.au_auth import AuGrant, au_caller, authenticate_basic
from learnloop.cmi5.models import Cmi5Au
from learnloop.cmi5.vocabulary import (
    CATEGORY_CMI5,
    CATEGORY_MOVE_ON,
    EXT_MASTERY_SCORE,
    EXT_SESSION_ID,
    VERB_COMPLETED,
    VERB_FAILED,
    VERB_INITIALIZED,
    VERB_PASSED,
    VERB_TERMINATED,
)
from learnloop.xapi.statements import StoreLimits, store_statements
from learnloop.xapi.versions import XapiVersion
from tests.cmi5.conftest import Launched


@dataclass
class AuSession:
    launched: Launched
    publisher_id: str
    grant: AuGrant
    app: FastAPI
    # The AU's masteryScore: Passed and Failed with a score carry it (cmi5 9.6.3.2).
    mastery_score: float | None = None

    def statement(
        self,
        verb: str,
        *,
        result: dict[str, Any] | None = None,
        move_on: bool | None = None,
        cmi5: bool = True,
    ) -> dict[str, Any]:
        categories = []
        if cmi5:
            categories.append({"id": CATEGORY_CMI5})
        if move_on if move_on is not None else verb in (VERB_COMPLETED, VERB_PASSED, VERB_FAILED):
            categories.append({"id": CATEGORY_MOVE_ON})
        statement: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "actor": json.loads(self.launched.params["actor"]),
            "verb": {"id": verb},
            "object": {"id": self.launched.params["activityId"], "objectType": "Activity"},
            "timestamp": datetime.now(UTC).isoformat(),
            "context": {
                "registration": self.launched.params["registration"],
                "contextActivities": {
                    "grouping": [{"id": self.publisher_id}],
                    "category": categories,
                },
                "extensions": {EXT_SESSION_ID: self.launched.session_id},
            },
        }
        if not categories:
            del statement["context"]["contextActivities"]["category"]
        if self.mastery_score is not None and verb in (VERB_PASSED, VERB_FAILED):
            statement["context"]["extensions"][EXT_MASTERY_SCORE] = self.mastery_score
        if result is not None:
            statement["result"] = result
        return statement

    def send(self, session: Session, *statements: dict[str, Any]) -> list[str]:
        ids = store_statements(
            session,
            list(statements),
            caller=au_caller(self.grant, "http://testserver"),
            version=XapiVersion.V1_0_3,
            hooks=self.app.state.xapi_hooks,
            limits=StoreLimits(max_statements=100),
        )
        session.commit()
        return ids


def start(
    client: TestClient, app: FastAPI, session: Session, launched: Launched, publisher_id: str
) -> AuSession:
    token = client.post(launched.fetch_path).json()["auth-token"]
    # cmi5 11.0.0.0-3: an AU reads its learner preferences before Initialized.
    preferences = client.get(
        "/xapi/agents/profile",
        headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
        params={"agent": launched.params["actor"], "profileId": "cmi5LearnerPreferences"},
    )
    assert preferences.status_code == 200, preferences.text
    session.expire_all()
    grant = authenticate_basic(session, token)
    assert grant is not None
    au = session.get(Cmi5Au, grant.au_id)
    assert au is not None
    return AuSession(launched, publisher_id, grant, app, au.mastery_score)


INITIALIZED = VERB_INITIALIZED
TERMINATED = VERB_TERMINATED
COMPLETED = VERB_COMPLETED
PASSED = VERB_PASSED
FAILED = VERB_FAILED
