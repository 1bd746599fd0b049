"""What every command needs: settings from the environment and a migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.db import Database
from learnloop.errors import AppError


def load_settings() -> Settings:
    return Settings()


def missing_sqlite_file(settings: Settings) -> Path | None:
    """The embedded database file when the settings name one that does not exist yet."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    return None if path.exists() else path


def open_database(settings: Settings, *, create: bool = False) -> Database:
    """The configured database; a command run from another folder must not quietly start
    an empty one there, so a missing SQLite file is an error unless ``create`` (serve,
    ``db upgrade``, ``restore``) is asked for."""
    missing = missing_sqlite_file(settings)
    if missing is not None and not create:
        typer.secho(
            f"error: no LearnLoop database at {missing.resolve()}. Run this command in the "
            "folder where the server runs, set LEARNLOOP_DATA_DIR (or "
            "LEARNLOOP_DATABASE_URL) to its data, or start `learnloop serve` first.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(code=1)
    return Database.from_url(settings.resolved_database_url, echo=settings.sql_echo)


@contextmanager
def unit_of_work(settings: Settings | None = None) -> Iterator[Session]:
    """One committed transaction; an ``AppError`` becomes a clean exit with its message."""
    database = open_database(settings or load_settings())
    try:
        with database.transaction() as session:
            yield session
    except AppError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    finally:
        database.engine.dispose()
