"""Issue 12 items 1, 4, 10 and 14 against a real server process and headless Chromium.

The attacker's pages are served from another port of the same host: the same *site*,
so the browser sends the ``SameSite=Lax`` session cookie with their form POSTs.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import jwt
import pytest
from playwright.sync_api import Page

from learnloop.auth.models import Role
from learnloop.config import JWT_SECRET_FILE
from tests.support.browser import chromium
from tests.support.live_server import (
    LIVE_PASSWORD,
    LiveServer,
    free_port,
    seed_accounts,
    start_live_server,
)

ACTIVITY = "http://example.com/activities/csrf-browser"
OLD_DEVELOPMENT_SECRET = "learnloop-local-development-secret-change-me"
EMAIL = "teacher@example.test"


@pytest.fixture
def attacker_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "attacker"
    root.mkdir()
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def autosubmit_form(action: str, fields: dict[str, str], enctype: str = "") -> str:
    inputs = "".join(
        f"<input type='hidden' name='{name}' value='{value}'>" for name, value in fields.items()
    )
    encoding = f" enctype='{enctype}'" if enctype else ""
    return (
        f"<form id='f' method='post' action='{action}'{encoding}>{inputs}</form>"
        "<script>document.getElementById('f').submit()</script>"
    )


def sign_in_through_the_page(page: Page, base_url: str, next_query: str) -> None:
    page.goto(f"{base_url}/login?next={next_query}")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", LIVE_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def session_cookie(page: Page) -> str:
    [cookie] = [c for c in page.context.cookies() if c["name"] == "learnloop_token"]
    return str(cookie["value"])


def stored_state(base_url: str, token: str) -> int:
    agent = json.dumps({"account": {"homePage": base_url, "name": "x"}})
    response = httpx.get(
        f"{base_url}/xapi/activities/state",
        params={"activityId": ACTIVITY, "agent": agent, "stateId": "s"},
        headers={"Authorization": f"Bearer {token}", "X-Experience-API-Version": "1.0.3"},
    )
    return response.status_code


def statement_count(base_url: str, token: str) -> int:
    response = httpx.get(
        f"{base_url}/api/xapi/statements", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return len(response.json()["data"]["statements"])


@pytest.fixture
def live(committed_database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    seed_accounts(committed_database_url, learners=0, teacher_role=Role.ADMIN)
    server = start_live_server(committed_database_url, tmp_path / "live")
    yield server
    server.stop()


def test_pages_work_with_the_token_and_other_sites_cannot_use_the_cookie(
    live: LiveServer, attacker_site: tuple[str, Path]
) -> None:
    attacker, root = attacker_site
    base = live.base_url
    agent = json.dumps({"account": {"homePage": base, "name": "x"}})
    (root / "state.html").write_text(
        autosubmit_form(
            f"{base}/xapi/activities/state?method=PUT",
            {
                "activityId": ACTIVITY,
                "agent": agent.replace("'", "&#39;"),
                "stateId": "s",
                "content": "{}",
                "X-Experience-API-Version": "1.0.3",
            },
        )
    )
    (root / "plain.html").write_text(
        "<script>fetch('" + base + "/api/xapi/statements', {method: 'POST', mode: 'no-cors',"
        " credentials: 'include', headers: {'Content-Type': 'text/plain'}, body: JSON.stringify("
        "{actor: {mbox: 'mailto:a@b.c'}, verb: {id: 'http://adlnet.gov/expapi/verbs/passed'},"
        " object: {id: 'http://example.com/x'}})}).finally(function () { window.done = true; });"
        "</script>"
    )
    (root / "signin.html").write_text(
        autosubmit_form(
            f"{base}/api/auth/login",
            {'{"email":"' + EMAIL + '","password":"' + LIVE_PASSWORD + '","x":"': '"}'},
            enctype="text/plain",
        )
    )
    with chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        # Item 10: a tab in ``next`` must not send the user off the site after sign-in.
        sign_in_through_the_page(page, base, "%2F%09%2Fevil.example")
        assert page.url.startswith(base + "/"), page.url
        token = session_cookie(page)

        # Item 4: the attacker's form POST (alternate syntax) carries only the cookie.
        page.goto(f"{attacker}/state.html")
        page.wait_for_url(f"{base}/xapi/activities/state**")
        assert "CSRF" in page.content()
        assert stored_state(base, token) == 404

        # Item 4: a text/plain POST needs no preflight, and is refused all the same.
        page.goto(f"{attacker}/plain.html")
        page.wait_for_function("window.done === true")
        assert statement_count(base, token) == 0

        # Our own pages' scripts send the token from <meta name="csrf-token">.
        page.goto(f"{base}/my-progress")
        status = page.evaluate(
            """async () => {
                const token = document.querySelector('meta[name="csrf-token"]').content;
                const response = await fetch('/api/xapi/statements', {
                    method: 'POST', credentials: 'same-origin',
                    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token},
                    body: JSON.stringify({actor: {mbox: 'mailto:a@b.c'},
                        verb: {id: 'http://adlnet.gov/expapi/verbs/experienced'},
                        object: {id: 'http://example.com/x'}})});
                return response.status;
            }"""
        )
        assert status == 200
        assert statement_count(base, token) == 1

        # Item 14: the page's sign-out revokes the session's token.
        with page.expect_navigation():
            page.click("form.sign-out button")
        assert page.url == f"{base}/login"
        me = httpx.get(f"{base}/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401

        # Login CSRF: another site cannot sign the browser into an account. (A form can
        # only send text/plain, which is not read as JSON; JSON needs a CORS preflight,
        # and the Fetch Metadata check refuses what still gets through: test_csrf_attacks.)
        fresh = browser.new_context().new_page()
        fresh.goto(f"{attacker}/signin.html")
        fresh.wait_for_url(f"{base}/api/auth/login")
        assert '"success":false' in fresh.content()
        assert not [c for c in fresh.context.cookies() if c["name"] == "learnloop_token"]
        context.close()


def test_without_a_configured_secret_the_server_generates_one_and_refuses_the_old_constant(
    committed_database_url: str, tmp_path: Path
) -> None:
    seed_accounts(committed_database_url, learners=0, teacher_role=Role.ADMIN)
    data_dir = tmp_path / "var"
    unset = {"LEARNLOOP_JWT_SECRET": "", "LEARNLOOP_ENVIRONMENT": "development"}
    server = start_live_server(committed_database_url, data_dir, unset)
    try:
        login = httpx.post(
            f"{server.base_url}/api/auth/login",
            json={"email": EMAIL, "password": LIVE_PASSWORD},
        )
        assert login.status_code == 200
        user_id = login.json()["data"]["user"]["id"]
        token = login.json()["data"]["token"]
        forged = jwt.encode(
            {"iss": "learnloop", "sub": user_id, "role": "admin", "exp": 4102444800},
            OLD_DEVELOPMENT_SECRET,
            algorithm="HS256",
        )
        refused = httpx.get(f"{server.base_url}/api/auth/me", params={"token": forged})
        assert refused.status_code == 401
    finally:
        server.stop()
    secret_file = data_dir / JWT_SECRET_FILE
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    secret = secret_file.read_text()
    restarted = start_live_server(committed_database_url, data_dir, unset)
    try:
        me = httpx.get(f"{restarted.base_url}/api/auth/me", params={"token": token})
        assert me.status_code == 200, "a restart must keep the generated secret"
    finally:
        restarted.stop()
    assert secret_file.read_text() == secret
