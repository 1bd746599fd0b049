"""@xapi/xapi (npm) drives the document, activities and agents resources of a running server,
and sends a statement with attachment data and a signed statement (multipart/mixed)."""

from __future__ import annotations

from pathlib import Path

from tests.support.node_driver import run_lrs_driver

DRIVER = Path(__file__).parent / "node" / "documents.mjs"


def test_xapi_js_client_uses_documents_activities_agents_attachments_and_signatures(
    live_server,
):
    summary = run_lrs_driver(live_server, DRIVER, "@xapi/xapi documents")
    assert summary["checks"] == [
        "state put/get by identity",
        "state post merges",
        "state If-Match",
        "state keeps content type",
        "state ids, since, registration scope",
        "state bad parameters",
        "state 2.0 concurrency",
        "state delete one and all",
        "activity profile",
        "agent profile",
        "activity definition merged",
        "agents person",
        "attachment stored and returned",
        "signed statement accepted",
        "tampered signed statement refused",
    ]
