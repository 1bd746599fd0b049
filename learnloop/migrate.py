"""Schema migrations (Alembic) driven from Python: ``learnloop db upgrade`` and the tests."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine

from learnloop.models import Base


def alembic_config(url: str = "", connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "learnloop:migrations")
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    # "heads": domains add their revisions on branches of their own; a later merge
    # revision joins them, and until then every branch is applied.
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), revision)


def drift(engine: Engine) -> list[Any]:
    """What autogenerate would change: empty when the migrations match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": engine.dialect.name == "sqlite"},
        )
        return list(compare_metadata(context, Base.metadata))
