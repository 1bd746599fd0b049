"""The partner Statements API: per-statement outcomes (200 / 207 / 400), size limit,
version header, and reading back with since / until / limit / more."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.xapi.models import StatementRow
from tests.partners.conftest import XAPI_HEADERS, MakeClient, bearer_token

URL = "/v1/partners/acme/statements"
IDS = [f"6c8e1f0a-0000-4000-8000-00000000000{n}" for n in range(6)]

SAMPLE: dict[str, Any] = {
    "actor": {"mbox": "mailto:john.doe@company.com", "name": "John Doe", "objectType": "Agent"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    "object": {
        "id": "https://yourprovider.com/courses/course-101",
        "definition": {
            "name": {"en-US": "Cloud Foundations"},
            "description": {"en-US": "Learn the basics of cloud computing."},
        },
        "objectType": "Activity",
    },
    "result": {"completion": True, "success": True, "duration": "PT30M"},
    "context": {
        "platform": "YourLMS",
        "instructor": {"name": "Jane Smith", "mbox": "mailto:jane.smith@yourlms.com"},
    },
}


def statement(index: int, **changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(SAMPLE)
    document["id"] = IDS[index]
    document.update(changes)
    return document


def stored_ids(session: Session) -> set[str]:
    return set(session.scalars(select(StatementRow.statement_id)))


def test_the_reference_sample_statement_is_stored_with_200(
    client: TestClient, session: Session, acme_headers: dict[str, str]
) -> None:
    response = client.post(URL, json=statement(0), headers={**acme_headers, **XAPI_HEADERS})
    assert response.status_code == 200
    assert response.json() == {
        "stored": 1,
        "failed": 0,
        "results": [{"index": 0, "id": IDS[0], "status": 200}],
    }
    assert stored_ids(session) == {IDS[0]}


def test_a_mixed_batch_is_207_with_one_outcome_per_statement(
    client: TestClient, session: Session, acme_headers: dict[str, str]
) -> None:
    headers = {**acme_headers, **XAPI_HEADERS}
    assert client.post(URL, json=statement(3), headers=headers).status_code == 200
    no_verb = statement(1)
    del no_verb["verb"]
    oversized = statement(4, result={"response": "x" * 17_000})
    batch = [
        statement(0),
        no_verb,
        statement(2),
        statement(3, verb={"id": "http://adlnet.gov/expapi/verbs/passed"}),
        oversized,
        statement(3),
        "not a statement",
    ]
    response = client.post(URL, json=batch, headers=headers)
    assert response.status_code == 207, response.text
    body = response.json()
    errors = [result.pop("error", None) for result in body["results"]]
    assert body == {
        "stored": 3,
        "failed": 4,
        "results": [
            {"index": 0, "id": IDS[0], "status": 200},
            {"index": 1, "id": IDS[1], "status": 400},
            {"index": 2, "id": IDS[2], "status": 200},
            {"index": 3, "id": IDS[3], "status": 409},
            {"index": 4, "id": IDS[4], "status": 413},
            # The same id with the same content is acknowledged (xAPI-Communication 2.1.2).
            {"index": 5, "id": IDS[3], "status": 200},
            {"index": 6, "id": None, "status": 400},
        ],
    }
    assert errors[0] is None and errors[2] is None and errors[5] is None
    assert errors[1] == "statement: missing required property 'verb'"
    assert errors[3] is not None and IDS[3] in errors[3]
    assert errors[4] is not None and "16 KB" in errors[4]
    assert errors[6] == "A statement must be a JSON object"
    assert stored_ids(session) == {IDS[0], IDS[2], IDS[3]}


def test_a_batch_with_no_valid_statement_is_400_and_stores_nothing(
    client: TestClient, session: Session, acme_headers: dict[str, str]
) -> None:
    no_actor = statement(0)
    del no_actor["actor"]
    response = client.post(
        URL,
        json=[no_actor, statement(1, timestamp="noon")],
        headers={**acme_headers, **XAPI_HEADERS},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["stored"] == 0 and body["failed"] == 2
    assert [(r["index"], r["id"], r["status"]) for r in body["results"]] == [
        (0, IDS[0], 400),
        (1, IDS[1], 400),
    ]
    assert stored_ids(session) == set()


def test_bad_requests_are_refused_whole(
    client: TestClient, session: Session, acme_headers: dict[str, str]
) -> None:
    no_version = client.post(URL, json=statement(0), headers=acme_headers)
    assert no_version.status_code == 400
    assert "X-Experience-API-Version" in no_version.json()["error"]
    headers = {**acme_headers, **XAPI_HEADERS, "Content-Type": "application/json"}
    assert client.post(URL, content=b"{", headers=headers).status_code == 400
    assert client.post(URL, content=b"[]", headers=headers).status_code == 400
    assert client.post(URL, content=b"42", headers=headers).status_code == 400
    deep = client.post(URL, content=b"[" * 10_000 + b"]" * 10_000, headers=headers)
    assert deep.status_code == 400
    assert stored_ids(session) == set()


def test_statements_without_id_get_one_and_the_partner_is_the_authority(
    client: TestClient, session: Session, acme_headers: dict[str, str]
) -> None:
    document = statement(0)
    del document["id"]
    response = client.post(URL, json=[document], headers={**acme_headers, **XAPI_HEADERS})
    assert response.status_code == 200
    new_id = response.json()["results"][0]["id"]
    row = session.scalar(select(StatementRow).where(StatementRow.statement_id == new_id))
    assert row is not None
    assert row.statement["authority"]["account"]["name"] == "acme"


def test_a_scope_without_statements_write_is_403(
    client: TestClient, session: Session, make_partner_client: MakeClient
) -> None:
    tracker = make_partner_client("acme", scopes=["track:write"])
    headers = {"Authorization": f"Bearer {bearer_token(client, tracker)}", **XAPI_HEADERS}
    assert client.post(URL, json=statement(0), headers=headers).status_code == 403
    assert client.get(URL, headers=headers).status_code == 403
    assert stored_ids(session) == set()


def test_reading_back_pages_with_limit_and_more_and_filters_by_stored_time(
    client: TestClient, acme_headers: dict[str, str], make_partner_client: MakeClient
) -> None:
    headers = {**acme_headers, **XAPI_HEADERS}
    first = client.post(URL, json=[statement(0), statement(1)], headers=headers)
    assert first.status_code == 200
    client.post(URL, json=[statement(2)], headers=headers)
    # Another partner's statements are not theirs to read.
    globex = make_partner_client("globex")
    globex_headers = {"Authorization": f"Bearer {bearer_token(client, globex)}", **XAPI_HEADERS}
    client.post("/v1/partners/globex/statements", json=statement(5), headers=globex_headers)

    page = client.get(URL, params={"limit": 2}, headers=headers)
    assert page.status_code == 200
    body = page.json()
    assert [s["id"] for s in body["statements"]] == [IDS[2], IDS[1]]
    assert body["more"].startswith(URL + "?more=")
    rest = client.get(body["more"], headers=headers).json()
    assert [s["id"] for s in rest["statements"]] == [IDS[0]]
    assert rest["more"] == ""

    last_stored = body["statements"][0]["stored"]
    since = client.get(URL, params={"since": last_stored}, headers=headers).json()
    assert since["statements"] == []
    until = client.get(URL, params={"until": last_stored}, headers=headers).json()
    assert {s["id"] for s in until["statements"]} == {IDS[0], IDS[1], IDS[2]}
    everything = client.get(URL, headers=headers).json()
    assert IDS[5] not in {s["id"] for s in everything["statements"]}

    assert client.get(URL, params={"since": "yesterday"}, headers=headers).status_code == 400
    assert client.get(URL, params={"limit": "-1"}, headers=headers).status_code == 400
    assert client.get(URL, params={"verb": "x"}, headers=headers).status_code == 400
    assert client.get(URL, params={"more": "garbage"}, headers=headers).status_code == 400


def test_the_valid_statements_beside_an_invalid_one_are_stored_together(
    client: TestClient, session: Session, acme_headers: dict[str, str]
) -> None:
    response = client.post(
        URL,
        json=[statement(0), statement(1, verb={"id": "not an IRI"}), statement(2)],
        headers={**acme_headers, **XAPI_HEADERS},
    )
    assert response.status_code == 207
    body = response.json()
    assert [(r["index"], r["id"], r["status"]) for r in body["results"]] == [
        (0, IDS[0], 200),
        (1, IDS[1], 400),
        (2, IDS[2], 200),
    ]
    assert "verb" in body["results"][1]["error"]
    rows = session.scalars(select(StatementRow)).all()
    assert {row.statement_id for row in rows} == {IDS[0], IDS[2]}
    # Stored as one batch: one stored time.
    assert len({row.stored for row in rows}) == 1


def test_a_body_over_the_json_limit_is_413_and_stores_nothing(
    client: TestClient, session: Session, acme_headers: dict[str, str]
) -> None:
    body = b"[" + b",".join([b'{"x":"' + b"y" * 1000 + b'"}'] * 11_000) + b"]"
    response = client.post(
        URL,
        content=body,
        headers={**acme_headers, **XAPI_HEADERS, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert stored_ids(session) == set()


def test_a_tampered_more_link_is_answered_within_the_page_limits(
    client: TestClient, acme_headers: dict[str, str]
) -> None:
    import base64

    import orjson

    headers = {**acme_headers, **XAPI_HEADERS}
    client.post(URL, json=[statement(0), statement(1), statement(2)], headers=headers)
    more = client.get(URL, params={"limit": 1}, headers=headers).json()["more"]
    token = more.split("more=", 1)[1]
    payload = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for limit in ("lots", 10**9, -5):
        payload["x"]["limit"] = limit
        forged = base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")
        response = client.get(URL, params={"more": forged}, headers=headers)
        assert response.status_code == 200, response.text
        # An invalid limit is ignored (the default page size applies): the 2 left.
        assert [s["id"] for s in response.json()["statements"]] == [IDS[1], IDS[0]]
