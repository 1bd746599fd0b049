"""Track API: the xAPI mapping, user resolution, duplicates, ordering and bad input."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.partners.models import PartnerCatalogItem, PartnerProgress, PartnerUserLink
from learnloop.xapi.models import StatementRow
from tests.conftest import Account
from tests.partners.conftest import MakeClient, PartnerClientCredentials, bearer_token

TRACK = "/v1/partners/acme/track"


def event(user: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "content_id": "ext-101-cloud-basics",
        "user": user,
        "status": "completed",
        "event_date": "2024-05-13T14:25:00Z",
        "completion_percentage": 100,
        "duration_spent": 1200,
    }
    body.update(overrides)
    return body


def stored(session: Session, statement_id: str) -> dict[str, Any]:
    row = session.scalar(select(StatementRow).where(StatementRow.statement_id == statement_id))
    assert row is not None
    return dict(row.statement)


def test_a_completed_event_is_stored_as_the_documented_xapi_statement(
    client: TestClient, session: Session, learner: Account, acme_headers: dict[str, str]
) -> None:
    response = client.post(
        TRACK, json=event(learner.user.email, title="Cloud Foundations"), headers=acme_headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user"] == learner.id
    assert body["progress"] == {
        "status": "completed",
        "completion_percentage": 100,
        "duration_spent": 1200,
        "completed": True,
    }
    statement = stored(session, body["id"])
    activity = "http://testserver/v1/partners/acme/content/ext-101-cloud-basics"
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "http://testserver", "name": learner.id},
        "name": learner.user.display_name,
    }
    assert statement["verb"] == {
        "id": "http://adlnet.gov/expapi/verbs/completed",
        "display": {"en-US": "completed"},
    }
    assert statement["object"] == {
        "objectType": "Activity",
        "id": activity,
        "definition": {
            "name": {"und": "Cloud Foundations"},
            "type": "http://adlnet.gov/expapi/activities/course",
        },
    }
    assert statement["result"] == {
        "completion": True,
        "duration": "PT1200S",
        "extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 100},
    }
    assert statement["timestamp"] == "2024-05-13T14:25:00.000Z"
    assert statement["context"]["platform"] == "Acme Learning"
    assert statement["authority"]["account"] == {
        "homePage": "http://testserver/v1/partners",
        "name": "acme",
    }
    item = session.scalar(select(PartnerCatalogItem))
    assert item is not None
    assert (item.content_id, item.title, item.activity_id) == (
        "ext-101-cloud-basics",
        "Cloud Foundations",
        activity,
    )


def test_the_lrs_serves_track_statements_to_its_own_readers(
    client: TestClient, learner: Account, admin: Account, acme_headers: dict[str, str]
) -> None:
    statement_id = client.post(TRACK, json=event(learner.user.email), headers=acme_headers).json()[
        "id"
    ]
    response = client.get(
        "/xapi/statements",
        params={"statementId": statement_id},
        headers={**admin.headers, "X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 200
    assert response.json()["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"


def test_started_and_in_progress_map_to_attempted_and_progressed_without_completion(
    client: TestClient, session: Session, learner: Account, acme_headers: dict[str, str]
) -> None:
    started = client.post(
        TRACK,
        json=event(learner.id, status="started", completion_percentage=0, duration_spent=None),
        headers=acme_headers,
    )
    progressed = client.post(
        TRACK,
        json=event(
            learner.id,
            status="in_progress",
            completion_percentage=50,
            event_date="2024-05-13T15:00:00+02:00",
        ),
        headers=acme_headers,
    )
    assert (started.status_code, progressed.status_code) == (201, 201)
    first = stored(session, started.json()["id"])
    second = stored(session, progressed.json()["id"])
    assert first["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attempted"
    assert first["result"] == {
        "extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 0}
    }
    assert second["verb"]["id"] == "http://adlnet.gov/expapi/verbs/progressed"
    assert second["timestamp"] == "2024-05-13T13:00:00.000Z"
    assert "completion" not in second["result"]
    assert progressed.json()["progress"]["status"] == "in_progress"


def test_the_same_event_twice_is_409_and_stores_nothing_more(
    client: TestClient, session: Session, learner: Account, acme_headers: dict[str, str]
) -> None:
    assert client.post(TRACK, json=event(learner.id), headers=acme_headers).status_code == 201
    again = client.post(TRACK, json=event(learner.id), headers=acme_headers)
    assert again.status_code == 409
    assert again.json()["success"] is False
    assert len(session.scalars(select(StatementRow.statement_id)).all()) == 1


def test_a_late_started_event_is_accepted_but_does_not_undo_the_completion(
    client: TestClient, session: Session, learner: Account, acme_headers: dict[str, str]
) -> None:
    client.post(TRACK, json=event(learner.id), headers=acme_headers)
    late = client.post(
        TRACK,
        json=event(
            learner.id,
            status="started",
            event_date="2024-05-13T09:00:00Z",
            completion_percentage=0,
            duration_spent=10,
        ),
        headers=acme_headers,
    )
    assert late.status_code == 201
    assert late.json()["progress"] == {
        "status": "completed",
        "completion_percentage": 100,
        "duration_spent": 1200,
        "completed": True,
    }
    progress = session.scalar(select(PartnerProgress))
    assert progress is not None
    assert progress.completed_at is not None
    assert progress.completed_at.isoformat() == "2024-05-13T14:25:00+00:00"


def test_users_are_found_by_email_uuid_and_linked_external_id(
    client: TestClient,
    session: Session,
    learner: Account,
    admin: Account,
    acme: PartnerClientCredentials,
    acme_headers: dict[str, str],
) -> None:
    link = client.post(
        "/api/admin/partners/acme/user-links",
        json={"externalUserId": "acme-user-77", "userId": learner.id},
        headers=admin.headers,
    )
    assert link.status_code == 201
    users = []
    for index, name in enumerate([learner.user.email.upper(), learner.id, "acme-user-77"]):
        response = client.post(
            TRACK,
            json=event(name, event_date=f"2024-05-13T14:2{index}:00Z"),
            headers=acme_headers,
        )
        assert response.status_code == 201, response.text
        users.append(response.json()["user"])
    assert users == [learner.id] * 3


def test_an_unknown_user_is_404_naming_the_field_unless_the_partner_creates_users(
    client: TestClient, session: Session, make_partner_client: MakeClient
) -> None:
    strict = make_partner_client("strict")
    refused = client.post(
        "/v1/partners/strict/track",
        json=event("nobody@example.test"),
        headers={"Authorization": f"Bearer {bearer_token(client, strict)}"},
    )
    assert refused.status_code == 404
    assert refused.json()["field"] == "user"

    open_partner = make_partner_client("open", unknown_users="create")
    headers = {"Authorization": f"Bearer {bearer_token(client, open_partner)}"}
    by_email = client.post(
        "/v1/partners/open/track", json=event("new@example.test"), headers=headers
    )
    by_external = client.post("/v1/partners/open/track", json=event("u-900"), headers=headers)
    assert (by_email.status_code, by_external.status_code) == (201, 201)
    created = session.get(User, by_email.json()["user"])
    assert created is not None and created.email == "new@example.test"
    link = session.scalar(
        select(PartnerUserLink).where(PartnerUserLink.external_user_id == "u-900")
    )
    assert link is not None and link.user_id == by_external.json()["user"]
    again = client.post(
        "/v1/partners/open/track",
        json=event("u-900", event_date="2024-06-01T00:00:00Z"),
        headers=headers,
    )
    assert again.json()["user"] == by_external.json()["user"]


def test_bad_fields_are_400_naming_the_field_and_store_nothing(
    client: TestClient, session: Session, learner: Account, acme_headers: dict[str, str]
) -> None:
    cases: list[tuple[Any, str]] = [
        ({**event(learner.id), "content_id": 5}, "content_id"),
        ({k: v for k, v in event(learner.id).items() if k != "user"}, "user"),
        ({**event(learner.id), "status": "done"}, "status"),
        ({**event(learner.id), "event_date": "yesterday"}, "event_date"),
        ({**event(learner.id), "event_date": "2024-05-13T14:25:00"}, "event_date"),
        ({**event(learner.id), "completion_percentage": 101}, "completion_percentage"),
        ({**event(learner.id), "completion_percentage": True}, "completion_percentage"),
        ({**event(learner.id), "duration_spent": "1200"}, "duration_spent"),
        ({**event(learner.id), "duration_spent": -1}, "duration_spent"),
        ([event(learner.id)], "body"),
    ]
    for body, field in cases:
        response = client.post(TRACK, json=body, headers=acme_headers)
        assert response.status_code == 400, (field, response.text)
        assert response.json().get("field") == field, (field, response.text)
    # NUL bytes are refused before the handler, by the app's JSON guard.
    with_nul = client.post(
        TRACK, json={**event(learner.id), "content_id": "a\x00b"}, headers=acme_headers
    )
    assert with_nul.status_code == 400
    malformed = client.post(
        TRACK,
        content=b'{"content_id": ',
        headers={**acme_headers, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400 and malformed.json()["field"] == "body"
    nested = client.post(
        TRACK,
        content=b"[" * 5000 + b"]" * 5000,
        headers={**acme_headers, "Content-Type": "application/json"},
    )
    assert nested.status_code == 400
    assert session.scalars(select(StatementRow.statement_id)).all() == []


def test_track_needs_a_valid_token_of_this_partner_with_the_track_scope(
    client: TestClient,
    learner: Account,
    make_partner_client: MakeClient,
    acme_headers: dict[str, str],
) -> None:
    assert client.post(TRACK, json=event(learner.id)).status_code == 401
    assert (
        client.post(TRACK, json=event(learner.id), headers={"Authorization": "Bearer forged"})
    ).status_code == 401
    assert client.post(TRACK, json=event(learner.id), headers=learner.headers).status_code == 401
    other = make_partner_client("globex")
    other_headers = {"Authorization": f"Bearer {bearer_token(client, other)}"}
    assert client.post(TRACK, json=event(learner.id), headers=other_headers).status_code == 403
    reader = make_partner_client("acme", scopes=["statements:read"])
    reader_headers = {"Authorization": f"Bearer {bearer_token(client, reader)}"}
    assert client.post(TRACK, json=event(learner.id), headers=reader_headers).status_code == 403


def test_organization_tokens_track_on_their_organization_url_only(
    client: TestClient,
    session: Session,
    learner: Account,
    make_partner_client: MakeClient,
    acme_headers: dict[str, str],
) -> None:
    org_client = make_partner_client("acme", org_id="north")
    make_partner_client("acme", org_id="south")
    headers = {"Authorization": f"Bearer {bearer_token(client, org_client)}"}
    ok = client.post(
        "/v1/partners/acme/organizations/north/track", json=event(learner.id), headers=headers
    )
    assert ok.status_code == 201, ok.text
    statement = stored(session, ok.json()["id"])
    assert statement["authority"]["account"]["name"] == "acme/north"
    assert (
        statement["context"]["extensions"]["http://testserver/v1/partners/extensions/organization"]
        == "north"
    )
    for url in ("/v1/partners/acme/track", "/v1/partners/acme/organizations/south/track"):
        assert client.post(url, json=event(learner.id), headers=headers).status_code == 403
    # A partner-wide token may use its organizations' URLs, not unknown ones.
    missing = client.post(
        "/v1/partners/acme/organizations/nowhere/track",
        json=event(learner.id),
        headers=acme_headers,
    )
    assert missing.status_code == 404


def test_the_catalog_call_names_content_that_later_events_use(
    client: TestClient,
    session: Session,
    learner: Account,
    acme_headers: dict[str, str],
    make_partner_client: MakeClient,
) -> None:
    url = "/v1/partners/acme/catalog"
    created = client.post(
        url, json={"content_id": "ext-101", "title": "Cloud Foundations"}, headers=acme_headers
    )
    assert created.status_code == 201
    assert created.json() == {
        "content_id": "ext-101",
        "title": "Cloud Foundations",
        "activity_id": "http://testserver/v1/partners/acme/content/ext-101",
    }
    renamed = client.post(
        url, json={"content_id": "ext-101", "title": "Cloud Foundations II"}, headers=acme_headers
    )
    assert renamed.status_code == 200
    tracked = client.post(
        TRACK, json=event(learner.id, content_id="ext-101", title="Ignored"), headers=acme_headers
    )
    statement = stored(session, tracked.json()["id"])
    assert statement["object"]["definition"]["name"] == {"und": "Cloud Foundations II"}
    missing = client.post(url, json={"content_id": "ext-102"}, headers=acme_headers)
    assert (missing.status_code, missing.json()["field"]) == (400, "title")
    globex = make_partner_client("globex")
    other = client.post(
        url,
        json={"content_id": "ext-101", "title": "Hijacked"},
        headers={"Authorization": f"Bearer {bearer_token(client, globex)}"},
    )
    assert other.status_code == 403
    items = session.scalars(select(PartnerCatalogItem)).all()
    assert [(item.content_id, item.title) for item in items] == [
        ("ext-101", "Cloud Foundations II")
    ]
