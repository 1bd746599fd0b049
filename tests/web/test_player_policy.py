"""The player page's Content-Security-Policy lets H5P content use https images and
media and the video hosts H5P supports (YouTube, Vimeo, Panopto) — configurable, so
an offline school can switch it off — and nothing else from elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from learnloop.config import Settings
from learnloop.db import Database
from learnloop.main import create_app
from learnloop.storage import LocalFileStorage
from tests.conftest import Account


def _directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def _player_policy(client: TestClient, admin: Account, fixtures_dir: Path) -> dict[str, list[str]]:
    package = fixtures_dir / "h5p" / "hub" / "H5P.TrueFalse.h5p"
    with package.open("rb") as handle:
        imported = client.post(
            "/h5p/import",
            headers=admin.headers,
            files={"h5p": (package.name, handle, "application/zip")},
        )
    assert imported.status_code == 201, imported.text
    content_id = imported.json()["data"]["contentId"]
    page = client.get(f"/h5p/embed/{content_id}", headers=admin.headers)
    assert page.status_code == 200
    assert '<script src="/h5p/player/guard.js"></script>' in page.text
    return _directives(page.headers["content-security-policy"])


def test_by_default_the_player_allows_https_media_and_the_video_hosts(
    client: TestClient, admin: Account, fixtures_dir: Path
) -> None:
    policy = _player_policy(client, admin, fixtures_dir)
    for host in ("https://www.youtube.com", "https://player.vimeo.com", "https://*.panopto.com"):
        assert host in policy["frame-src"]
        assert host in policy["script-src"]
    assert "https:" in policy["img-src"] and "https:" in policy["media-src"]
    # Scripts only from the listed hosts, never any https site; no remote fetches.
    assert "https:" not in policy["script-src"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


def test_an_offline_school_switches_remote_media_and_video_hosts_off(
    settings: Settings,
    database: Database,
    storage: LocalFileStorage,
    admin: Account,
    fixtures_dir: Path,
) -> None:
    offline = settings.model_copy(update={"player_remote_media": False, "player_video_hosts": []})
    with TestClient(create_app(offline, database=database, storage=storage)) as client:
        policy = _player_policy(client, admin, fixtures_dir)
    for directive in ("img-src", "media-src", "frame-src", "script-src"):
        assert not any(source.startswith("https") for source in policy[directive]), directive


@pytest.mark.parametrize(
    "host",
    [
        "https://evil.example; script-src *",
        "http://www.youtube.com",
        "*",
        "https://",
        "https://www.youtube.com/path",
    ],
)
def test_a_video_host_that_is_not_an_https_origin_is_refused_at_startup(host: str) -> None:
    with pytest.raises(ValidationError):
        Settings(environment="test", player_video_hosts=[host])
