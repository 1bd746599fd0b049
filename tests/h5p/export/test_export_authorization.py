"""Who may export: teachers and admins who may read the content, on a plan with
``scorm-export``. Each rule is attacked through both export endpoints."""

from __future__ import annotations

import pytest

from learnloop.auth.models import User

ENDPOINTS = ["export-scorm?version=1.2", "export-scorm?version=2004", "export-html"]


def get(client, content_id: str, endpoint: str, headers: dict[str, str] | None = None):
    return client.get(f"/h5p/content/{content_id}/{endpoint}", headers=headers or {})


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_owner_teacher_exports(client, teacher, teacher_multichoice, endpoint):
    response = get(client, teacher_multichoice, endpoint, teacher.headers)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"PK\x03\x04")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_without_credentials_is_401(client, teacher_multichoice, endpoint):
    response = get(client, teacher_multichoice, endpoint)
    assert response.status_code == 401
    assert response.json()["success"] is False


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_forged_token_is_401(client, teacher_multichoice, endpoint):
    response = get(client, teacher_multichoice, endpoint, {"Authorization": "Bearer forged.x.y"})
    assert response.status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_learner_is_403(client, learner, teacher, teacher_multichoice, endpoint):
    response = get(client, teacher_multichoice, endpoint, learner.headers)
    assert response.status_code == 403


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_plan_without_scorm_export_is_403_feature_not_available(
    client, session, teacher, teacher_multichoice, endpoint
):
    user = session.get(User, teacher.id)
    user.plan_id = "free"
    session.flush()
    response = get(client, teacher_multichoice, endpoint, teacher.headers)
    assert response.status_code == 403
    assert response.json() == {"success": False, "error": "Feature not available"}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_other_teachers_private_content_is_404(client, make_account, teacher_multichoice, endpoint):
    intruder = make_account("teacher")
    response = get(client, teacher_multichoice, endpoint, intruder.headers)
    assert response.status_code == 404
    assert response.json()["success"] is False


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_other_teachers_public_content_may_be_exported(
    client, make_account, teacher, teacher_multichoice, endpoint
):
    published = client.patch(
        f"/h5p/content/{teacher_multichoice}/visibility",
        headers=teacher.headers,
        json={"visibility": "public"},
    )
    assert published.status_code == 200, published.text
    other = make_account("teacher")
    assert get(client, teacher_multichoice, endpoint, other.headers).status_code == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_admin_exports_private_content_of_a_teacher(client, admin, teacher_multichoice, endpoint):
    assert get(client, teacher_multichoice, endpoint, admin.headers).status_code == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("content_id", ["999999999", "..%2F..%2Fetc", "a%00b", "x" * 101])
def test_unknown_or_malformed_content_id_is_4xx(client, teacher, endpoint, content_id):
    response = get(client, content_id, endpoint, teacher.headers)
    assert response.status_code in (400, 404, 422)
