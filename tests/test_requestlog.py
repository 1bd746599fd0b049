import json
import logging

import pytest
from fastapi.testclient import TestClient

from learnloop.requestlog import JsonLineFormatter, redact_query
from tests.conftest import Account


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    formatter = JsonLineFormatter()
    return [
        json.loads(formatter.format(r)) for r in caplog.records if r.name == "learnloop.requests"
    ]


def test_one_structured_line_per_request_with_user_and_request_id(
    client: TestClient, learner: Account, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="learnloop.requests"):
        response = client.get(
            "/api/auth/me", headers={**learner.headers, "X-Request-ID": "req-123"}
        )
    assert response.headers["x-request-id"] == "req-123"
    lines = _request_lines(caplog)
    assert len(lines) == 1
    line = lines[0]
    assert line["method"] == "GET"
    assert line["path"] == "/api/auth/me"
    assert line["status"] == 200
    assert line["request_id"] == "req-123"
    assert line["user_id"] == learner.id
    assert isinstance(line["duration_ms"], float)


def test_tokens_never_reach_the_log(
    client: TestClient, learner: Account, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        client.get(f"/api/auth/me?token={learner.token}&language=de")
        client.get("/api/auth/me", headers=learner.headers)
        client.post(
            "/api/auth/login", json={"email": learner.user.email, "password": learner.password}
        )
    ours = [r for r in caplog.records if r.name.startswith("learnloop")]
    assert ours
    everything = "".join(JsonLineFormatter().format(r) for r in ours)
    assert learner.token not in everything
    assert learner.password not in everything
    query_line = _request_lines(caplog)[0]
    assert query_line["query"] == "token=%5BREDACTED%5D&language=de"


def test_redaction_covers_secret_parameters_only() -> None:
    assert redact_query("token=abc&activityId=x") == "token=%5BREDACTED%5D&activityId=x"
    assert redact_query("") == ""
