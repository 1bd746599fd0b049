"""Running a Node script that drives a live LearnLoop server with an npm xAPI library."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from learnloop.db import Database
from learnloop.xapi.credentials import create_client
from tests.support.live_server import LiveServer

REPO = Path(__file__).resolve().parents[2]
NODE_TIMEOUT_SECONDS = 120


def issue_lrs_client(server: LiveServer, name: str, scopes: list[str]) -> tuple[str, str]:
    """Create LRS client credentials in the live server's database; return (key, secret)."""
    database = Database.from_url(server.env["LEARNLOOP_DATABASE_URL"])
    try:
        with database.transaction() as session:
            issued = create_client(session, name=name, scopes=scopes)
            return issued.client.key, issued.secret
    finally:
        database.engine.dispose()


def run_lrs_driver(server: LiveServer, driver: Path, client_name: str) -> dict[str, Any]:
    """Run ``driver`` against the server's /xapi/ with fresh ``all``-scope credentials.

    The script reads LRS_ENDPOINT, LRS_KEY and LRS_SECRET and prints a JSON summary as its
    last line, which is returned.
    """
    key, secret = issue_lrs_client(server, client_name, ["all"])
    result = subprocess.run(
        ["node", str(driver)],
        cwd=REPO,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "NODE_PATH": str(REPO / "node_modules"),
            "LRS_ENDPOINT": f"{server.base_url}/xapi/",
            "LRS_KEY": key,
            "LRS_SECRET": secret,
        },
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n{server.log()[-3000:]}"
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary
