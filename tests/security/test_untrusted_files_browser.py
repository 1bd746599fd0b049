"""Nothing a user uploaded runs with the app origin's privileges (issue 12, item 3).

A signed-in admin (cookie session) opens files an attacker uploaded: a cmi5 AU page, an
SVG shipped in an H5P library, and an XML file in H5P content (through the content route
and the player's signed ``/h5p/play-files/`` URL). Each tries to read ``/api/auth/me``
with the admin's cookie and writes what it got into its own document, where the test
reads it. Without the sandbox the SVG and XML scripts run on the app origin and read
the admin's account; the AU runs (it needs script) but in an opaque origin, so the
response stays unreadable.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext

from learnloop.auth.cookies import TOKEN_COOKIE
from learnloop.auth.models import Role
from tests.cmi5.course_files import Au, course_xml, course_zip
from tests.support.browser import chromium
from tests.support.databases import (
    create_fresh_database,
    drop_postgres_database,
    is_postgresql,
    sibling_database_url,
)
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts, start_live_server

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "teacher@example.test"  # seeded with the admin role below
STEAL = (
    "fetch('/api/auth/me', {credentials: 'include'})"
    ".then(function (r) { return r.text(); })"
    ".then(function (t) { document.documentElement.setAttribute('data-result', 'read:' + t); },"
    " function (e) { document.documentElement.setAttribute('data-result', 'blocked:' + e); });"
)
EVIL_AU = f"<!doctype html><html><body><p>AU</p><script>{STEAL}</script></body></html>"
EVIL_SVG = (
    f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>{STEAL}</script></svg>'
)
EVIL_XML = (
    '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
    f"<script>{STEAL}</script></body></html>"
)


@dataclass
class Attack:
    server: LiveServer
    token: str
    au_url: str
    svg_url: str
    # (url, expected status): through a files origin the cookie-authenticated content
    # route is reached without the app's cookie, so it answers 401 there.
    xml_urls: list[tuple[str, int]]


def _evil_h5p(fixtures_dir: Path) -> bytes:
    """valid2.h5p plus an SVG in its library folder and an XML file in its content."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(fixtures_dir / "h5p" / "validator" / "valid2.h5p") as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in original.infolist():
            target.writestr(info, original.read(info.filename))
        target.writestr("H5P.GreetingCard-1.0/evil.svg", EVIL_SVG)
        target.writestr("content/evil.xml", EVIL_XML)
    return out.getvalue()


@pytest.fixture(scope="module", params=[None, "localhost"], ids=["app-host", "files-origin"])
def attack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    database_url: str,
    fixtures_dir: Path,
) -> Iterator[Attack]:
    """The attacker's uploads, served sandboxed from the app's host, or (second run) from
    a separate files origin (LEARNLOOP_FILES_BASE_URL) to which the app's host redirects."""
    directory = tmp_path_factory.mktemp("untrusted-files")
    url = create_fresh_database(sibling_database_url(database_url, directory))
    seed_accounts(url, learners=0, teacher_role=Role.ADMIN)
    server = start_live_server(url, directory / "live", files_host=request.param)
    try:
        with httpx.Client(base_url=server.base_url, timeout=60) as http:
            login = http.post(
                "/api/auth/login", json={"email": ADMIN_EMAIL, "password": LIVE_PASSWORD}
            )
            assert login.status_code == 200, login.text
            token = login.json()["data"]["token"]
            bearer = {"Authorization": f"Bearer {token}"}
            course = http.post(
                "/api/cmi5/courses",
                headers=bearer,
                files={
                    "file": (
                        "evil.zip",
                        course_zip(
                            course_xml([Au("https://example.test/au/evil", "evil_au.html")]),
                            {"evil_au.html": EVIL_AU.encode()},
                        ),
                        "application/zip",
                    )
                },
            )
            assert course.status_code == 201, course.text
            imported = http.post(
                "/h5p/import",
                headers=bearer,
                files={"h5p": ("evil.h5p", _evil_h5p(fixtures_dir), "application/zip")},
            )
            assert imported.status_code == 201, imported.text
            content_id = imported.json()["data"]["contentId"]
            model = http.get(f"/h5p/play/{content_id}", headers=bearer).json()["data"]
            files_url = model["integration"]["contents"][f"cid-{content_id}"]["contentUrl"]
        base = server.base_url
        yield Attack(
            server=server,
            token=token,
            au_url=f"{base}/cmi5/courses/{course.json()['data']['id']}/files/evil_au.html",
            svg_url=f"{base}/h5p/libraries/H5P.GreetingCard-1.0/evil.svg",
            xml_urls=[
                (f"{base}/h5p/content/{content_id}/evil.xml", 401 if request.param else 200),
                (
                    f"{files_url if files_url.startswith('http') else base + files_url}/evil.xml",
                    200,
                ),
            ],
        )
    finally:
        server.stop()
        if is_postgresql(url):
            drop_postgres_database(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def signed_in(browser: Browser, attack: Attack) -> Iterator[BrowserContext]:
    """A browser holding the admin's session cookie, as after signing in."""
    context = browser.new_context()
    context.add_cookies(
        [{"name": TOKEN_COOKIE, "value": attack.token, "url": attack.server.base_url}]
    )
    try:
        yield context
    finally:
        context.close()


def _result_after_load(
    context: BrowserContext, url: str, *, expect_script: bool, status: int = 200
) -> str | None:
    page = context.new_page()
    response = page.goto(url)
    assert response is not None and response.status == status, url
    if expect_script:
        page.wait_for_function(
            "document.documentElement.getAttribute('data-result') !== null", timeout=10_000
        )
    else:
        # Long enough for a same-origin fetch to the local server to have answered.
        page.wait_for_timeout(1500)
    result = page.evaluate("document.documentElement.getAttribute('data-result')")
    page.close()
    return None if result is None else str(result)


def test_the_admins_cookie_session_reads_its_own_account(signed_in, attack):
    """The control: the cookie the attacks try to use is valid on the app's origin."""
    page = signed_in.new_page()
    page.goto(f"{attack.server.base_url}/api/auth/me")
    assert ADMIN_EMAIL in page.content()
    page.close()


def test_a_malicious_au_page_runs_but_cannot_read_the_signed_in_admin(signed_in, attack):
    result = _result_after_load(signed_in, attack.au_url, expect_script=True)

    assert result is not None and result.startswith("blocked:"), result
    assert ADMIN_EMAIL not in result


def test_a_malicious_svg_in_a_library_runs_no_script(signed_in, attack):
    result = _result_after_load(signed_in, attack.svg_url, expect_script=False)

    assert result is None or ADMIN_EMAIL not in result


def test_a_malicious_xml_content_file_runs_no_script(signed_in, attack):
    for url, status in attack.xml_urls:
        result = _result_after_load(signed_in, url, expect_script=False, status=status)
        assert result is None or ADMIN_EMAIL not in result, url
