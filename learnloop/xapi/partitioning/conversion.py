"""Converting ``xapi_statements`` into a table partitioned BY RANGE (stored), once.

One transaction, under an ACCESS EXCLUSIVE lock on the statements table and its side
tables: readers and writers wait for it, and a failure leaves the table as it was.

PostgreSQL forbids two things on a partitioned table that the plain table has
(docs: "Limitations" of declarative partitioning, ddl-partitioning.html 5.11.2.3):

- a unique constraint that does not contain the partition key. ``statement_id`` stays
  unique through ``xapi_statement_ids``, a side table keyed by the id that a statement-level
  trigger fills from every INSERT into the statements table, in the same statement: a
  second statement with a stored id fails with a unique violation exactly as the unique
  index did, so statement_writes / statements.store_statements answer it as before
  (xAPI-Communication 2.1.1: same id and content acknowledged, different content 409).
  The primary key becomes (seq, stored).
- foreign keys referencing the partitioned table (it has no unique key on ``seq`` alone).
  The ON DELETE CASCADE of the agent and activity index rows becomes a trigger. Nothing in
  LearnLoop deletes statements (voiding only sets ``voided``), so it guards manual clean-up.

``statement_id`` and ``stored`` are immutable afterwards (a trigger refuses to change them):
a cross-partition UPDATE would be a DELETE plus INSERT, and stored is set once by the LRS
(xAPI-Data 2.4.8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from learnloop.errors import Conflict
from learnloop.xapi.partitioning.catalog import (
    is_partitioned,
    is_postgresql,
    quoted,
    record_interval,
)
from learnloop.xapi.partitioning.layout import (
    DEFAULT_PARTITION,
    STATEMENTS_TABLE,
    PartitionInterval,
    PartitionSpan,
    spans_between,
    upcoming_spans,
)

STATEMENT_IDS_TABLE = "xapi_statement_ids"
OLD_TABLE = "xapi_statements_unpartitioned"
PARTITION_KEY = "stored"
# A guard against an interval far too short for the data's age (a partition per day over
# ten years): thousands of partitions slow planning of every query.
MAX_PARTITIONS = 1000
CONVERSION_LOCK_TIMEOUT = "30s"


class PartitioningUnavailable(Conflict):
    """The database cannot be converted as it stands (SQLite, already done, a constraint
    a partitioned table cannot keep); nothing was changed."""

    code = "partitioning_unavailable"


@dataclass(frozen=True)
class ConversionReport:
    rows: int
    partitions: list[str]
    referencing_tables: list[str]


@dataclass(frozen=True)
class _ReferencingKey:
    table: str
    name: str
    column: str


def convert_statements_table(
    connection: Connection, *, interval: PartitionInterval, ahead: int, now: datetime
) -> ConversionReport:
    """Partition the statements table by ``stored``: one partition per ``interval`` from the
    oldest statement to ``ahead`` intervals after ``now``, and a default partition for
    anything later. Runs in the caller's transaction; commit to keep it."""
    if not is_postgresql(connection):
        raise PartitioningUnavailable(
            "Partitioning the statements table needs PostgreSQL; this server uses "
            f"{connection.dialect.name}, which has no declarative partitioning"
        )
    if is_partitioned(connection):
        raise PartitioningUnavailable("The statements table is already partitioned")
    connection.execute(text(f"SET LOCAL lock_timeout = '{CONVERSION_LOCK_TIMEOUT}'"))
    connection.execute(text("SET LOCAL TimeZone = 'UTC'"))
    referencing = _referencing_keys(connection)
    tables = [STATEMENTS_TABLE, *sorted({key.table for key in referencing})]
    connection.execute(
        text(f"LOCK TABLE {', '.join(quoted(t) for t in tables)} IN ACCESS EXCLUSIVE MODE")
    )
    index_definitions = _plain_index_definitions(connection)
    unique_columns = _unique_constraint_columns(connection)
    primary_key = _primary_key_columns(connection)
    sequences = _owned_sequences(connection)

    for key in referencing:
        connection.execute(
            text(f"ALTER TABLE {quoted(key.table)} DROP CONSTRAINT {quoted(key.name)}")
        )
    connection.execute(
        text(f"ALTER TABLE {quoted(STATEMENTS_TABLE)} RENAME TO {quoted(OLD_TABLE)}")
    )
    _free_index_names(connection)

    connection.execute(
        text(
            f"CREATE TABLE {quoted(STATEMENTS_TABLE)} (LIKE {quoted(OLD_TABLE)} "
            "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS) "
            f"PARTITION BY RANGE ({quoted(PARTITION_KEY)})"
        )
    )
    oldest, newest = connection.execute(
        text(f"SELECT min(stored), max(stored) FROM {quoted(OLD_TABLE)}")  # noqa: S608 (constant)
    ).one()
    last = upcoming_spans(now, interval, ahead)[-1].start
    if newest is not None and newest > last:
        last = newest
    spans = list(spans_between(oldest or now, last, interval))
    if len(spans) > MAX_PARTITIONS:
        raise PartitioningUnavailable(
            f"--interval {interval.value} would make {len(spans)} partitions for statements "
            f"stored since {oldest:%Y-%m-%d}; choose a longer interval (at most "
            f"{MAX_PARTITIONS} partitions)"
        )
    for span in spans:
        create_partition(connection, span)
    connection.execute(
        text(
            f"CREATE TABLE {quoted(DEFAULT_PARTITION)} "
            f"PARTITION OF {quoted(STATEMENTS_TABLE)} DEFAULT"
        )
    )
    # Indexes after the copy: building them once is much faster than maintaining them.
    copied = connection.execute(
        text(f"INSERT INTO {quoted(STATEMENTS_TABLE)} SELECT * FROM {quoted(OLD_TABLE)}")  # noqa: S608 (constant names)
    ).rowcount
    _add_keys_and_indexes(connection, primary_key, unique_columns, index_definitions)
    _keep_statement_ids_unique(connection)
    _install_triggers(connection, referencing)
    for sequence, column in sequences:
        connection.execute(
            text(f"ALTER SEQUENCE {sequence} OWNED BY {quoted(STATEMENTS_TABLE)}.{quoted(column)}")
        )
    connection.execute(text(f"DROP TABLE {quoted(OLD_TABLE)}"))
    record_interval(connection, interval)
    connection.execute(text(f"ANALYZE {quoted(STATEMENTS_TABLE)}"))
    return ConversionReport(
        rows=int(copied),
        partitions=[span.name for span in spans],
        referencing_tables=sorted({key.table for key in referencing}),
    )


