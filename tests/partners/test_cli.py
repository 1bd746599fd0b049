"""``learnloop partners …`` against a committed, migrated database, and the issued
credentials used over HTTP against a live server on that database."""

from __future__ import annotations

import httpx
from typer.testing import CliRunner

from learnloop.cli.main import app
from tests.support.live_server import LiveServer

runner = CliRunner()


def _invoke(url: str, *args: str) -> str:
    result = runner.invoke(app, ["partners", *args], env={"LEARNLOOP_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


def test_partners_organizations_and_clients_from_the_command_line(
    committed_database_url: str, live_server: LiveServer
) -> None:
    url = committed_database_url
    _invoke(url, "create", "acme", "--display-name", "Acme Learning")
    _invoke(url, "add-org", "acme", "north")
    output = _invoke(url, "create-client", "acme", "--org", "north", "--scope", "track:write")
    fields = dict(line.split(": ", 1) for line in output.strip().splitlines())
    assert fields["scopes"] == "track:write"
    assert "acme\treject\tAcme Learning" in _invoke(url, "list")
    listed = _invoke(url, "list-clients", "acme")
    assert f"{fields['client_id']}\tactive\ttrack:write" in listed

    token = httpx.post(
        f"{live_server.base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(fields["client_id"], fields["client_secret"]),
    )
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "track:write"

    _invoke(url, "revoke-client", "acme", fields["client_id"])
    refused = httpx.post(
        f"{live_server.base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(fields["client_id"], fields["client_secret"]),
    )
    assert refused.status_code == 401

    duplicate = runner.invoke(
        app, ["partners", "create", "acme"], env={"LEARNLOOP_DATABASE_URL": url}
    )
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output


def test_pull_sources_and_forwarding_rules_from_the_command_line(
    committed_database_url: str,
) -> None:
    url = committed_database_url
    _invoke(url, "create", "acme")
    source = _invoke(
        url,
        "add-pull-source",
        "acme",
        "--endpoint",
        "http://127.0.0.1:9/xapi",
        "--username",
        "k",
        "--password",
        "s",
    )
    source_id = source.strip().split(": ")[1]
    assert _invoke(url, "pull", "acme", source_id).startswith("queued job ")
    rule = _invoke(
        url,
        "add-forwarding-rule",
        "--endpoint",
        "http://127.0.0.1:9/xapi",
        "--username",
        "k",
        "--password",
        "s",
        "--verb",
        "http://adlnet.gov/expapi/verbs/completed",
        "--partner",
        "acme",
    )
    rule_id = rule.strip().split(": ")[1]
    assert _invoke(url, "dead-letters", rule_id) == ""
    bad = runner.invoke(
        app,
        [
            "partners",
            "add-forwarding-rule",
            "--endpoint",
            "ftp://x",
            "--username",
            "k",
            "--password",
            "s",
        ],
        env={"LEARNLOOP_DATABASE_URL": url},
    )
    assert bad.exit_code == 1
