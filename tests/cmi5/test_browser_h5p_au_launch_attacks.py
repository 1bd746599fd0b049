"""The javascript: returnURL attack on the H5P content AU page (issue 12 item 8), in
headless Chromium: a launch URL whose endpoint and fetch URL point at the attacker's
server, and a LaunchData document whose returnURL is a javascript: URL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import orjson
import pytest

from learnloop.cmi5.launch import launch_data
from learnloop.cmi5.models import Cmi5Au, Cmi5Registration, Cmi5Session
from learnloop.cmi5.vocabulary import LAUNCH_DATA_STATE_ID
from learnloop.db import Database
from learnloop.xapi.agents import agent_key
from learnloop.xapi.document_store import (
    DocumentContext,
    DocumentResource,
    Preconditions,
    put_document,
)
from tests.support.browser import chromium
from tests.support.databases import (
    create_fresh_database,
    drop_postgres_database,
    is_postgresql,
    sibling_database_url,
)
from tests.support.live_server import LIVE_PASSWORD, LiveServer, seed_accounts, start_live_server

pytestmark = pytest.mark.browser

PAYLOAD = "javascript:window.top.document.title='pwned';window.top.pwned=1"


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    url = create_fresh_database(sibling_database_url(database_url, tmp_path))
    seed_accounts(url, learners=0)
    live = start_live_server(url, tmp_path / "live")
    try:
        yield live, url
    finally:
        live.stop()
        if is_postgresql(url):
            drop_postgres_database(url)


class _AttackerLrs(BaseHTTPRequestHandler):
    """Answers like an LMS and LRS would, with a javascript: returnURL."""

    hits: list[str] = []

    def _json(self, value: Any) -> None:
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_OPTIONS(self) -> None:
        self.hits.append("OPTIONS " + self.path)
        self._json({})

    def do_POST(self) -> None:
        self.hits.append("POST " + self.path)
        self._json({"auth-token": "YTpi"} if "fetch" in self.path else ["id"])

    def do_GET(self) -> None:
        self.hits.append("GET " + self.path)
        self._json({"launchMode": "Normal", "moveOn": "Completed", "returnURL": PAYLOAD})

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def attacker() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Handler", (_AttackerLrs,), {"hits": hits})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def _launch(live: LiveServer) -> dict[str, str]:
    with httpx.Client(base_url=live.base_url, timeout=60) as http:
        login = http.post(
            "/api/auth/login", json={"email": "teacher@example.test", "password": LIVE_PASSWORD}
        )
        teacher = {"Authorization": f"Bearer {login.json()['data']['token']}"}
        registration = http.post(
            "/api/cmi5/register",
            headers=teacher,
            json={
                "contentId": "quiz-1",
                "learnerId": "learner-1",
                "actorAccount": {"homePage": "https://lms.example.com", "name": "learner-1"},
            },
        ).json()["data"]
        url = http.get(f"/api/cmi5/launch/{registration['id']}", headers=teacher).json()["data"][
            "launchUrl"
        ]
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_launch_url_pointing_at_another_lrs_never_runs_its_return_url(
    server: tuple[LiveServer, str], attacker: tuple[str, list[str]]
) -> None:
    live, _ = server
    evil, hits = attacker
    params = {
        **_launch(live),
        "endpoint": f"{evil}/xapi",
        "fetch": f"{evil}/fetch/abc",
    }
    with chromium() as browser:
        page = browser.new_page()
        response = page.goto(f"{live.base_url}/cmi5/h5p/quiz-1?{urlencode(params)}")
        assert response is not None and response.status == 400
        assert page.locator("[role=alert]").inner_text().startswith("endpoint is not")
        assert page.locator("#exit").count() == 0
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.pwned") is None
    assert hits == []


def test_a_javascript_return_url_in_launch_data_is_not_followed(
    server: tuple[LiveServer, str],
) -> None:
    """Even if LMS.LaunchData carried a javascript: returnURL, Exit does not run it: the
    script follows only http(s) URLs and the page's CSP blocks javascript: URLs."""
    live, database_url = server
    params = _launch(live)
    database = Database.from_url(database_url)
    try:
        with database.transaction() as session:
            registration = session.get(Cmi5Registration, params["registration"])
            assert registration is not None and registration.session_id is not None
            cmi5_session = session.get(Cmi5Session, registration.session_id)
            assert cmi5_session is not None
            au = session.get(Cmi5Au, cmi5_session.au_id)
            assert au is not None
            document = launch_data(au, cmi5_session.id, "Normal", PAYLOAD)
            put_document(
                session,
                DocumentContext(
                    DocumentResource.STATE,
                    activity_id=params["activityId"],
                    agent_key=agent_key(json.loads(params["actor"])) or "",
                    registration=params["registration"],
                ),
                LAUNCH_DATA_STATE_ID,
                orjson.dumps(document),
                "application/json",
                Preconditions(),
                require_precondition=False,
            )
    finally:
        database.engine.dispose()
    with chromium() as browser:
        page = browser.new_page()
        url = f"{live.base_url}/cmi5/h5p/quiz-1?{urlencode(params)}"
        response = page.goto(url)
        assert response is not None and response.status == 200
        page.wait_for_function(
            "() => window.cmi5H5P && window.cmi5H5P.log.some(e => e.verb.endsWith('/initialized'))",
            timeout=30_000,
        )
        page.click("#exit")
        page.wait_for_function(
            "() => window.cmi5H5P.log.some(e => e.verb.endsWith('/terminated'))", timeout=30_000
        )
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.pwned") is None
        assert page.title() != "pwned"
        assert page.url == url
        assert "not an http(s) URL" in page.locator("#status").inner_text()
        state = page.evaluate("() => window.cmi5H5P")
    assert all(entry["status"] == 200 for entry in state["log"]), state["log"]
