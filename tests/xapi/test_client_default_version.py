"""An LRS client's default xAPI version is the version of error answers to its requests
that carry no X-Experience-API-Version (a 1.0.3-only tool does not understand 2.0.0)."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from learnloop.cli.main import app as cli
from learnloop.xapi.credentials import create_client
from tests.conftest import Account

HEADER = "X-Experience-API-Version"


def _basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def test_a_1_0_3_client_gets_its_version_on_the_missing_header_400(
    client: TestClient, session: Session
) -> None:
    old_tool = create_client(session, name="old tool", scopes=["all"], default_xapi_version="1.0.3")
    plain = create_client(session, name="plain", scopes=["all"])
    session.commit()
    old_headers = _basic(old_tool.client.key, old_tool.secret)

    response = client.get("/xapi/statements", headers=old_headers)
    assert response.status_code == 400
    assert response.headers[HEADER] == "1.0.3"
    plain_response = client.get("/xapi/statements", headers=_basic(plain.client.key, plain.secret))
    assert plain_response.status_code == 400
    assert plain_response.headers[HEADER] == "2.0.0"
    # A header the request does carry still decides.
    spoken = client.get("/xapi/statements", headers={**old_headers, HEADER: "2.0.0"})
    assert spoken.status_code == 200
    assert spoken.headers[HEADER] == "2.0.0"
    # Wrong secret: nobody is identified, the LRS's latest version is announced.
    wrong = client.get("/xapi/statements", headers=_basic(old_tool.client.key, "wrong"))
    assert wrong.headers[HEADER] == "2.0.0"


def test_the_admin_api_sets_and_shows_the_default_version(
    client: TestClient, admin: Account
) -> None:
    created = client.post(
        "/api/admin/lrs-clients",
        json={"name": "old tool", "scopes": ["all"], "defaultXapiVersion": "1.0.3"},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert data["defaultXapiVersion"] == "1.0.3"
    response = client.get("/xapi/activities", headers=_basic(data["key"], data["secret"]))
    assert response.status_code == 400
    assert response.headers[HEADER] == "1.0.3"
    refused = client.post(
        "/api/admin/lrs-clients",
        json={"name": "x", "defaultXapiVersion": "0.9"},
        headers=admin.headers,
    )
    assert refused.status_code == 400


def test_cli_create_takes_an_xapi_version(committed_database_url: str) -> None:
    env = {"LEARNLOOP_DATABASE_URL": committed_database_url}
    runner = CliRunner()
    created = runner.invoke(
        cli, ["clients", "create", "--name", "old", "--xapi-version", "1.0.3"], env=env
    )
    assert created.exit_code == 0, created.output
    assert "default xAPI version: 1.0.3" in created.output
    refused = runner.invoke(
        cli, ["clients", "create", "--name", "bad", "--xapi-version", "3.0"], env=env
    )
    assert refused.exit_code != 0
