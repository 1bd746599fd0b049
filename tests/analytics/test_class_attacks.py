"""Issue 12 item 7, performed as the attacks were: widening analytics through a class,
and adding or enumerating accounts through class membership."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics.access import class_audience
from learnloop.analytics.models import ClassContent, ClassMember
from learnloop.auth.models import Role
from tests.analytics.conftest import Dataset, add_content
from tests.analytics.test_classes import new_class
from tests.conftest import Account, MakeAccount


def test_assigning_another_teachers_public_content_to_an_empty_class_is_403(
    client: TestClient, session: Session, dataset: Dataset
) -> None:
    """``other`` is content of another teacher with a learner's results (l2)."""
    add_content(session, "other-public", "Public", dataset.other_teacher, visibility="public")
    attacker = dataset.teacher
    class_id = new_class(client, attacker, "empty")
    for content_id in ("other", "other-public"):
        response = client.post(
            f"/api/analytics/classes/{class_id}/content",
            json={"contentIds": [content_id]},
            headers=attacker.headers,
        )
        assert response.status_code == 403, response.text
    assert (
        session.scalars(select(ClassContent).where(ClassContent.class_id == class_id)).all() == []
    )
    detail = client.get("/api/analytics/content/other", headers=attacker.headers)
    assert detail.status_code == 403


def test_an_existing_assignment_of_foreign_content_does_not_open_its_analytics(
    client: TestClient, session: Session, dataset: Dataset
) -> None:
    """Assignments written before the rule (or by an admin) are filtered on read."""
    attacker = dataset.teacher
    class_id = new_class(client, attacker, "old")
    session.add(ClassContent(class_id=class_id, content_id="other"))
    session.add(ClassMember(class_id=class_id, user_id=dataset.l2.id))
    session.commit()
    audience = class_audience(session, attacker.user, class_id)
    assert audience.content_ids == frozenset()
    overview = client.get(
        "/api/analytics/class-overview", params={"classId": class_id}, headers=attacker.headers
    )
    assert overview.status_code == 200
    assert "other" not in overview.text
    student = client.get(
        f"/api/analytics/student/{dataset.l2.id}",
        params={"classId": class_id},
        headers=attacker.headers,
    )
    assert student.status_code == 200
    assert "other" not in student.text
    assert client.get("/api/analytics/content/other", headers=attacker.headers).status_code == 403


def test_adding_a_teacher_or_admin_by_email_adds_nobody_and_reads_like_an_unknown_email(
    client: TestClient, teacher: Account, admin: Account, make_account: MakeAccount
) -> None:
    colleague = make_account(Role.TEACHER, email="colleague@example.test")
    ada = make_account(Role.LEARNER, email="ada@example.test")
    class_id = new_class(client, teacher)
    response = client.post(
        f"/api/analytics/classes/{class_id}/members",
        json={
            "emails": [
                admin.user.email,
                "colleague@example.test",
                "nobody@example.test",
                "ada@example.test",
            ]
        },
        headers=teacher.headers,
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data == {
        "added": [ada.id],
        "alreadyMembers": [],
        "notAdded": [admin.user.email, "colleague@example.test", "nobody@example.test"],
    }
    assert admin.id not in response.text
    assert colleague.id not in response.text
    detail = client.get(f"/api/analytics/classes/{class_id}", headers=teacher.headers).json()
    assert [member["userId"] for member in detail["data"]["members"]] == [ada.id]


def test_adding_a_teacher_or_admin_by_id_adds_nobody(
    client: TestClient, teacher: Account, admin: Account, make_account: MakeAccount
) -> None:
    colleague = make_account(Role.TEACHER)
    class_id = new_class(client, teacher)
    response = client.post(
        f"/api/analytics/classes/{class_id}/members",
        json={"userIds": [admin.id, colleague.id, "no-such-user"]},
        headers=teacher.headers,
    )
    assert response.status_code == 200
    assert response.json()["data"]["added"] == []
    assert response.json()["data"]["notAdded"] == [admin.id, colleague.id, "no-such-user"]
    detail = client.get(f"/api/analytics/classes/{class_id}", headers=teacher.headers).json()
    assert detail["data"]["members"] == []


def test_a_roster_with_a_teachers_email_adds_only_learners(
    client: TestClient, teacher: Account, admin: Account, make_account: MakeAccount
) -> None:
    learner = make_account(Role.LEARNER, email="lea@example.test")
    class_id = new_class(client, teacher)
    roster = f"email\n{admin.user.email}\nlea@example.test\n"
    response = client.post(
        f"/api/analytics/classes/{class_id}/roster",
        content=roster.encode(),
        headers={**teacher.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {
        "added": [learner.id],
        "alreadyMembers": [],
        "notAdded": [admin.user.email],
    }


def test_a_roster_file_with_a_nul_byte_is_400_and_adds_nobody(
    client: TestClient, teacher: Account, make_account: MakeAccount
) -> None:
    make_account(Role.LEARNER, email="ada@example.test")
    class_id = new_class(client, teacher)
    response = client.post(
        f"/api/analytics/classes/{class_id}/roster",
        files={
            "file": ("roster.csv", b"email\nada@example.test\nb\x00b@example.test\n", "text/csv")
        },
        headers=teacher.headers,
    )
    assert response.status_code == 400
    detail = client.get(f"/api/analytics/classes/{class_id}", headers=teacher.headers).json()
    assert detail["data"]["members"] == []


def test_member_lookups_never_send_nul_to_the_database(
    session: Session, teacher: Account, make_account: MakeAccount
) -> None:
    """Callers other than the JSON API (a multipart form) reach the service directly."""
    from learnloop.analytics.classes import add_members, create_class

    ada = make_account(Role.LEARNER, email="ada@example.test")
    learner_class = create_class(session, teacher.user, "7B")
    result = add_members(
        session, learner_class, ["x\x00"], ["ada@example.test", "a\x00@example.test"]
    )
    assert result.added == [ada.id]
    assert result.notAdded == ["x\x00", "a\x00@example.test"]
