"""``learnloop clients``: LRS client credentials (HTTP Basic key/secret with xAPI scopes)."""

from __future__ import annotations

from typing import Annotated

import typer

from learnloop.cli.context import unit_of_work
from learnloop.xapi import credentials

app = typer.Typer(help="LRS client credentials for /xapi.", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who uses these credentials")],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            help="xAPI scope, repeatable: "
            + ", ".join(credentials.SCOPES)
            + " (default: statements/write and statements/read/mine)"
        ),
    ] = None,
    xapi_version: Annotated[
        str | None,
        typer.Option(
            "--xapi-version",
            help="Version of error answers to requests without X-Experience-API-Version: "
            + " or ".join(credentials.CLIENT_VERSIONS)
            + " (default: the latest the LRS speaks)",
        ),
    ] = None,
) -> None:
    """Create a key/secret pair; the secret is printed once and stored only hashed."""
    with unit_of_work() as session:
        issued = credentials.create_client(
            session,
            name=name,
            scopes=scope or credentials.DEFAULT_SCOPES,
            default_xapi_version=xapi_version,
        )
        typer.echo(f"key: {issued.client.key}")
        typer.echo(f"secret: {issued.secret}")
        typer.echo(f"scopes: {' '.join(issued.client.scopes)}")
        if issued.client.default_xapi_version:
            typer.echo(f"default xAPI version: {issued.client.default_xapi_version}")


@app.command("list")
def list_clients() -> None:
    """List clients: key, state, scopes, name."""
    with unit_of_work() as session:
        for client in credentials.list_clients(session):
            state = "active" if client.is_active else "revoked"
            typer.echo(f"{client.key}\t{state}\t{','.join(client.scopes)}\t{client.name}")


@app.command("revoke")
def revoke(key: str) -> None:
    """Revoke a client by key (or id); its credentials stop working at once."""
    with unit_of_work() as session:
        client = credentials.revoke_client(session, key)
        typer.echo(f"revoked {client.key} ({client.name})")
