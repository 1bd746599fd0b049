from __future__ import annotations

import secrets
from typing import Annotated

import typer

from learnloop.auth import users as user_service
from learnloop.auth.models import Role
from learnloop.cli.context import unit_of_work
from learnloop.plans.plans import assign_plan

app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)

DEFAULT_PLAN_WORD = "default"


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="Login email")],
    name: Annotated[str, typer.Option(help="Display name")] = "",
    role: Annotated[Role, typer.Option(help="admin, teacher or learner")] = Role.LEARNER,
    password: Annotated[
        str | None,
        typer.Option(help="Password; a random one is generated and printed when omitted"),
    ] = None,
    no_password: Annotated[
        bool, typer.Option(help="Create an account that signs in only through outside tokens")
    ] = False,
    plan: Annotated[str | None, typer.Option(help="Plan id (default: the configured plan)")] = None,
) -> None:
    """Create a user."""
    generated = None
    if password is None and not no_password:
        generated = password = secrets.token_urlsafe(12)
    with unit_of_work() as session:
        user = user_service.create_user(
            session, email=email, display_name=name, role=role, password=password
        )
        if plan is not None:
            assign_plan(session, user, plan)
        typer.echo(f"created {user.role} {user.email} (id {user.id})")
    if generated is not None:
        typer.echo(f"password: {generated}")


@app.command("list")
def list_users(role: Annotated[Role | None, typer.Option()] = None) -> None:
    """List users: id, email, role, plan, name."""
    with unit_of_work() as session:
        for user in user_service.list_users(session, role):
            plan = user.plan_id or DEFAULT_PLAN_WORD
            typer.echo(f"{user.id}\t{user.email}\t{user.role}\t{plan}\t{user.display_name}")


@app.command("set-role")
def set_role(email: str, role: Role) -> None:
    """Change a user's role."""
    with unit_of_work() as session:
        user = user_service.set_role(session, user_service.get_by_email(session, email), role)
        typer.echo(f"{user.email} is now {user.role}")


@app.command("set-plan")
def set_plan(
    email: str,
    plan: Annotated[str, typer.Argument(help=f"Plan id, or '{DEFAULT_PLAN_WORD}'")],
) -> None:
    """Put a user on a plan (or back on the configured default plan)."""
    with unit_of_work() as session:
        user = user_service.get_by_email(session, email)
        assign_plan(session, user, None if plan == DEFAULT_PLAN_WORD else plan)
        typer.echo(f"{user.email} is now on plan {user.plan_id or DEFAULT_PLAN_WORD}")


@app.command("set-password")
def set_password(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a user's password."""
    with unit_of_work() as session:
        user_service.set_password(session, user_service.get_by_email(session, email), password)
        typer.echo(f"password changed for {email}")
