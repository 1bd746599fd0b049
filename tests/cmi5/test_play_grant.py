"""Play grants (issue 13 item 5): the auth token of a cmi5 launch of H5P content buys a
short-lived grant to play that content in that AU session, without a LearnLoop session.
Each attack test presents a grant or credential where it must not work."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from fastapi.testclient import TestClient

from learnloop.cmi5.play_grant import PLAY_GRANT_TTL_SECONDS
from tests.conftest import Account

ACCOUNT = {"homePage": "https://lms.example.com", "name": "learner-7"}


def _import(client: TestClient, owner: Account, package: Path) -> str:
    with package.open("rb") as handle:
        response = client.post(
            "/h5p/import",
            headers=owner.headers,
            files={"h5p": (package.name, handle, "application/zip")},
        )
    assert response.status_code == 201, response.text
    content_id: str = response.json()["data"]["contentId"]
    return content_id


def _installed_and_imported(
    client: TestClient, admin: Account, teacher: Account, package: Path
) -> str:
    """The teacher's own (private) copy of a hub package whose libraries an admin installed."""
    _import(client, admin, package)
    return _import(client, teacher, package)


@pytest.fixture
def true_false(client: TestClient, admin: Account, teacher: Account, fixtures_dir: Path) -> str:
    package = fixtures_dir / "h5p" / "hub" / "H5P.TrueFalse.h5p"
    return _installed_and_imported(client, admin, teacher, package)


@pytest.fixture
def other_content(client: TestClient, admin: Account, teacher: Account, fixtures_dir: Path) -> str:
    package = fixtures_dir / "h5p" / "hub" / "H5P.MultiChoice.h5p"
    return _installed_and_imported(client, admin, teacher, package)


def _launch(client: TestClient, teacher: Account, content_id: str) -> dict[str, str]:
    registration = client.post(
        "/api/cmi5/register",
        headers=teacher.headers,
        json={"contentId": content_id, "learnerId": "learner-7", "actorAccount": ACCOUNT},
    )
    assert registration.status_code in (200, 201), registration.text
    launched = client.get(
        f"/api/cmi5/launch/{registration.json()['data']['id']}", headers=teacher.headers
    )
    assert launched.status_code == 200, launched.text
    data = launched.json()["data"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(data["launchUrl"]).query).items()}
    params["sessionId"] = data["sessionId"]
    return params


def _auth_header(client: TestClient, launch: dict[str, str]) -> dict[str, str]:
    fetched = client.post(urlsplit(launch["fetch"]).path)
    assert fetched.status_code == 200, fetched.text
    return {"Authorization": f"Basic {fetched.json()['auth-token']}"}


def _grant(client: TestClient, content_id: str, headers: dict[str, str]) -> Any:
    return client.post(f"/api/cmi5/h5p/{content_id}/play-grant", headers=headers)


def _integration(page: str) -> dict[str, Any]:
    match = re.search(r"window\.H5PIntegration = (\{.*?\});\n", page)
    assert match, page[:500]
    value: dict[str, Any] = orjson.loads(match.group(1))
    return value


@pytest.fixture
def granted(client: TestClient, teacher: Account, true_false: str) -> tuple[str, str]:
    """(embed URL with grant, content id) of an open AU session."""
    launch = _launch(client, teacher, true_false)
    response = _grant(client, true_false, _auth_header(client, launch))
    assert response.status_code == 200, response.text
    embed_url: str = response.json()["data"]["embedUrl"]
    return embed_url, true_false


def _grant_of(embed_url: str) -> str:
    return parse_qs(urlsplit(embed_url).query)["grant"][0]


def test_the_auth_token_buys_a_grant_that_plays_without_a_session(
    client: TestClient, teacher: Account, granted: tuple[str, str]
) -> None:
    embed_url, content_id = granted
    assert urlsplit(embed_url).path == f"/h5p/embed/{content_id}"
    client.cookies.clear()
    page = client.get(embed_url)
    assert page.status_code == 200, page.text
    integration = _integration(page.text)
    content = integration["contents"][f"cid-{content_id}"]
    assert content["library"].startswith("H5P.TrueFalse")
    # Read-only: nothing is loaded or saved, and the player posts nothing itself.
    assert integration["saveFreq"] is False
    assert integration["postUserStatistics"] is False
    assert content["contentUserData"] == {}
    assert content["displayOptions"]["export"] is False
    assert '"xapiCapture": false' in page.text
    # The registering teacher's account is not shown to the learner.
    assert teacher.user.email not in page.text
    # Content files (the question's image) load through the player's signed file URL.
    image = client.get(f"{content['contentUrl']}/images/file-582dbbc081261.jpg")
    assert image.status_code == 200
    assert image.content[:2] == b"\xff\xd8"


def test_a_grant_needs_the_au_auth_token(
    client: TestClient, teacher: Account, learner: Account, true_false: str
) -> None:
    launch = _launch(client, teacher, true_false)
    missing = _grant(client, true_false, {})
    assert missing.status_code == 401
    assert missing.json()["code"] == "cmi5.au_credential_required"
    # No Basic challenge: a browser shows no login dialog inside the AU (issue 13 item 6).
    assert "www-authenticate" not in {name.lower() for name in missing.headers}
    header = _auth_header(client, launch)["Authorization"]
    key, _, secret = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    wrong = base64.b64encode(f"{key}:{secret}x".encode()).decode()
    assert _grant(client, true_false, {"Authorization": f"Basic {wrong}"}).status_code == 401
    # A LearnLoop user's own token is not an AU credential.
    assert _grant(client, true_false, learner.headers).status_code == 401
    assert _grant(client, true_false, teacher.headers).status_code == 401
    garbage = {"Authorization": "Basic !!!not-base64\x7f"}
    assert _grant(client, true_false, garbage).status_code == 401


