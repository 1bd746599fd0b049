"""``learnloop partners``: partner platforms, their organizations and OAuth2 clients,
pull sources and forwarding rules."""

from __future__ import annotations

from typing import Annotated

import typer

from learnloop.cli.context import load_settings, unit_of_work
from learnloop.partners import directory, forwarding, pull

app = typer.Typer(help="Partner platforms (Track API, partner statements).", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The name used in /v1/partners/{name}/…")],
    display_name: Annotated[str, typer.Option(help="Shown as the statements' platform")] = "",
    unknown_users: Annotated[
        str, typer.Option(help="Track API users LearnLoop does not know: reject or create")
    ] = "reject",
) -> None:
    """Register a partner platform."""
    with unit_of_work() as session:
        partner = directory.create_partner(
            session, name=name, display_name=display_name, unknown_users=unknown_users
        )
        typer.echo(f"created partner {partner.name} ({partner.display_name})")


@app.command("list")
def list_partners() -> None:
    """List partners: name, unknown-user policy, display name."""
    with unit_of_work() as session:
        for partner in directory.list_partners(session):
            typer.echo(f"{partner.name}\t{partner.unknown_users}\t{partner.display_name}")


@app.command("add-org")
def add_org(
    partner: str,
    org_id: Annotated[str, typer.Argument(help="The {orgId} of the organization URLs")],
    name: Annotated[str, typer.Option(help="The organization's name")] = "",
) -> None:
    """Add an organization to a partner."""
    with unit_of_work() as session:
        organization = directory.add_organization(
            session, directory.get_partner(session, partner), org_id=org_id, name=name
        )
        typer.echo(f"added organization {organization.org_id} to {partner}")


@app.command("create-client")
def create_client(
    partner: str,
    org: Annotated[str | None, typer.Option(help="Bind the client to this organization")] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(help="Repeatable: " + ", ".join(directory.PARTNER_SCOPES) + " (default all)"),
    ] = None,
) -> None:
    """Create OAuth2 client credentials; the secret is printed once and stored hashed."""
    with unit_of_work() as session:
        owner = directory.get_partner(session, partner)
        organization = directory.get_organization(session, owner, org) if org else None
        issued = directory.create_client(session, owner, organization=organization, scopes=scope)
        typer.echo(f"client_id: {issued.client.client_id}")
        typer.echo(f"client_secret: {issued.secret}")
        typer.echo(f"scopes: {' '.join(issued.client.scopes)}")


@app.command("list-clients")
def list_clients(partner: str) -> None:
    """List a partner's clients: client id, state, scopes."""
    with unit_of_work() as session:
        for client in directory.list_clients(session, directory.get_partner(session, partner)):
            state = "active" if client.is_active else "revoked"
            typer.echo(f"{client.client_id}\t{state}\t{' '.join(client.scopes)}")


@app.command("revoke-client")
def revoke_client(partner: str, client_id: str) -> None:
    """Revoke a client; its tokens stop working at once."""
    with unit_of_work() as session:
        client = directory.revoke_client(
            session, directory.get_partner(session, partner), client_id
        )
        typer.echo(f"revoked {client.client_id}")


@app.command("add-pull-source")
def add_pull_source(
    partner: str,
    endpoint: Annotated[str, typer.Option(help="The partner's xAPI endpoint (…/xapi)")],
    username: Annotated[str, typer.Option(help="LRS key (HTTP Basic user)")],
    password: Annotated[str, typer.Option(help="LRS secret (HTTP Basic password)")],
) -> None:
    """Remember a partner LRS to pull statement history from."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        source = pull.add_source(
            session,
            directory.get_partner(session, partner),
            endpoint=endpoint,
            username=username,
            password=password,
            credentials_secret=settings.credentials_secret,
        )
        typer.echo(f"pull source: {source.id}")


@app.command("pull")
def pull_history(partner: str, source_id: str) -> None:
    """Queue a pull from the source's cursor (run by `learnloop worker` or the server)."""
    with unit_of_work() as session:
        source = pull.get_source(session, directory.get_partner(session, partner), source_id)
        typer.echo(f"queued job {pull.schedule_pull(session, source)}")


@app.command("add-forwarding-rule")
def add_forwarding_rule(
    endpoint: Annotated[str, typer.Option(help="The target's xAPI endpoint (…/xapi)")],
    username: Annotated[str, typer.Option(help="LRS key (HTTP Basic user)")],
    password: Annotated[str, typer.Option(help="LRS secret (HTTP Basic password)")],
    name: Annotated[str, typer.Option(help="What the rule is for")] = "",
    verb: Annotated[list[str] | None, typer.Option(help="Repeatable verb IRI filter")] = None,
    activity_prefix: Annotated[str | None, typer.Option(help="Activity id prefix")] = None,
    actor_domain: Annotated[str | None, typer.Option(help="Actor email/account domain")] = None,
    partner: Annotated[str | None, typer.Option(help="Only this partner's statements")] = None,
    batch_size: Annotated[int, typer.Option(help="Statements per POST")] = 50,
) -> None:
    """Forward statements matching every given filter to another LRS."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        rule = forwarding.create_rule(
            session,
            name=name,
            endpoint=endpoint,
            username=username,
            password=password,
            credentials_secret=settings.credentials_secret,
            verb_ids=verb or [],
            activity_prefix=activity_prefix,
            actor_domain=actor_domain,
            partner_name=partner,
            batch_size=batch_size,
        )
        typer.echo(f"forwarding rule: {rule.id}")


@app.command("dead-letters")
def dead_letters(rule_id: str) -> None:
    """Statements a forwarding target refused for good: statement id and the answer."""
    with unit_of_work() as session:
        for entry in forwarding.dead_letters(session, rule_id):
            typer.echo(f"{entry.statement_id}\t{entry.last_error}")
