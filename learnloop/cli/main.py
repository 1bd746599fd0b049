"""``learnloop``: serve, migrate, manage users, plans and tokens, run the worker."""

from __future__ import annotations

import os
import secrets
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
import uvicorn

from learnloop.auth import users as user_service
from learnloop.auth.models import Role
from learnloop.auth.tokens import issue_token
from learnloop.cli import analytics as analytics_cli
from learnloop.cli import backup as backup_cli
from learnloop.cli import clients as clients_cli
from learnloop.cli import cmi5 as cmi5_cli
from learnloop.cli import h5p as h5p_cli
from learnloop.cli import lti as lti_cli
from learnloop.cli import partitions as partitions_cli
from learnloop.cli import partners as partners_cli
from learnloop.cli import users as users_cli
from learnloop.cli.context import load_settings, open_database, unit_of_work
from learnloop.config import Settings, listening_base_url
from learnloop.main import build_worker, create_app
from learnloop.migrate import upgrade
from learnloop.plans.plans import feature_list, list_plans
from learnloop.requestlog import configure_logging

app = typer.Typer(help="LearnLoop: H5P content server and xAPI LRS.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
tokens_app = typer.Typer(help="Issue API tokens.", no_args_is_help=True)
plans_app = typer.Typer(help="Subscription plans.", no_args_is_help=True)
app.add_typer(db_app, name="db")
db_app.command("partition-statements")(partitions_cli.partition_statements)
app.add_typer(users_cli.app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(plans_app, name="plans")
app.add_typer(h5p_cli.app, name="h5p")
app.add_typer(cmi5_cli.app, name="cmi5")
app.add_typer(clients_cli.app, name="clients")
app.add_typer(partners_cli.app, name="partners")
app.add_typer(lti_cli.app, name="lti")
app.add_typer(analytics_cli.app, name="analytics")
app.command("backup")(backup_cli.backup)
app.command("restore")(backup_cli.restore)

FIRST_ADMIN_EMAIL = "admin@learnloop.local"
FIRST_ADMIN_FILE = "first-admin.txt"


def migrate_database(settings: Settings) -> None:
    database = open_database(settings, create=True)
    try:
        upgrade(database.engine)
    finally:
        database.engine.dispose()


@dataclass(frozen=True)
class FirstAdmin:
    email: str
    password: str
    credentials_file: Path


def ensure_first_admin(settings: Settings) -> FirstAdmin | None:
    """Create an admin when the database has no user; its password goes into a 0600 file."""
    with unit_of_work(settings) as session:
        if user_service.count_users(session) > 0:
            return None
        email = os.environ.get("LEARNLOOP_ADMIN_EMAIL", FIRST_ADMIN_EMAIL)
        password = os.environ.get("LEARNLOOP_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user_service.create_user(
            session, email=email, display_name="Administrator", role=Role.ADMIN, password=password
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    credentials = settings.data_dir / FIRST_ADMIN_FILE
    # Created with mode 0600 (no moment where another user could read it).
    credentials.unlink(missing_ok=True)
    descriptor = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(f"email: {email}\npassword: {password}\n")
    return FirstAdmin(email, password, credentials)


def announce_first_admin(first_admin: FirstAdmin, stream: TextIO) -> None:
    """Tell the operator, never through the logger: the password only to a terminal.

    When standard output is redirected it usually is the server log (systemd, docker,
    ``> server.log``), which must not hold a password: then only the file is named.
    """
    where = (
        f"(saved in {first_admin.credentials_file}; change it with "
        f"`learnloop users set-password {first_admin.email}`)"
    )
    if stream.isatty():
        text = (
            f"Created the first admin account.\n  email:    {first_admin.email}\n"
            f"  password: {first_admin.password}\n{where}"
        )
    else:
        text = (
            f"Created the first admin account {first_admin.email}; its password is in "
            f"{first_admin.credentials_file} (readable by this user only)"
        )
    typer.secho(text, file=stream, fg=typer.colors.GREEN)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    settings = load_settings()
    migrate_database(settings)
    typer.echo(f"database at {settings.resolved_database_url.split('@')[-1]} is up to date")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int, typer.Option(help="Server processes (PostgreSQL only)")] = 1,
) -> None:
    """Migrate, make sure an admin exists, and serve HTTP."""
    settings = load_settings()
    configure_logging(settings.log_level)
    migrate_database(settings)
    first_admin = ensure_first_admin(settings)
    if first_admin is not None:
        announce_first_admin(first_admin, sys.stdout)
    bind_host = host or settings.host
    bind_port = port or settings.port
    if "base_url" not in settings.model_fields_set:
        # Embed codes, share links and activity ids name the address really served, not
        # the default :8000; the server processes read it from the environment.
        os.environ["LEARNLOOP_BASE_URL"] = listening_base_url(bind_host, bind_port)
    login_hint = Path(settings.data_dir / FIRST_ADMIN_FILE)
    typer.echo(f"LearnLoop on http://{bind_host}:{bind_port}  (first admin: {login_hint})")
    if workers > 1 and settings.is_sqlite:
        typer.secho("SQLite serves from one process; ignoring --workers", err=True)
        workers = 1
    # uvicorn's access log would print full URLs, ?token= included: ours redacts it.
    uvicorn.run(
        "learnloop.main:create_app_from_env",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers,
        access_log=False,
        # Logging is set up by the app factory (JSON lines), not by uvicorn's own config.
        log_config=None,
        log_level=settings.log_level.lower(),
    )


@app.command()
def worker() -> None:
    """Run background jobs until interrupted (PostgreSQL deployments)."""
    settings = load_settings()
    configure_logging(settings.log_level)
    # The app's services: its statement hooks and job handlers, as the server has them.
    services = create_app(settings).state.services
    stop = threading.Event()

    def _stop(*_args: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    build_worker(services).run_forever(stop)


@tokens_app.command("issue")
def tokens_issue(
    email: str,
    ttl: Annotated[int | None, typer.Option(help="Lifetime in seconds")] = None,
) -> None:
    """Print a bearer token for a user (for scripts and tests)."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        user = user_service.get_by_email(session, email)
        token, _expires = issue_token(settings, user, ttl)
    typer.echo(token)


@plans_app.command("list")
def plans_list() -> None:
    """List plans with their features and quotas."""
    with unit_of_work() as session:
        for plan in list_plans(session):
            features = ",".join(feature_list(plan)) or "-"
            quotas = ",".join(f"{k}={v}" for k, v in plan.quotas.items()) or "unlimited"
            typer.echo(f"{plan.id}\t{plan.name}\tfeatures={features}\tquotas={quotas}")


if __name__ == "__main__":
    app()
