import json
import logging

import pytest
from fastapi.testclient import TestClient

from learnloop.requestlog import JsonLineFormatter, redact_path, redact_query
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


def test_play_file_grants_never_reach_the_log(
    client: TestClient, admin: Account, fixtures_dir, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.h5p.conftest import import_file

    package = fixtures_dir / "h5p" / "hub" / "H5P.TrueFalse.h5p"
    content_id = import_file(client, admin.headers, package).json()["data"]["contentId"]
    model = client.get(f"/h5p/play/{content_id}", headers=admin.headers).json()["data"]
    base = model["integration"]["contents"][f"cid-{content_id}"]["contentUrl"]
    grant = base.rsplit("/", 1)[1]
    caplog.clear()  # only the two file requests below
    with caplog.at_level(logging.DEBUG):
        image = client.get(f"{base}/images/file-582dbbc081261.jpg")
        refused = client.get(f"{base}x/images/file-582dbbc081261.jpg")
    assert image.status_code == 200
    assert refused.status_code == 403
    everything = "".join(
        JsonLineFormatter().format(r) for r in caplog.records if r.name.startswith("learnloop")
    )
    assert grant not in everything
    assert grant.rsplit(".", 1)[1] not in everything
    paths = [line["path"] for line in _request_lines(caplog)]
    assert paths[0] == f"/h5p/play-files/{content_id}/[REDACTED]/images/file-582dbbc081261.jpg"


def test_token_shaped_path_segments_and_secret_parameters_are_redacted() -> None:
    jwt_like = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    assert redact_path(f"/api/embed/{jwt_like}/x") == "/api/embed/[REDACTED]/x"
    assert redact_path("/h5p/play-files/c1/g/content.json") == (
        "/h5p/play-files/c1/[REDACTED]/content.json"
    )
    assert redact_path("/h5p/content/1/images/photo.v2.png") == "/h5p/content/1/images/photo.v2.png"
    assert redact_path("/api/cmi5/fetch/Zm9vYmFy-single-use") == "/api/cmi5/fetch/[REDACTED]"
    assert redact_query("csrf=abc&grant=g&X-Amz-Signature=s&page=2") == (
        "csrf=%5BREDACTED%5D&grant=%5BREDACTED%5D&X-Amz-Signature=%5BREDACTED%5D&page=2"
    )
