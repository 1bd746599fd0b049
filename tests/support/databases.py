"""Creating real, migrated test databases on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from learnloop.db import build_engine, utcnow
from learnloop.migrate import upgrade
from learnloop.xapi.partitioning.conversion import convert_statements_table
from learnloop.xapi.partitioning.layout import PartitionInterval

PG_MAINTENANCE_DB = "postgres"


def test_database_url(sqlite_dir: Path | None = None) -> str:
    url = os.environ.get("LEARNLOOP_TEST_DATABASE_URL", "")
    if url:
        return url
    directory = sqlite_dir or Path("/tmp")
    return f"sqlite:///{(directory / 'learnloop-test.db').as_posix()}"


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql")


def recreate_postgres_database(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"refusing to recreate database {name!r}")
    admin_engine = create_engine(
        parsed.set(database=PG_MAINTENANCE_DB), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin_engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin_engine.dispose()


def create_fresh_database(url: str) -> str:
    """Empty the database named by ``url`` (or the SQLite file) and migrate it to head."""
    if is_postgresql(url):
        recreate_postgres_database(url)
    else:
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = build_engine(url)
    try:
        upgrade(engine)
        if is_postgresql(url) and os.environ.get("LEARNLOOP_TEST_PARTITIONED") == "1":
            # Runs the suite against a statements table partitioned by stored time.
            with engine.begin() as connection:
                convert_statements_table(
                    connection, interval=PartitionInterval.MONTH, ahead=3, now=utcnow()
                )
    finally:
        engine.dispose()
    return url


def sibling_database_url(url: str, tmp_dir: Path) -> str:
    """A new, separate database beside the test database (for tests that must commit)."""
    suffix = uuid.uuid4().hex[:8]
    if is_postgresql(url):
        parsed = make_url(url)
        return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(
            hide_password=False
        )
    return f"sqlite:///{(tmp_dir / f'committed-{suffix}.db').as_posix()}"


def drop_postgres_database(url: str) -> None:
    parsed = make_url(url)
    admin_engine = create_engine(
        parsed.set(database=PG_MAINTENANCE_DB), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin_engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin_engine.dispose()
