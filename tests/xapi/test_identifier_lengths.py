"""Issue 12 item 12: identifiers longer than the columns that hold them are a 400 naming
the limit, not a database error (a 500 on PostgreSQL), and nothing is stored."""

from __future__ import annotations

import json

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.xapi.document_models import XapiDocument
from learnloop.xapi.models import StatementRow
from tests.xapi.conftest import LrsCredentials, statement

LONG = "a" * 3000
LEARNER = json.dumps({"mbox": "mailto:a@example.com"})


def _count(session: Session, table: type[StatementRow] | type[XapiDocument]) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def test_actors_with_identifiers_longer_than_2048_characters_are_400(
    client: TestClient, session: Session, lrs: LrsCredentials
) -> None:
    for actor in (
        {"mbox": f"mailto:{LONG}@example.com"},
        {"account": {"homePage": "http://example.com", "name": LONG}},
        {"openid": "http://example.com/" + "a" * 2040},
    ):
        response = client.post("/xapi/statements", json=statement(actor=actor), headers=lrs.headers)
        assert response.status_code == 400, response.text
        assert "2048" in response.text
    assert _count(session, StatementRow) == 0


def test_document_ids_agents_and_content_types_over_the_column_length_are_400(
    client: TestClient, session: Session, lrs: LrsCredentials
) -> None:
    json_headers = {**lrs.headers, "Content-Type": "application/json", "If-None-Match": "*"}
    attempts = [
        (
            "/xapi/activities/state",
            {"activityId": "http://example.com/a", "agent": LEARNER, "stateId": LONG},
            json_headers,
        ),
        ("/xapi/agents/profile", {"agent": LEARNER, "profileId": LONG}, json_headers),
        (
            "/xapi/agents/profile",
            {"agent": json.dumps({"mbox": f"mailto:{LONG}@example.com"}), "profileId": "p"},
            json_headers,
        ),
        (
            "/xapi/activities/state",
            {"activityId": "http://example.com/a", "agent": LEARNER, "stateId": "s"},
            {**lrs.headers, "Content-Type": "application/" + LONG},
        ),
    ]
    for path, params, headers in attempts:
        response = client.put(path, params=params, content=b"{}", headers=headers)
        assert response.status_code == 400, (path, response.text)
    assert _count(session, XapiDocument) == 0


def test_a_multipart_statement_part_with_nul_or_deep_nesting_is_400(
    client: TestClient, session: Session, lrs: LrsCredentials
) -> None:
    boundary = "b0undary"
    deep: object = "leaf"
    for _ in range(200):
        deep = [deep]
    for payload in (
        statement(verb={"id": "http://example.com/verbs/a\u0000b"}),
        statement(result={"extensions": {"http://example.com/deep": deep}}),
    ):
        body = (
            f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()
            + orjson.dumps(payload)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        response = client.post(
            "/xapi/statements",
            content=body,
            headers={**lrs.headers, "Content-Type": f"multipart/mixed; boundary={boundary}"},
        )
        assert response.status_code == 400, response.text
    assert _count(session, StatementRow) == 0
