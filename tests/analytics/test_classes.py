from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.auth.models import Role
from tests.analytics.conftest import add_content
from tests.conftest import Account, MakeAccount


def new_class(client: TestClient, teacher: Account, name: str = "7B") -> str:
    response = client.post("/api/analytics/classes", json={"name": name}, headers=teacher.headers)
    assert response.status_code == 201, response.text
    class_id: str = response.json()["data"]["id"]
    return class_id


def test_a_roster_csv_adds_known_learners_and_reports_the_rest_as_not_added(
    client: TestClient, teacher: Account, make_account: MakeAccount
) -> None:
    ada = make_account(Role.LEARNER, email="ada@example.test")
    bob = make_account(Role.LEARNER, email="bob@example.test")
    class_id = new_class(client, teacher)
    roster = "Name,Email\n" + (
        "Ada,ADA@example.test\nBob,bob@example.test\nCy,cy@example.test\n,\n"
    )
    response = client.post(
        f"/api/analytics/classes/{class_id}/roster",
        content=roster.encode(),
        headers={**teacher.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {
        "added": [ada.id, bob.id],
        "alreadyMembers": [],
        "notAdded": ["cy@example.test"],
    }
    again = client.post(
        f"/api/analytics/classes/{class_id}/roster",
        files={"file": ("roster.csv", b"email\nbob@example.test\n", "text/csv")},
        headers=teacher.headers,
    )
    assert again.json()["data"]["alreadyMembers"] == [bob.id]
    members = client.get(f"/api/analytics/classes/{class_id}?format=csv", headers=teacher.headers)
    assert members.text.split("\r\n")[0] == "userId,email,displayName"
    assert len(members.text.strip().split("\r\n")) == 3


def test_a_roster_without_an_email_column_is_refused_and_adds_nobody(
    client: TestClient, teacher: Account, learner: Account
) -> None:
    class_id = new_class(client, teacher)
    for body in (b"name\nAda\n", b"email\nnot an address\n", b"\xff\xfe"):
        response = client.post(
            f"/api/analytics/classes/{class_id}/roster",
            content=body,
            headers={**teacher.headers, "Content-Type": "text/csv"},
        )
        assert response.status_code == 400, body
        assert response.json()["success"] is False
    detail = client.get(f"/api/analytics/classes/{class_id}", headers=teacher.headers).json()
    assert detail["data"]["members"] == []


def test_members_by_id_and_removal(client: TestClient, teacher: Account, learner: Account) -> None:
    class_id = new_class(client, teacher)
    added = client.post(
        f"/api/analytics/classes/{class_id}/members",
        json={"userIds": [learner.id]},
        headers=teacher.headers,
    )
    assert added.json()["data"]["added"] == [learner.id]
    unknown = client.post(
        f"/api/analytics/classes/{class_id}/members",
        json={"userIds": ["no-such-user"]},
        headers=teacher.headers,
    )
    assert unknown.status_code == 200
    assert unknown.json()["data"] == {
        "added": [],
        "alreadyMembers": [],
        "notAdded": ["no-such-user"],
    }
    removed = client.delete(
        f"/api/analytics/classes/{class_id}/members/{learner.id}", headers=teacher.headers
    )
    assert removed.status_code == 200
    detail = client.get(f"/api/analytics/classes/{class_id}", headers=teacher.headers).json()
    assert detail["data"]["memberCount"] == 0


def test_a_learner_can_be_in_several_classes(
    client: TestClient, teacher: Account, learner: Account
) -> None:
    for name in ("A", "B"):
        class_id = new_class(client, teacher, name)
        client.post(
            f"/api/analytics/classes/{class_id}/members",
            json={"userIds": [learner.id]},
            headers=teacher.headers,
        )
    listed = client.get("/api/analytics/classes", headers=teacher.headers).json()["data"]
    assert [(c["name"], c["memberCount"]) for c in listed] == [("A", 1), ("B", 1)]


def test_only_the_owner_or_an_admin_touches_a_class(
    client: TestClient, teacher: Account, make_account: MakeAccount, admin: Account
) -> None:
    other = make_account(Role.TEACHER)
    learner = make_account(Role.LEARNER)
    class_id = new_class(client, teacher)
    for account in (other, learner):
        assert (
            client.get(f"/api/analytics/classes/{class_id}", headers=account.headers).status_code
            == 403
        )
        assert (
            client.delete(f"/api/analytics/classes/{class_id}", headers=account.headers).status_code
            == 403
        )
    assert client.get("/api/analytics/classes", headers=other.headers).json()["data"] == []
    assert (
        client.post(
            "/api/analytics/classes", json={"name": "x"}, headers=learner.headers
        ).status_code
        == 403
    )
    assert (
        client.get(f"/api/analytics/classes/{class_id}", headers=admin.headers).status_code == 200
    )
    assert (
        client.delete(f"/api/analytics/classes/{class_id}", headers=teacher.headers).status_code
        == 200
    )
    assert (
        client.get(f"/api/analytics/classes/{class_id}", headers=teacher.headers).status_code == 404
    )


def test_a_teacher_assigns_only_content_they_manage(
    client: TestClient, session: Session, teacher: Account, make_account: MakeAccount
) -> None:
    other = make_account(Role.TEACHER)
    add_content(session, "mine", "Mine", teacher)
    add_content(session, "shared", "Shared", other, visibility="public")
    add_content(session, "private", "Private", other)
    class_id = new_class(client, teacher)
    ok = client.post(
        f"/api/analytics/classes/{class_id}/content",
        json={"contentIds": ["mine"]},
        headers=teacher.headers,
    )
    assert ok.status_code == 200
    assert ok.json()["data"]["contentIds"] == ["mine"]
    for foreign in (["shared"], ["private"], ["mine", "shared"]):
        refused = client.post(
            f"/api/analytics/classes/{class_id}/content",
            json={"contentIds": foreign},
            headers=teacher.headers,
        )
        assert refused.status_code == 403, foreign
    detail = client.get(f"/api/analytics/classes/{class_id}", headers=teacher.headers)
    assert detail.json()["data"]["contentIds"] == ["mine"]


def test_class_bodies_are_validated(client: TestClient, teacher: Account) -> None:
    assert (
        client.post(
            "/api/analytics/classes", json={"name": ""}, headers=teacher.headers
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/analytics/classes",
            content=b"{not json",
            headers={**teacher.headers, "Content-Type": "application/json"},
        ).status_code
        == 400
    )
