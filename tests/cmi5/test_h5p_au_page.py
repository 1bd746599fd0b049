"""The cmi5 page of H5P content AUs checks its launch parameters against the registration
(cmi5 8.1) and carries a strict Content-Security-Policy (issue 12 item 8)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account

ACCOUNT = {"homePage": "https://lms.example.com", "name": "learner-7"}


@pytest.fixture
def launched(client: TestClient, teacher: Account) -> dict[str, str]:
    registration = client.post(
        "/api/cmi5/register",
        headers=teacher.headers,
        json={"contentId": "quiz-1", "learnerId": "learner-7", "actorAccount": ACCOUNT},
    ).json()["data"]
    url = client.get(f"/api/cmi5/launch/{registration['id']}", headers=teacher.headers).json()[
        "data"
    ]["launchUrl"]
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _page(client: TestClient, params: dict[str, Any], content_id: str = "quiz-1") -> Any:
    return client.get(f"/cmi5/h5p/{content_id}", params=params)


def test_the_launch_of_this_content_opens_the_page_with_a_strict_policy(
    client: TestClient, launched: dict[str, str]
) -> None:
    response = _page(client, launched)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert re.search(r"script-src 'nonce-[\w-]+';", policy)
    assert "unsafe-inline'; connect" in policy  # styles only
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
    data = re.search(r'<script type="application/json" id="launch">(.*?)</script>', response.text)
    assert data is not None
    page_data = json.loads(data.group(1))
    # The page trades the auth token for a play grant of this content (cmi5.play_grant).
    assert page_data.pop("grantUrl") == "/api/cmi5/h5p/quiz-1/play-grant"
    assert page_data == {name: launched[name] for name in page_data}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("endpoint", "https://evil.example/xapi/"),
        ("endpoint", "http://testserver/xapi/../evil"),
        ("fetch", "https://evil.example/api/cmi5/fetch/abc"),
        ("fetch", "http://testserver/api/cmi5/fetch/"),
        ("registration", "00000000-0000-0000-0000-000000000000"),
        ("activityId", "https://evil.example/activity"),
        ("actor", '{"objectType":"Agent","mbox":"mailto:someone@example.com"}'),
        ("actor", "not json"),
        ("endpoint", ""),
    ],
)
def test_a_foreign_or_missing_launch_parameter_is_refused(
    client: TestClient, launched: dict[str, str], name: str, value: str
) -> None:
    response = _page(client, {**launched, name: value})
    assert response.status_code == 400
    assert "This launch is not valid" in response.text
    assert "<script" not in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_the_launch_of_one_content_does_not_open_another(
    client: TestClient, launched: dict[str, str]
) -> None:
    assert _page(client, launched, content_id="quiz-2").status_code == 400


def test_the_endpoint_without_trailing_slash_is_accepted(
    client: TestClient, launched: dict[str, str]
) -> None:
    assert _page(client, {**launched, "endpoint": "http://testserver/xapi"}).status_code == 200


def test_a_nul_byte_in_a_launch_parameter_is_a_400(
    client: TestClient, launched: dict[str, str]
) -> None:
    response = _page(client, {**launched, "registration": "a\x00b"})
    assert response.status_code == 400
    assert "<script" not in response.text
