"""A real xAPI client library (@xapi/xapi from npm) against a running LearnLoop server."""

from __future__ import annotations

from pathlib import Path

from tests.support.node_driver import run_lrs_driver

DRIVER = Path(__file__).parent / "node" / "lrs_client.mjs"


def test_xapi_js_client_sends_queries_pages_and_voids(live_server):
    summary = run_lrs_driver(live_server, DRIVER, "@xapi/xapi")
    assert summary["sent"] == 6
    assert summary["pages"] == 3
