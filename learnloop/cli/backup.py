"""``learnloop backup`` and ``learnloop restore``: database and files in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from learnloop.cli.context import load_settings, open_database
from learnloop.errors import AppError
from learnloop.operations.backup import create_backup, restore_backup
from learnloop.storage import build_storage


def backup(
    archive: Annotated[Path, typer.Argument(help="The archive to write (a .tar file).")],
) -> None:
    """Snapshot the database and copy every stored file into ARCHIVE (servers may run)."""
    settings = load_settings()
    database = open_database(settings)
    try:
        summary = create_backup(database, build_storage(settings), archive)
    except AppError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    finally:
        database.engine.dispose()
    typer.echo(f"backup: {archive}")
    typer.echo(f"database: {summary.dialect} (revision {summary.revision})")
    typer.echo(f"files: {summary.files}")
    for key in summary.missing_files:
        typer.secho(f"warning: {key} was deleted while the backup ran", err=True)


def restore(
    archive: Annotated[Path, typer.Argument(help="An archive written by learnloop backup.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database and storage that hold data.")
    ] = False,
) -> None:
    """Write ARCHIVE's database and files back. Stop servers and workers first."""
    if not archive.is_file():
        typer.secho(f"error: no such archive: {archive}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    settings = load_settings()
    database = open_database(settings, create=True)
    try:
        summary = restore_backup(database, build_storage(settings), archive, force=force)
    except AppError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    finally:
        database.engine.dispose()
    typer.echo(f"restored: {summary.dialect} (revision {summary.revision}), files: {summary.files}")
