"""``learnloop lti``: LTI 1.3 platform registrations and the tool's configuration URLs."""

from __future__ import annotations

from typing import Annotated

import typer

from learnloop.cli.context import load_settings, unit_of_work
from learnloop.lti import platforms
from learnloop.lti.configuration import tool_configuration

app = typer.Typer(help="LTI 1.3: platforms (LMSs) that launch LearnLoop.", no_args_is_help=True)


@app.command("add")
def add(
    issuer: Annotated[str, typer.Option(help="The platform's issuer (iss of its id_tokens)")],
    client_id: Annotated[str, typer.Option(help="The client id the platform gave LearnLoop")],
    auth_login_url: Annotated[str, typer.Option(help="The platform's OIDC authorization URL")],
    token_url: Annotated[str, typer.Option(help="The platform's OAuth2 token URL")],
    jwks_url: Annotated[str, typer.Option(help="The platform's public keys (JWKS) URL")],
    deployment_id: Annotated[
        list[str] | None, typer.Option(help="Repeatable: a deployment id it launches with")
    ] = None,
) -> None:
    """Register a platform."""
    with unit_of_work() as session:
        platform = platforms.register_platform(
            session,
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url,
            token_url=token_url,
            jwks_url=jwks_url,
            deployment_ids=deployment_id or [],
        )
        typer.echo(f"registered platform {platform.id} ({platform.issuer}, {platform.client_id})")


@app.command("list")
def list_platforms() -> None:
    """List platforms: id, issuer, client id, deployment ids."""
    with unit_of_work() as session:
        for platform in platforms.list_platforms(session):
            deployments = ",".join(platforms.deployment_ids_of(session, platform.id))
            typer.echo(f"{platform.id}\t{platform.issuer}\t{platform.client_id}\t{deployments}")


@app.command("add-deployment")
def add_deployment(platform_id: str, deployment_id: list[str]) -> None:
    """Allow more deployment ids for a platform."""
    with unit_of_work() as session:
        platform = platforms.get_platform(session, platform_id)
        platforms.add_deployments(session, platform, deployment_id)
        deployments = ",".join(platforms.deployment_ids_of(session, platform.id))
        typer.echo(f"deployments of {platform.id}: {deployments}")


@app.command("remove")
def remove(platform_id: str) -> None:
    """Delete a platform registration (its users and classes stay)."""
    with unit_of_work() as session:
        platforms.delete_platform(session, platforms.get_platform(session, platform_id))
        typer.echo(f"removed platform {platform_id}")


@app.command("config")
def config() -> None:
    """Print the URLs a platform administrator enters to register LearnLoop."""
    configuration = tool_configuration(load_settings().base_url)
    for name, value in configuration.model_dump().items():
        typer.echo(f"{name}: {value}")
