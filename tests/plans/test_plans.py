"""Plans: feature gates (403 ``Feature not available``), quotas (429), plan changes."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.errors import QuotaExceeded
from learnloop.plans import plans
from learnloop.plans.dependencies import RequireAnalyticsDashboard
from tests.conftest import Account


@pytest.fixture
def gated_app(app: FastAPI) -> FastAPI:
    @app.get("/test/dashboard")
    def dashboard(user: RequireAnalyticsDashboard) -> dict[str, str]:
        return {"user": user.id}

    return app


def test_a_user_on_the_default_pro_plan_passes_the_feature_gate(
    gated_app: FastAPI, teacher: Account
) -> None:
    with TestClient(gated_app) as client:
        response = client.get("/test/dashboard", headers=teacher.headers)
    assert response.status_code == 200


def test_a_user_on_the_free_plan_gets_feature_not_available(
    gated_app: FastAPI, teacher: Account, admin: Account
) -> None:
    with TestClient(gated_app) as client:
        moved = client.put(
            f"/api/admin/users/{teacher.id}/plan", json={"plan": "free"}, headers=admin.headers
        )
        assert moved.status_code == 200
        assert moved.json()["data"]["plan"]["id"] == "free"
        response = client.get("/test/dashboard", headers=teacher.headers)
    assert response.status_code == 403
    assert response.json() == {"success": False, "error": "Feature not available"}


def test_the_feature_gate_needs_authentication(gated_app: FastAPI) -> None:
    with TestClient(gated_app) as client:
        assert client.get("/test/dashboard").status_code == 401


def test_putting_a_user_back_on_the_default_plan(
    client: TestClient, teacher: Account, admin: Account
) -> None:
    client.put(f"/api/admin/users/{teacher.id}/plan", json={"plan": "free"}, headers=admin.headers)
    response = client.put(
        f"/api/admin/users/{teacher.id}/plan", json={"plan": None}, headers=admin.headers
    )
    assert response.status_code == 200
    assert response.json()["data"]["isDefault"] is True
    mine = client.get("/api/plans/me", headers=teacher.headers).json()["data"]
    assert mine["plan"]["id"] == "pro"


def test_assigning_an_unknown_plan_is_404_and_changes_nothing(
    client: TestClient, teacher: Account, admin: Account
) -> None:
    response = client.put(
        f"/api/admin/users/{teacher.id}/plan", json={"plan": "platinum"}, headers=admin.headers
    )
    assert response.status_code == 404
    assert (
        client.get("/api/plans/me", headers=teacher.headers).json()["data"]["plan"]["id"] == "pro"
    )


def test_only_admins_change_plans(client: TestClient, teacher: Account) -> None:
    response = client.put(
        f"/api/admin/users/{teacher.id}/plan", json={"plan": "free"}, headers=teacher.headers
    )
    assert response.status_code == 403


def test_admin_defines_a_plan_with_features_and_quotas(client: TestClient, admin: Account) -> None:
    response = client.put(
        "/api/admin/plans/school",
        json={"name": "School", "features": ["cmi5-launch"], "quotas": {"content": 500}},
        headers=admin.headers,
    )
    assert response.status_code == 200
    listed = {
        plan["id"]: plan
        for plan in client.get("/api/admin/plans", headers=admin.headers).json()["data"]
    }
    assert listed["school"] == {
        "id": "school",
        "name": "School",
        "features": ["cmi5-launch"],
        "quotas": {"content": 500},
    }


def test_a_plan_with_an_unknown_feature_is_400(client: TestClient, admin: Account) -> None:
    response = client.put(
        "/api/admin/plans/odd",
        json={"name": "Odd", "features": ["teleport"]},
        headers=admin.headers,
    )
    assert response.status_code == 400
    assert "teleport" in response.json()["error"]


def test_the_default_plan_is_a_setting(client: TestClient, teacher: Account, settings) -> None:  # type: ignore[no-untyped-def]
    settings.default_plan = "free"
    response = client.get("/api/plans/me", headers=teacher.headers)
    assert response.json()["data"]["plan"]["id"] == "free"


def test_the_content_quota_allows_up_to_the_limit_then_429(session: Session) -> None:
    free = plans.get_plan(session, "free")
    plans.ensure_within_quota(free, "content", used=24)
    with pytest.raises(QuotaExceeded) as raised:
        plans.ensure_within_quota(free, "content", used=25)
    assert raised.value.status_code == 429


def test_a_plan_without_a_quota_is_unlimited(session: Session) -> None:
    plans.ensure_within_quota(plans.get_plan(session, "pro"), "content", used=1_000_000)


def test_a_plan_grants_library_installs_and_limits_storage_in_bytes(
    client: TestClient, admin: Account
) -> None:
    body = {
        "name": "Small school",
        "features": ["install-libraries"],
        "quotas": {"storage-bytes": 10_000_000, "temp-bytes": 1_000_000},
    }
    response = client.put("/api/admin/plans/small-school", json=body, headers=admin.headers)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["features"] == ["install-libraries"]
    assert response.json()["data"]["quotas"] == body["quotas"]
    unknown = client.put(
        "/api/admin/plans/odd",
        json={"name": "Odd", "quotas": {"disk": 1}},
        headers=admin.headers,
    )
    assert unknown.status_code == 400 and "disk" in unknown.json()["error"]
