"""@xapi/xapi (npm) drives the document, activities and agents resources of a running server,
and sends a statement with attachment data and a signed statement (multipart/mixed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from learnloop.db import Database
from learnloop.xapi.credentials import create_client

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).parent / "node" / "documents.mjs"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_xapi_js_client_uses_documents_activities_agents_attachments_and_signatures(
    live_server,
):
    database = Database.from_url(live_server.env["LEARNLOOP_DATABASE_URL"])
    try:
        with database.transaction() as session:
            issued = create_client(session, name="@xapi/xapi documents", scopes=["all"])
            key, secret = issued.client.key, issued.secret
    finally:
        database.engine.dispose()
    result = subprocess.run(
        ["node", str(DRIVER)],
        cwd=REPO,
        env={
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "NODE_PATH": str(REPO / "node_modules"),
            "LRS_ENDPOINT": f"{live_server.base_url}/xapi/",
            "LRS_KEY": key,
            "LRS_SECRET": secret,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n{live_server.log()[-3000:]}"
    summary = json.loads(result.stdout.strip().splitlines()[-1])
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
