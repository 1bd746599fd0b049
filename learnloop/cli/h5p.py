"""``learnloop h5p``: import .h5p packages, upgrade content, install from the hub."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from learnloop.auth import users as user_service
from learnloop.cli.context import load_settings
from learnloop.errors import AppError, NotFound
from learnloop.h5p.errors import PackageValidationError
from learnloop.h5p.hub import cache as hub_cache
from learnloop.h5p.hub.install import install_essentials, install_from_hub
from learnloop.h5p.hub.tasks import hub_client
from learnloop.h5p.importer import import_package
from learnloop.h5p.upgrades.service import request_upgrade, run_upgrade_batch
from learnloop.main import Services, build_services

app = typer.Typer(help="H5P packages and content.", no_args_is_help=True)


def _describe(error: AppError) -> str:
    if isinstance(error, PackageValidationError):
        return "; ".join(f"{p.error_id}: {p.message}" for p in error.problems)
    return error.message


def package_paths(paths: list[Path]) -> list[Path]:
    """The packages named: a file as it is, a folder as the ``.h5p`` files in it."""
    packages: list[Path] = []
    for path in paths:
        if not path.is_dir():
            packages.append(path)
            continue
        found = sorted(child for child in path.glob("*.h5p") if child.is_file())
        if not found:
            raise typer.BadParameter(f"{path} holds no .h5p packages")
        packages.extend(found)
    return packages


@app.command("import")
def import_files(
    files: Annotated[
        list[Path], typer.Argument(help=".h5p packages or folders of them", exists=True)
    ],
    owner: Annotated[
        str | None, typer.Option(help="E-mail of the teacher who will own the content")
    ] = None,
) -> None:
    """Validate and import each package (each in its own transaction)."""
    files = package_paths(files)
    settings = load_settings()
    services = build_services(settings)
    failures = 0
    try:
        owner_id: str | None = None
        if owner is not None:
            with services.database.transaction() as session:
                owner_id = user_service.get_by_email(session, owner).id
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=len(files) < 2,
        ) as progress:
            task = progress.add_task("importing", total=len(files))
            for path in files:
                progress.update(task, description=path.name)
                try:
                    with services.database.transaction() as session, path.open("rb") as handle:
                        user = user_service.get_user(session, owner_id) if owner_id else None
                        # The operator at the console is the server's administrator.
                        result = import_package(
                            session,
                            services.storage,
                            settings,
                            user,
                            handle,
                            may_install_libraries=True,
                        )
                    progress.console.print(
                        f"{path.name}: content {result.content_id} "
                        f"({result.installed_libraries} libraries installed, "
                        f"{result.upgraded_libraries} upgraded)"
                    )
                except AppError as exc:
                    failures += 1
                    progress.console.print(f"[red]{path.name}: {_describe(exc)}[/red]")
                progress.advance(task)
    except AppError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    finally:
        services.http.close()
        services.database.engine.dispose()
    if failures:
        typer.secho(f"{failures} of {len(files)} package(s) failed", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)


@app.command("upgrade-content")
def upgrade_content_command(
    library: Annotated[str, typer.Argument(help='The target version, e.g. "H5P.MultiChoice 1.16"')],
    content: Annotated[
        str | None, typer.Option(help="Upgrade only this content id (default: every item)")
    ] = None,
) -> None:
    """Move content on older versions of a content type to ``library`` with the library's
    own upgrades.js, batch by batch (each batch committed); prints each failure and exits 1
    if any item could not be upgraded (those items stay as they were)."""
    settings = load_settings()
    services = build_services(settings)
    try:
        with services.database.transaction() as session:
            run_id = request_upgrade(session, None, library, content, queue_job=False).id
        while True:
            with services.database.transaction() as session:
                run = run_upgrade_batch(session, services.storage, run_id, queue_next=False)
                if run is None:
                    raise NotFound(f"Upgrade {run_id} disappeared")
                done, total, failed = run.upgraded + run.failed, run.total, run.failed
                finished, errors = run.status == "done", list(run.errors)
            typer.echo(f"{done}/{total} processed")
            if finished:
                break
    except AppError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    finally:
        services.http.close()
        services.database.engine.dispose()
    for error in errors:
        typer.secho(
            f"{error.get('contentId')}: {error.get('error')}", fg=typer.colors.RED, err=True
        )
    typer.echo(f"{total - failed} of {total} item(s) upgraded to {library}, {failed} failed")
    if failed:
        raise typer.Exit(code=1)


hub_app = typer.Typer(help="Content types from the H5P Hub.", no_args_is_help=True)
app.add_typer(hub_app, name="hub")


def _run_hub(action: Callable[[Session, Services], str]) -> None:
    """Run ``action`` in one transaction; print its summary, or the error and exit 1."""
    settings = load_settings()
    services = build_services(settings)
    try:
        with services.database.transaction() as session:
            summary = action(session, services)
    except AppError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    finally:
        services.http.close()
        services.database.engine.dispose()
    typer.echo(summary)


@hub_app.command("refresh")
def hub_refresh() -> None:
    """Refresh the content-type cache from the hub."""

    def refresh(session: Session, services: Services) -> str:
        client = hub_client(services.settings, services.http)
        count = hub_cache.refresh_cache(session, services.settings, client)
        return f"{count} content types cached from {services.settings.h5p_hub_url}"

    _run_hub(refresh)


@hub_app.command("install")
def hub_install(
    machine_name: Annotated[str, typer.Argument(help="e.g. H5P.MultiChoice")],
) -> None:
    """Download a content type from the hub and install its libraries."""

    def install(session: Session, services: Services) -> str:
        client = hub_client(services.settings, services.http)
        result = install_from_hub(
            session, services.storage, services.settings, client, machine_name
        )
        return (
            f"{machine_name}: {len(result.installed)} libraries installed, "
            f"{len(result.upgraded)} upgraded"
        )

    _run_hub(install)


@hub_app.command("install-essentials")
def hub_install_essentials() -> None:
    """Install the essential content types the hub offers; prints a line per type."""

    def install(session: Session, services: Services) -> str:
        client = hub_client(services.settings, services.http)
        report = install_essentials(session, services.storage, services.settings, client)
        lines = [
            f"{result.name}: " + ("installed" if result.success else f"failed ({result.error})")
            for result in report.results
        ]
        if report.refresh_error:
            lines.insert(0, f"hub refresh failed, used the cache: {report.refresh_error}")
        lines.append(f"Installed {report.installed}/{len(report.results)} content types")
        return "\n".join(lines)

    _run_hub(install)
