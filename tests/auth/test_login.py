from fastapi.testclient import TestClient

from tests.conftest import Account


def test_login_returns_a_token_the_api_accepts(client: TestClient, teacher: Account) -> None:
    response = client.post(
        "/api/auth/login", json={"email": teacher.user.email, "password": teacher.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    token = body["data"]["token"]
    assert body["data"]["user"]["role"] == "teacher"

    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["data"]["email"] == teacher.user.email


def test_login_email_is_case_insensitive(client: TestClient, teacher: Account) -> None:
    response = client.post(
        "/api/auth/login",
        json={"email": teacher.user.email.upper(), "password": teacher.password},
    )
    assert response.status_code == 200


def test_login_with_a_wrong_password_is_401(client: TestClient, teacher: Account) -> None:
    response = client.post(
        "/api/auth/login", json={"email": teacher.user.email, "password": "wrong password"}
    )
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "Invalid email or password"}


def test_login_for_an_unknown_email_is_401_with_the_same_message(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login", json={"email": "nobody@example.test", "password": "whatever1"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "Invalid email or password"


def test_login_with_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_login_with_wrong_types_is_400(client: TestClient) -> None:
    response = client.post("/api/auth/login", json={"email": 42, "password": ["x"]})
    assert response.status_code == 400
    assert "Validation error" in response.json()["error"]


def test_a_disabled_account_cannot_log_in(
    client: TestClient, admin: Account, teacher: Account
) -> None:
    disabled = client.patch(
        f"/api/admin/users/{teacher.id}", json={"isActive": False}, headers=admin.headers
    )
    assert disabled.status_code == 200
    response = client.post(
        "/api/auth/login", json={"email": teacher.user.email, "password": teacher.password}
    )
    assert response.status_code == 401
    assert client.get("/api/auth/me", headers=teacher.headers).status_code == 401


def test_login_sets_an_http_only_cookie_that_authenticates(
    client: TestClient, learner: Account
) -> None:
    response = client.post(
        "/api/auth/login", json={"email": learner.user.email, "password": learner.password}
    )
    assert "httponly" in response.headers["set-cookie"].lower()
    me = client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["data"]["id"] == learner.id
