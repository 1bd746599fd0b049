"""Issue 12 item 12: inputs that were unhandled 500s (mostly on PostgreSQL) are 4xx and
change nothing. Runs on whichever backend LEARNLOOP_TEST_DATABASE_URL names."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.analytics.models import LearnerClass
from learnloop.h5p.models import H5PContent
from learnloop.safe_json import JsonTooDeep, body_nests_too_deep, loads
from learnloop.xapi.credentials import create_client
from learnloop.xapi.models import StatementRow
from tests.conftest import Account
from tests.h5p.conftest import import_bytes
from tests.xapi.conftest import VERSION, LrsCredentials, statement

DEEP = 100_000


@pytest.fixture
def lrs(session: Session) -> LrsCredentials:
    issued = create_client(session, name="guard test", scopes=["all"])
    session.commit()
    return LrsCredentials(issued.client.key, issued.secret)


def deep_array(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


def _statement_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StatementRow)) or 0


def _class_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LearnerClass)) or 0


# --- the shared loader ------------------------------------------------------------------


def test_safe_loads_refuses_deep_documents_with_a_value_error() -> None:
    for depth in (129, 1_000, DEEP):
        with pytest.raises(JsonTooDeep):
            loads(deep_array(depth))
        assert body_nests_too_deep(deep_array(depth).encode())
    assert loads(deep_array(128)) == loads(deep_array(128))
    assert not body_nests_too_deep(deep_array(128).encode())
    assert not body_nests_too_deep(b'"[[[[[[["' * 40)  # brackets inside strings
    assert issubclass(JsonTooDeep, ValueError)


# --- deep JSON ----------------------------------------------------------------------------


def test_deep_json_bodies_are_400(
    client: TestClient, session: Session, teacher: Account, lrs: LrsCredentials
) -> None:
    before = _class_count(session), _statement_count(session)
    body = '{"name": ' + deep_array() + "}"
    for path, headers in (
        ("/api/analytics/classes", teacher.headers),
        ("/api/xapi/statements", teacher.headers),
        ("/xapi/statements", lrs.headers),
    ):
        response = client.post(
            path, content=body, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 400, (path, response.text)
    text_plain = client.post(
        "/api/xapi/statements",
        content=deep_array(),
        headers={**teacher.headers, "Content-Type": "text/plain"},
    )
    assert text_plain.status_code == 400
    assert (_class_count(session), _statement_count(session)) == before


def test_deep_params_of_new_content_are_400(
    client: TestClient, session: Session, teacher: Account
) -> None:
    before = session.scalar(select(func.count()).select_from(H5PContent))
    as_string = {"library": "H5P.Accordion 1.0", "params": '{"a": ' + deep_array() + "}"}
    response = client.post("/h5p/content", json=as_string, headers=teacher.headers)
    assert response.status_code == 400, response.text
    as_object = '{"library": "H5P.Accordion 1.0", "params": {"a": ' + deep_array() + "}}"
    response = client.post(
        "/h5p/content",
        content=as_object,
        headers={**teacher.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert session.scalar(select(func.count()).select_from(H5PContent)) == before


def _package_with(source: Path, name: str, replacement: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w") as rebuilt:
        for item in original.infolist():
            data = replacement if item.filename == name else original.read(item)
            rebuilt.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("name", ["content/content.json", "h5p.json"])
def test_a_package_with_deep_json_is_refused_not_a_500(
    client: TestClient, session: Session, admin: Account, fixtures_dir: Path, name: str
) -> None:
    source = fixtures_dir / "h5p" / "hub" / "H5P.Accordion.h5p"
    package = _package_with(source, name, ('{"a": ' + deep_array() + "}").encode())
    response = import_bytes(client, admin.headers, package)
    assert 400 <= response.status_code < 500, response.text
    assert session.scalar(select(func.count()).select_from(H5PContent)) == 0


# --- NUL bytes ----------------------------------------------------------------------------


def test_nul_in_a_class_name_is_400_and_creates_nothing(
    client: TestClient, session: Session, teacher: Account
) -> None:
    response = client.post(
        "/api/analytics/classes", json={"name": "7B\u0000"}, headers=teacher.headers
    )
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert _class_count(session) == 0


def test_an_escaped_backslash_before_u0000_is_text_not_nul(
    client: TestClient, session: Session, teacher: Account
) -> None:
    response = client.post(
        "/api/analytics/classes",
        content=b'{"name": "C:\\\\u0000"}',
        headers={**teacher.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["name"] == "C:\\u0000"


def test_nul_in_statement_iris_and_emails_is_400(
    client: TestClient, session: Session, lrs: LrsCredentials, teacher: Account
) -> None:
    bad: list[dict[str, Any]] = [
        statement(verb={"id": "http://example.com/verbs/a\u0000b"}),
        statement(object={"objectType": "Activity", "id": "http://example.com/\u0000"}),
        statement(actor={"mbox": "mailto:a\u0000@example.com"}),
    ]
    for document in bad:
        assert (
            client.post("/xapi/statements", json=document, headers=lrs.headers).status_code == 400
        )
        assert (
            client.post("/api/xapi/statements", json=document, headers=teacher.headers).status_code
            == 400
        )
    assert _statement_count(session) == 0


def test_nul_in_member_emails_and_login_is_400(
    client: TestClient, session: Session, teacher: Account
) -> None:
    class_id = client.post(
        "/api/analytics/classes", json={"name": "7B"}, headers=teacher.headers
    ).json()["data"]["id"]
    response = client.post(
        f"/api/analytics/classes/{class_id}/members",
        json={"emails": ["ada\u0000@example.test"]},
        headers=teacher.headers,
    )
    assert response.status_code == 400
    login = client.post(
        "/api/auth/login", json={"email": "a\u0000@example.test", "password": "x" * 10}
    )
    assert login.status_code == 400


def test_nul_in_query_and_path_is_400(
    client: TestClient, teacher: Account, lrs: LrsCredentials
) -> None:
    assert (
        client.get("/api/xapi/statements?verbId=a%00b", headers=teacher.headers).status_code == 400
    )
    assert client.get("/api/analytics/student/%00", headers=teacher.headers).status_code == 400
    response = client.get("/xapi/activities?activityId=http://x/%00", headers=lrs.headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")


def test_nul_in_a_form_body_is_400(client: TestClient, lrs: LrsCredentials) -> None:
    response = client.post(
        "/xapi/activities/state?method=PUT",
        content=b"activityId=http%3A%2F%2Fx%2F%00&stateId=s&content=%7B%7D",
        headers={**lrs.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400


# --- lengths and magnitudes -------------------------------------------------------------


def test_h5p_event_with_a_content_id_over_2048_characters_is_4xx(
    client: TestClient, session: Session, learner: Account
) -> None:
    for content_id in ("c" * 2049, "c" * 2040):
        response = client.post(
            "/api/xapi/h5p-event",
            json={"contentId": content_id, "verb": "completed"},
            headers=learner.headers,
        )
        assert 400 <= response.status_code < 500, response.text
    assert _statement_count(session) == 0


def test_an_iri_over_2048_characters_is_400(
    client: TestClient, session: Session, lrs: LrsCredentials
) -> None:
    long_iri = "http://example.com/" + "a" * 2048
    document = statement(object={"objectType": "Activity", "id": long_iri})
    assert client.post("/xapi/statements", json=document, headers=lrs.headers).status_code == 400
    assert _statement_count(session) == 0


def test_an_absurd_duration_on_hosted_content_is_400(
    client: TestClient, session: Session, settings: Any, lrs: LrsCredentials, learner: Account
) -> None:
    from tests.analytics.conftest import add_content

    add_content(session, "quiz", "Quiz", learner)
    document = statement(
        id=str(uuid.uuid4()),
        object={"objectType": "Activity", "id": f"{settings.base_url}/h5p/content/quiz"},
        result={"duration": "PT" + "9" * 30 + "S"},
    )
    for path, headers in (
        ("/xapi/statements", lrs.headers),
        ("/api/xapi/statements", learner.headers),
    ):
        response = client.post(path, json=document, headers={**headers, **VERSION})
        assert response.status_code == 400, response.text
    assert _statement_count(session) == 0
    fine = {**document, "result": {"duration": "PT1H30M"}}
    assert client.post("/xapi/statements", json=fine, headers=lrs.headers).status_code == 200
