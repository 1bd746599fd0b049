"""What every command needs: settings from the environment and a migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.db import Database
from learnloop.errors import AppError


def load_settings() -> Settings:
    return Settings()


def open_database(settings: Settings) -> Database:
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
