"""Admin user management and role checks, per role."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account


@pytest.mark.parametrize("role", ["learner", "teacher"])
def test_only_admins_list_users(client: TestClient, make_account, role: str) -> None:  # type: ignore[no-untyped-def]
    account = make_account(role)
    response = client.get("/api/admin/users", headers=account.headers)
    assert response.status_code == 403
    assert response.json() == {"success": False, "error": "Admin role required"}


def test_admin_lists_users_filtered_by_role(
    client: TestClient, admin: Account, teacher: Account, learner: Account
) -> None:
    response = client.get("/api/admin/users?role=teacher", headers=admin.headers)
    assert response.status_code == 200
    emails = {user["email"] for user in response.json()["data"]}
    assert teacher.user.email in emails
    assert learner.user.email not in emails


def test_admin_creates_a_user_who_can_log_in(client: TestClient, admin: Account) -> None:
    response = client.post(
        "/api/admin/users",
        json={
            "email": "New.Teacher@Example.test",
            "displayName": "New",
            "role": "teacher",
            "password": "a-good-password",
        },
        headers=admin.headers,
    )
    assert response.status_code == 201
    assert response.json()["data"]["email"] == "new.teacher@example.test"
    login = client.post(
        "/api/auth/login", json={"email": "new.teacher@example.test", "password": "a-good-password"}
    )
    assert login.status_code == 200


def test_creating_a_user_with_a_taken_email_is_409(
    client: TestClient, admin: Account, teacher: Account
) -> None:
    response = client.post(
        "/api/admin/users",
        json={"email": teacher.user.email, "role": "learner"},
        headers=admin.headers,
    )
    assert response.status_code == 409


def test_creating_a_user_with_an_unknown_role_is_400(client: TestClient, admin: Account) -> None:
    response = client.post(
        "/api/admin/users",
        json={"email": "x@example.test", "role": "superuser"},
        headers=admin.headers,
    )
    assert response.status_code == 400


def test_creating_a_user_with_an_unknown_field_is_400(client: TestClient, admin: Account) -> None:
    response = client.post(
        "/api/admin/users", json={"email": "x@example.test", "isAdmin": True}, headers=admin.headers
    )
    assert response.status_code == 400


def test_admin_changes_a_role_and_the_new_role_applies(
    client: TestClient, admin: Account, learner: Account
) -> None:
    assert client.get("/api/admin/users", headers=learner.headers).status_code == 403
    response = client.patch(
        f"/api/admin/users/{learner.id}", json={"role": "admin"}, headers=admin.headers
    )
    assert response.status_code == 200
    assert client.get("/api/admin/users", headers=learner.headers).status_code == 200


def test_a_teacher_cannot_change_roles(
    client: TestClient, teacher: Account, learner: Account
) -> None:
    response = client.patch(
        f"/api/admin/users/{learner.id}", json={"role": "admin"}, headers=teacher.headers
    )
    assert response.status_code == 403


def test_patching_an_unknown_user_is_404(client: TestClient, admin: Account) -> None:
    response = client.patch(
        "/api/admin/users/does-not-exist", json={"role": "teacher"}, headers=admin.headers
    )
    assert response.status_code == 404
