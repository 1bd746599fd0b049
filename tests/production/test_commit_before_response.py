"""The request's commit runs before the response is sent (CONVENTIONS 3): a commit that
fails is a 500 and the statement is not reported as stored. Pinned here because the
commit runs in a thread pool of its own (learnloop.deps)."""

from __future__ import annotations

import base64
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.db import Database
from learnloop.main import create_app
from learnloop.storage import LocalFileStorage
from learnloop.xapi.credentials import create_client
from learnloop.xapi.models import StatementRow


def test_a_failed_commit_is_a_500_and_nothing_is_stored(
    settings: Settings, database: Database, storage: LocalFileStorage, session: Session
) -> None:
    issued = create_client(session, name="commit test", scopes=("all",))
    session.commit()
    token = base64.b64encode(f"{issued.client.key}:{issued.secret}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
    statement_id = str(uuid.uuid4())
    body = {
        "id": statement_id,
        "actor": {"mbox": "mailto:learner@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "http://example.com/activities/page"},
    }

    def refuse_commit(_session: Session) -> None:
        raise RuntimeError("disk full")

    event.listen(database.session_factory, "before_commit", refuse_commit)
    try:
        app = create_app(settings, database=database, storage=storage)
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.post("/xapi/statements", json=body, headers=headers)
    finally:
        event.remove(database.session_factory, "before_commit", refuse_commit)
    assert response.status_code == 500
    assert statement_id not in response.text
    count = session.scalar(
        select(func.count())
        .select_from(StatementRow)
        .where(StatementRow.statement_id == statement_id)
    )
    assert count == 0
