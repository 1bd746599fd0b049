"""What PostgreSQL's catalog says about the statements table: is it partitioned, with
which interval, which partitions exist and how full the default partition is.

The interval chosen at conversion is kept in the table's comment, so it travels with the
schema (``pg_dump`` keeps it) and the job needs no setting that could disagree with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

from learnloop.xapi.partitioning.layout import (
    DEFAULT_PARTITION,
    STATEMENTS_TABLE,
    PartitionInterval,
)

COMMENT_PREFIX = "learnloop: partitioned by stored, interval="
_SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def quoted(name: str) -> str:
    """An identifier for DDL, which takes no bind parameters. Every name used here is
    built from constants and dates; anything else is refused rather than escaped."""
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unexpected identifier {name!r}")
    return f'"{name}"'


@dataclass(frozen=True)
class PartitionInfo:
    name: str
    bounds: str  # PostgreSQL's own text, e.g. FOR VALUES FROM (…) TO (…)
    estimated_rows: int


@dataclass(frozen=True)
class PartitionStatus:
    partitioned: bool
    interval: PartitionInterval | None
    partitions: list[PartitionInfo]
    default_rows: int


def is_postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def is_partitioned(connection: Connection) -> bool:
    return bool(
        connection.scalar(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table "
                "WHERE partrelid = to_regclass(:table))"
            ),
            {"table": STATEMENTS_TABLE},
        )
    )


def stored_interval(connection: Connection) -> PartitionInterval | None:
    comment = connection.scalar(
        text("SELECT obj_description(to_regclass(:table), 'pg_class')"),
        {"table": STATEMENTS_TABLE},
    )
    if not comment or not str(comment).startswith(COMMENT_PREFIX):
        return None
    return PartitionInterval(str(comment).removeprefix(COMMENT_PREFIX).strip())


def record_interval(connection: Connection, interval: PartitionInterval) -> None:
    connection.execute(
        text(f"COMMENT ON TABLE {quoted(STATEMENTS_TABLE)} IS '{COMMENT_PREFIX}{interval.value}'")
    )


def partition_status(connection: Connection) -> PartitionStatus:
    if not is_postgresql(connection) or not is_partitioned(connection):
        return PartitionStatus(False, None, [], 0)
    # Bounds are printed in the session's time zone: UTC, like every ``stored`` value.
    connection.execute(text("SET LOCAL TimeZone = 'UTC'"))
    rows = connection.execute(
        text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), "
            "greatest(c.reltuples, 0)::bigint "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(:table) ORDER BY c.relname"
        ),
        {"table": STATEMENTS_TABLE},
    ).all()
    default_rows = int(
        connection.scalar(text(f"SELECT count(*) FROM {quoted(DEFAULT_PARTITION)}")) or 0  # noqa: S608 (constant name)
    )
    return PartitionStatus(
        partitioned=True,
        interval=stored_interval(connection),
        partitions=[PartitionInfo(name, bounds, int(rows)) for name, bounds, rows in rows],
        default_rows=default_rows,
    )


def partition_exists(connection: Connection, name: str) -> bool:
    return connection.scalar(text("SELECT to_regclass(:name)"), {"name": name}) is not None
