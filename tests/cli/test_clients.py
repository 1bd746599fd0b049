"""``learnloop clients create|list|revoke`` against a real migrated database."""

from __future__ import annotations

import base64

import httpx
from typer.testing import CliRunner

from learnloop.cli.main import app

runner = CliRunner()


def _env(url: str) -> dict[str, str]:
    return {"LEARNLOOP_DATABASE_URL": url}


def test_create_list_and_revoke_a_client(committed_database_url):
    env = _env(committed_database_url)
    created = runner.invoke(
        app,
        [
            "clients",
            "create",
            "--name",
            "Course player",
            "--scope",
            "statements/write",
            "--scope",
            "state",
        ],
        env=env,
    )
    assert created.exit_code == 0, created.output
    lines = dict(line.split(": ", 1) for line in created.output.strip().splitlines())
    assert lines["scopes"] == "statements/write state"
    assert len(lines["secret"]) > 20

    listed = runner.invoke(app, ["clients", "list"], env=env)
    assert f"{lines['key']}\tactive\tstatements/write,state\tCourse player" in listed.output

    revoked = runner.invoke(app, ["clients", "revoke", lines["key"]], env=env)
    assert revoked.exit_code == 0
    assert "revoked" in runner.invoke(app, ["clients", "list"], env=env).output


def test_created_credentials_work_against_a_running_server(live_server):
    env = _env(live_server.env["LEARNLOOP_DATABASE_URL"])
    created = runner.invoke(app, ["clients", "create", "--name", "live", "--scope", "all"], env=env)
    lines = dict(line.split(": ", 1) for line in created.output.strip().splitlines())
    token = base64.b64encode(f"{lines['key']}:{lines['secret']}".encode()).decode()
    response = httpx.get(
        f"{live_server.base_url}/xapi/statements",
        headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 200


def test_unknown_scope_and_unknown_client_fail_cleanly(committed_database_url):
    env = _env(committed_database_url)
    bad = runner.invoke(app, ["clients", "create", "--name", "x", "--scope", "root"], env=env)
    assert bad.exit_code == 1
    assert "Unknown xAPI scope" in bad.output
    missing = runner.invoke(app, ["clients", "revoke", "nope"], env=env)
    assert missing.exit_code == 1