def test_a_grant_for_other_content_is_refused(
    client: TestClient, teacher: Account, true_false: str, other_content: str
) -> None:
    launch = _launch(client, teacher, true_false)
    headers = _auth_header(client, launch)
    refused = _grant(client, other_content, headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "cmi5.invalid_play_grant"
    grant = _grant_of(_grant(client, true_false, headers).json()["data"]["embedUrl"])
    client.cookies.clear()
    page = client.get(f"/h5p/embed/{other_content}", params={"grant": grant})
    assert page.status_code == 403
    assert "H5PIntegration" not in page.text


def test_a_tampered_or_forged_grant_is_refused(
    client: TestClient, granted: tuple[str, str]
) -> None:
    embed_url, content_id = granted
    session_id, expires, signature = _grant_of(embed_url).split(".")
    forged = [
        f"{session_id}.{int(expires) + 3600}.{signature}",  # longer life
        f"{session_id}.{expires}.{signature[:-2]}AA",
        f"{session_id}.{expires}.",
        f"00000000-0000-4000-8000-000000000000.{expires}.{signature}",
        "not-a-grant",
        f"{session_id}.{expires}.{signature}.extra",
        f"{session_id}.-{expires}.{signature}",
        "a" * 5000,
    ]
    client.cookies.clear()
    for grant in forged:
        page = client.get(f"/h5p/embed/{content_id}", params={"grant": grant})
        assert page.status_code == 403, grant
        assert "H5PIntegration" not in page.text
    # A NUL byte is refused before any route runs.
    nul = client.get(
        f"/h5p/embed/{content_id}", params={"grant": f"{session_id}\x00.{expires}.{signature}"}
    )
    assert nul.status_code == 400
    assert "H5PIntegration" not in nul.text


def test_an_expired_grant_is_refused(
    client: TestClient, granted: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    embed_url, _ = granted
    client.cookies.clear()
    assert client.get(embed_url).status_code == 200
    later = time.time() + PLAY_GRANT_TTL_SECONDS + 5
    monkeypatch.setattr("learnloop.cmi5.play_grant.time.time", lambda: later)
    page = client.get(embed_url)
    assert page.status_code == 403
    assert "expired" in page.text


def test_a_grant_ends_with_its_au_session(
    client: TestClient, teacher: Account, true_false: str
) -> None:
    launch = _launch(client, teacher, true_false)
    headers = _auth_header(client, launch)
    embed_url = _grant(client, true_false, headers).json()["data"]["embedUrl"]
    abandoned = client.post(
        f"/api/cmi5/au-sessions/{launch['sessionId']}/abandon", headers=teacher.headers
    )
    assert abandoned.status_code == 200, abandoned.text
    client.cookies.clear()
    assert client.get(embed_url).status_code == 403
    assert _grant(client, true_false, headers).status_code in (401, 403)


def test_a_new_launch_closes_the_grants_of_the_previous_session(
    client: TestClient, teacher: Account, true_false: str
) -> None:
    first = _launch(client, teacher, true_false)
    embed_url = _grant(client, true_false, _auth_header(client, first)).json()["data"]["embedUrl"]
    _launch(client, teacher, true_false)  # abandons the open session (cmi5 9.3.0.0-5)
    client.cookies.clear()
    assert client.get(embed_url).status_code == 403


def test_a_grant_is_no_credential_anywhere_else(
    client: TestClient, granted: tuple[str, str]
) -> None:
    embed_url, content_id = granted
    grant = _grant_of(embed_url)
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {grant}"}
    for path in (
        "/api/auth/me",
        f"/h5p/play/{content_id}",
        f"/h5p/content/{content_id}",
        f"/h5p/contentUserData/{content_id}/state/0",
    ):
        assert client.get(path, headers=bearer).status_code == 401, path
        assert client.get(path, params={"token": grant}).status_code == 401, path
        assert client.get(path, params={"grant": grant}).status_code == 401, path
    statement = {
        "actor": {"account": ACCOUNT},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://example.test/a"},
    }
    stored = client.post(
        "/xapi/statements",
        headers={**bearer, "X-Experience-API-Version": "1.0.3"},
        json=statement,
    )
    assert stored.status_code == 401


def test_a_signed_in_user_keeps_the_ordinary_player(
    client: TestClient, learner: Account, teacher: Account, granted: tuple[str, str]
) -> None:
    embed_url, content_id = granted
    published = client.patch(
        f"/h5p/content/{content_id}/visibility",
        headers=teacher.headers,
        json={"visibility": "public"},
    )
    assert published.status_code == 200, published.text
    page = client.get(embed_url, headers=learner.headers)
    assert page.status_code == 200
    integration = _integration(page.text)
    assert integration["user"]["id"] == learner.id
    assert integration["ajax"]["contentUserData"].startswith("/h5p/contentUserData/")


def test_without_a_grant_or_session_the_player_asks_to_sign_in(
    client: TestClient, true_false: str
) -> None:
    client.cookies.clear()
    page = client.get(f"/h5p/embed/{true_false}")
    assert page.status_code == 401
    assert "Sign in" in page.text
