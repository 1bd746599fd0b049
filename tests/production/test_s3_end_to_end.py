"""H5P import and play on a live server whose files live in a real S3 API server (moto).

The package is imported over HTTP, its libraries and content land in the bucket (not on
the server's disk), and headless Chromium plays it with the files streamed through the
app. With presigned redirects on, the same files are answered with a redirect to the
object store, which serves the same bytes. (The player page's Content-Security-Policy
names only its own origin, so a browser playing content needs the streamed mode or a
files origin in front of the bucket; see docs/deployment.md.)
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from learnloop.auth.models import Role
from learnloop.storage import S3FileStorage
from tests.support.browser import chromium
from tests.support.live_server import LIVE_PASSWORD, seed_accounts, start_live_server
from tests.support.s3_server import S3Endpoint

pytestmark = pytest.mark.browser

PACKAGE = "H5P.MultiChoice.h5p"
SHOWS_CONTENT = """() => {
  const container = document.querySelector('.h5p-content.h5p-initialized .h5p-container');
  return !!container && container.innerText.trim().length > 0;
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _import_and_publish(base_url: str, package: Path) -> tuple[str, str]:
    with httpx.Client(base_url=base_url, timeout=120) as http:
        login = http.post(
            "/api/auth/login", json={"email": "teacher@example.test", "password": LIVE_PASSWORD}
        )
        assert login.status_code == 200, login.text
        token = login.json()["data"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        with package.open("rb") as handle:
            response = http.post(
                "/h5p/import",
                headers=headers,
                files={"h5p": (package.name, handle, "application/zip")},
            )
        assert response.status_code == 201, response.text
        content_id = str(response.json()["data"]["contentId"])
        published = http.patch(
            f"/h5p/content/{content_id}/visibility",
            headers=headers,
            json={"visibility": "public"},
        )
        assert published.status_code == 200, published.text
    return content_id, token


def _play(browser: Browser, url: str) -> list[str]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    page.on(
        "response",
        lambda response: (
            errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    try:
        page.goto(url)
        try:
            page.wait_for_function(SHOWS_CONTENT, timeout=20_000)
        except Exception as error:
            raise AssertionError(f"content did not show: {errors}") from error
        page.locator(".h5p-answer").first.click()
        page.locator(".h5p-question-check-answer").click()
        page.wait_for_selector(".h5p-question-feedback, .h5p-joubelui-score-bar", timeout=10_000)
    finally:
        context.close()
    return errors


@pytest.mark.parametrize("presigned", [False, True], ids=["streamed", "presigned-redirects"])
def test_an_h5p_package_is_imported_into_s3_and_played_from_it(
    presigned: bool,
    s3: S3Endpoint,
    browser: Browser,
    committed_database_url: str,
    fixtures_dir: Path,
    tmp_path: Path,
) -> None:
    bucket = f"ll-e2e-{uuid.uuid4().hex[:16]}"
    bucket_storage = S3FileStorage(s3.location(bucket, "learnloop"))
    bucket_storage.ensure_bucket()
    seed_accounts(committed_database_url, learners=0, teacher_role=Role.ADMIN)
    env = {
        **s3.server_env(bucket, "learnloop"),
        "LEARNLOOP_S3_PRESIGNED_REDIRECTS": "true" if presigned else "false",
    }
    server = start_live_server(committed_database_url, tmp_path / "live", env)
    try:
        package = fixtures_dir / "h5p" / "hub" / PACKAGE
        content_id, token = _import_and_publish(server.base_url, package)

        stored = bucket_storage.list_keys()
        assert any(key.startswith("libraries/H5P.MultiChoice-") for key in stored)
        assert any(key.startswith(f"content/{content_id}/") for key in stored)
        local_files = tmp_path / "live" / "files"
        assert not local_files.exists() or not any(p.is_file() for p in local_files.rglob("*"))

        with zipfile.ZipFile(package) as archive:
            library_entry = next(
                name
                for name in archive.namelist()
                if name.startswith("H5P.MultiChoice-") and name.endswith(".js")
            )
            library_bytes = archive.read(library_entry)
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            response = http.get(f"/h5p/libraries/{library_entry}")
            if presigned:
                assert response.status_code == 307
                assert response.headers["location"].startswith(s3.url)
                assert httpx.get(response.headers["location"]).content == library_bytes
            else:
                assert response.status_code == 200
                assert response.content == library_bytes
                ranged = http.get(f"/h5p/libraries/{library_entry}", headers={"Range": "bytes=0-9"})
                assert ranged.status_code == 206
                assert ranged.content == library_bytes[:10]
            missing = http.get("/h5p/libraries/H5P.MultiChoice-1.16/nope.js")
            assert missing.status_code == 404

        if not presigned:
            errors = _play(browser, f"{server.base_url}/h5p/embed/{content_id}?token={token}")
            assert errors == [], "\n".join(errors) + server.log()[-3000:]
    finally:
        server.stop()