def create_partition(connection: Connection, span: PartitionSpan) -> None:
    connection.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {quoted(span.name)} PARTITION OF "
            f"{quoted(STATEMENTS_TABLE)} FOR VALUES FROM ('{_literal(span.start)}') "
            f"TO ('{_literal(span.end)}')"
        )
    )


def _literal(moment: datetime) -> str:
    # DDL takes no bind parameters; this is built from a datetime, never from input.
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


def _referencing_keys(connection: Connection) -> list[_ReferencingKey]:
    """Foreign keys into the statements table. Each must be a single column on ``seq``
    with ON DELETE CASCADE, which the delete trigger can take over; anything else is
    refused rather than silently weakened."""
    rows = connection.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, c.confdeltype, "
            "array_length(c.conkey, 1), a.attname, fa.attname "
            "FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND c.confrelid = to_regclass(:table) ORDER BY 1, 2"
        ),
        {"table": STATEMENTS_TABLE},
    ).all()
    keys = []
    for table, name, on_delete, width, column, target in rows:
        if width != 1 or target != "seq" or on_delete != "c":
            raise PartitioningUnavailable(
                f"{table}.{name} references the statements table in a way the partitioned "
                "table cannot keep (only single-column ON DELETE CASCADE keys on seq are "
                "taken over); convert it by hand or drop it first"
            )
        keys.append(_ReferencingKey(table=table, name=name, column=column))
    return keys


