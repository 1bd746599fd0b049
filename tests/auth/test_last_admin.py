"""Issue 12 item 14: the only active admin cannot demote or deactivate themselves."""

from __future__ import annotations

import pytest

from learnloop.auth import users as user_service
from learnloop.auth.errors import LastActiveAdmin
from learnloop.auth.models import Role


@pytest.mark.parametrize("change", [{"role": "teacher"}, {"role": "learner"}, {"isActive": False}])
def test_the_only_admin_cannot_remove_their_own_admin_rights(client, session, admin, change):
    response = client.patch(f"/api/admin/users/{admin.id}", json=change, headers=admin.headers)
    assert response.status_code == 409
    assert "only active admin" in response.json()["error"]
    session.refresh(admin.user)
    assert admin.user.role == "admin"
    assert admin.user.is_active is True
    assert client.get("/api/admin/users", headers=admin.headers).status_code == 200


def test_with_another_active_admin_an_admin_may_step_down(client, session, admin, make_account):
    other = make_account(Role.ADMIN)
    response = client.patch(
        f"/api/admin/users/{admin.id}", json={"role": "teacher"}, headers=admin.headers
    )
    assert response.status_code == 200
    # Now the other one is the last admin and is kept.
    last = client.patch(
        f"/api/admin/users/{other.id}", json={"isActive": False}, headers=other.headers
    )
    assert last.status_code == 409


def test_a_deactivated_admin_does_not_count(client, session, admin, make_account):
    other = make_account(Role.ADMIN)
    user_service.set_active(session, other.user, False)
    response = client.patch(
        f"/api/admin/users/{admin.id}", json={"role": "learner"}, headers=admin.headers
    )
    assert response.status_code == 409


def test_the_service_refuses_it_for_every_caller(session, admin):
    with pytest.raises(LastActiveAdmin):
        user_service.set_role(session, admin.user, Role.TEACHER)
    with pytest.raises(LastActiveAdmin):
        user_service.set_active(session, admin.user, False)
    # Keeping the admin role or activating is always allowed.
    user_service.set_role(session, admin.user, Role.ADMIN)
    user_service.set_active(session, admin.user, True)


def test_other_users_are_changed_as_before(client, admin, teacher):
    response = client.patch(
        f"/api/admin/users/{teacher.id}", json={"isActive": False}, headers=admin.headers
    )
    assert response.status_code == 200
    assert client.get("/api/auth/me", headers=teacher.headers).status_code == 401