def _constraint_index_names(connection: Connection) -> list[str]:
    return list(
        connection.scalars(
            text(
                "SELECT conindid::regclass::text FROM pg_constraint "
                "WHERE conrelid = to_regclass(:table) AND conindid <> 0"
            ),
            {"table": STATEMENTS_TABLE},
        )
    )


def _plain_index_definitions(connection: Connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX …) of every index that backs no constraint, read from the
    database rather than the models so indexes added by later migrations come along."""
    backing = set(_constraint_index_names(connection))
    rows = connection.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indisunique "
            "FROM pg_index i WHERE i.indrelid = to_regclass(:table) ORDER BY 1"
        ),
        {"table": STATEMENTS_TABLE},
    ).all()
    definitions = []
    for name, definition, unique in rows:
        if name in backing:
            continue
        if unique and PARTITION_KEY not in definition:
            raise PartitioningUnavailable(
                f"unique index {name} does not contain {PARTITION_KEY}, which a partitioned "
                "table cannot enforce; drop it or add its guarantee by hand first"
            )
        definitions.append((name, definition))
    return definitions


def _columns_of(connection: Connection, contype: str) -> list[list[str]]:
    rows = connection.execute(
        text(
            "SELECT array_agg(a.attname ORDER BY k.ordinality) FROM pg_constraint c "
            "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ordinality) "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
            "WHERE c.conrelid = to_regclass(:table) AND c.contype = :contype "
            "GROUP BY c.oid ORDER BY c.oid"
        ),
        {"table": STATEMENTS_TABLE, "contype": contype},
    ).all()
    return [list(row[0]) for row in rows]


def _primary_key_columns(connection: Connection) -> list[str]:
    keys = _columns_of(connection, "p")
    if not keys:
        raise PartitioningUnavailable("the statements table has no primary key")
    return keys[0]


def _unique_constraint_columns(connection: Connection) -> list[list[str]]:
    constraints = _columns_of(connection, "u")
    for columns in constraints:
        if PARTITION_KEY not in columns and columns != ["statement_id"]:
            raise PartitioningUnavailable(
                f"the unique constraint on ({', '.join(columns)}) cannot be kept on a table "
                f"partitioned by {PARTITION_KEY}; drop it or convert by hand"
            )
    return constraints


def _owned_sequences(connection: Connection) -> list[tuple[str, str]]:
    rows = connection.execute(
        text(
            "SELECT a.attname, pg_get_serial_sequence(:table, a.attname) FROM pg_attribute a "
            "WHERE a.attrelid = to_regclass(:table) AND a.attnum > 0 AND NOT a.attisdropped"
        ),
        {"table": STATEMENTS_TABLE},
    ).all()
    return [(str(sequence), str(column)) for column, sequence in rows if sequence]


def _free_index_names(connection: Connection) -> None:
    """Drop the old table's constraints and indexes: index names are unique per schema and
    the partitioned table takes them over. The old table is dropped at the end anyway."""
    for name in connection.scalars(
        text(
            "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(:table) "
            "AND contype IN ('p', 'u', 'x')"
        ),
        {"table": OLD_TABLE},
    ).all():
        connection.execute(text(f"ALTER TABLE {quoted(OLD_TABLE)} DROP CONSTRAINT {quoted(name)}"))
    for name in connection.scalars(
        text(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = to_regclass(:table)"
        ),
        {"table": OLD_TABLE},
    ).all():
        connection.execute(text(f"DROP INDEX {quoted(name)}"))


def _add_keys_and_indexes(
    connection: Connection,
    primary_key: list[str],
    unique_columns: list[list[str]],
    index_definitions: list[tuple[str, str]],
) -> None:
    table = quoted(STATEMENTS_TABLE)
    key_columns = [*primary_key, *([PARTITION_KEY] if PARTITION_KEY not in primary_key else [])]
    connection.execute(
        text(
            f"ALTER TABLE {table} ADD CONSTRAINT {quoted('pk_' + STATEMENTS_TABLE)} "
            f"PRIMARY KEY ({', '.join(quoted(c) for c in key_columns)})"
        )
    )
    for columns in unique_columns:
        listed = ", ".join(quoted(c) for c in columns)
        if PARTITION_KEY in columns:
            name = quoted(f"uq_{STATEMENTS_TABLE}_{'_'.join(columns)}")
            connection.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({listed})"))
        else:
            # Lookups by id still use an index per partition; uniqueness moves to the
            # side table (_keep_statement_ids_unique).
            name = quoted(f"ix_{STATEMENTS_TABLE}_{'_'.join(columns)}")
            connection.execute(text(f"CREATE INDEX {name} ON {table} ({listed})"))
    for _name, definition in index_definitions:
        # pg_get_indexdef names the table schema-qualified: the new table has its name.
        connection.execute(text(definition))


def _keep_statement_ids_unique(connection: Connection) -> None:
    connection.execute(
        text(
            f"CREATE TABLE {quoted(STATEMENT_IDS_TABLE)} ("
            "statement_id varchar(36) NOT NULL, stored timestamptz NOT NULL, "
            f"CONSTRAINT {quoted('pk_' + STATEMENT_IDS_TABLE)} PRIMARY KEY (statement_id))"
        )
    )
    connection.execute(
        text(
            f"INSERT INTO {quoted(STATEMENT_IDS_TABLE)} (statement_id, stored) "  # noqa: S608 (constant names)
            f"SELECT statement_id, stored FROM {quoted(STATEMENTS_TABLE)}"
        )
    )


def _install_triggers(connection: Connection, referencing: list[_ReferencingKey]) -> None:
    statements = quoted(STATEMENTS_TABLE)
    ids = quoted(STATEMENT_IDS_TABLE)
    index_clean_up = "".join(
        f"DELETE FROM {quoted(key.table)} WHERE {quoted(key.column)} IN "  # noqa: S608 (catalog names, quoted())
        "(SELECT seq FROM removed_rows); "
        for key in referencing
    )
    truncated = ", ".join(quoted(t) for t in [STATEMENT_IDS_TABLE, *(k.table for k in referencing)])
    for sql in (
        # One set-based INSERT per statement: a batch of 1,000 statements costs one query.
        "CREATE FUNCTION learnloop_xapi_statement_ids_add() RETURNS trigger "  # noqa: S608 (constant names)
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO {ids} (statement_id, stored) SELECT statement_id, stored FROM added_rows; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER xapi_statement_ids_add AFTER INSERT ON {statements} "
        "REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION learnloop_xapi_statement_ids_add()",
        "CREATE FUNCTION learnloop_xapi_statements_removed() RETURNS trigger "  # noqa: S608 (constant names)
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"DELETE FROM {ids} WHERE statement_id IN (SELECT statement_id FROM removed_rows); "
        f"{index_clean_up}RETURN NULL; END $$",
        f"CREATE TRIGGER xapi_statements_removed AFTER DELETE ON {statements} "
        "REFERENCING OLD TABLE AS removed_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION learnloop_xapi_statements_removed()",
        "CREATE FUNCTION learnloop_xapi_statements_truncated() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN TRUNCATE {truncated}; RETURN NULL; END $$",
        f"CREATE TRIGGER xapi_statements_truncated AFTER TRUNCATE ON {statements} "
        "FOR EACH STATEMENT EXECUTE FUNCTION learnloop_xapi_statements_truncated()",
        "CREATE FUNCTION learnloop_xapi_statements_keys_fixed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'check_violation', "
        "MESSAGE = 'xapi_statements: statement_id and stored never change "
        "(stored is the partition key)'; END $$",
        f"CREATE TRIGGER xapi_statements_keys_fixed BEFORE UPDATE OF statement_id, stored "
        f"ON {statements} FOR EACH ROW WHEN (OLD.statement_id IS DISTINCT FROM "
        "NEW.statement_id OR OLD.stored IS DISTINCT FROM NEW.stored) "
        "EXECUTE FUNCTION learnloop_xapi_statements_keys_fixed()",
    ):
        connection.execute(text(sql))
