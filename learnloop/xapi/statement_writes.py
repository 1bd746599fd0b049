"""Writing statement rows and their index rows in bulk: the ingest hot path.

PostgreSQL gets one ``INSERT … SELECT FROM jsonb_to_recordset(:rows)`` per table: the
whole batch travels as one JSON text serialised by orjson in a single call, so neither the
driver (array escaping, per-row messages) nor SQLAlchemy (a long multi-row statement to
compile and parse) does work per row in Python. SQLite gets SQLAlchemy's multi-row
``INSERT … RETURNING`` (sqlite3's executemany is already in C).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Table, Text, bindparam, insert, text
from sqlalchemy.orm import Session

from learnloop.xapi.models import StatementActivity, StatementAgent, StatementRow

# Each row of ``write_statement_rows`` has these keys; "statement" is the JSON document.
STATEMENT_COLUMNS = (
    ("statement_id", "varchar"),
    ("actor_key", "varchar"),
    ("actor_account_name", "varchar"),
    ("verb_id", "varchar"),
    ("object_type", "varchar"),
    ("object_activity_id", "varchar"),
    ("object_statement_ref", "varchar"),
    ("registration", "varchar"),
    ("timestamp", "timestamptz"),
    ("stored", "timestamptz"),
    ("authority_key", "varchar"),
    ("voided", "boolean"),
    ("version", "varchar"),
    ("statement", "jsonb"),
)

# Built from the constant column list above, never from input.
_names = ", ".join(f'"{name}"' for name, _ in STATEMENT_COLUMNS)
_record = ", ".join(f'"{name}" {kind}' for name, kind in STATEMENT_COLUMNS)
_INSERT_STATEMENTS_SQL = (
    f"INSERT INTO xapi_statements ({_names}) SELECT {_names} "  # noqa: S608
    f"FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS t({_record}) "
    "RETURNING seq, statement_id"
)
PG_INSERT_STATEMENTS = text(_INSERT_STATEMENTS_SQL)
PG_INSERT_AGENTS = text(
    "INSERT INTO xapi_statement_agents (statement_seq, agent_key, direct) "
    "SELECT s, k, d FROM jsonb_to_recordset(CAST(:rows AS jsonb)) "
    "AS t(s bigint, k varchar, d boolean)"
)
PG_INSERT_ACTIVITIES = text(
    "INSERT INTO xapi_statement_activities (statement_seq, activity_id) "
    "SELECT s, a FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS t(s bigint, a varchar)"
)


def write_statement_rows(
    executor: Session | Connection,
    rows: Sequence[dict[str, Any]],
    agents: Sequence[Sequence[tuple[str, bool]]],
    activities: Sequence[Sequence[str]],
) -> list[int]:
    """Insert statements (``rows`` keyed by STATEMENT_COLUMNS) and their agent and activity
    index rows; return each statement's ``seq``, in the order of ``rows``."""
    if not rows:
        return []
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    if bind.dialect.name == "postgresql":
        return _write_postgresql(executor, rows, agents, activities)
    return _write_generic(executor, rows, agents, activities)


def _write_postgresql(
    executor: Session | Connection,
    rows: Sequence[dict[str, Any]],
    agents: Sequence[Sequence[tuple[str, bool]]],
    activities: Sequence[Sequence[str]],
) -> list[int]:
    returned = executor.execute(PG_INSERT_STATEMENTS, {"rows": orjson.dumps(rows).decode()}).all()
    # Row order of INSERT … SELECT … RETURNING is not promised by SQL: map by id.
    seq_by_id = {statement_id: seq for seq, statement_id in returned}
    seqs = [seq_by_id[row["statement_id"]] for row in rows]
    agent_rows = [
        {"s": seq, "k": key, "d": direct}
        for seq, found in zip(seqs, agents, strict=True)
        for key, direct in found
    ]
    activity_rows = [
        {"s": seq, "a": activity}
        for seq, found in zip(seqs, activities, strict=True)
        for activity in found
    ]
    if agent_rows:
        executor.execute(PG_INSERT_AGENTS, {"rows": orjson.dumps(agent_rows).decode()})
    if activity_rows:
        executor.execute(PG_INSERT_ACTIVITIES, {"rows": orjson.dumps(activity_rows).decode()})
    return seqs


def _write_generic(
    executor: Session | Connection,
    rows: Sequence[dict[str, Any]],
    agents: Sequence[Sequence[tuple[str, bool]]],
    activities: Sequence[Sequence[str]],
) -> list[int]:
    table: Table = StatementRow.__table__  # type: ignore[assignment]
    statement = (
        insert(table)
        .values(statement=bindparam("statement_json", type_=Text))
        .returning(table.c.seq, sort_by_parameter_order=True)
    )
    parameters = [
        {
            **{k: v for k, v in row.items() if k != "statement"},
            "statement_json": orjson.dumps(row["statement"]).decode(),
        }
        for row in rows
    ]
    seqs = [int(row[0]) for row in executor.execute(statement, parameters)]
    agent_rows = [
        {"statement_seq": seq, "agent_key": key, "direct": direct}
        for seq, found in zip(seqs, agents, strict=True)
        for key, direct in found
    ]
    activity_rows = [
        {"statement_seq": seq, "activity_id": activity}
        for seq, found in zip(seqs, activities, strict=True)
        for activity in found
    ]
    if agent_rows:
        executor.execute(insert(StatementAgent.__table__), agent_rows)  # type: ignore[arg-type]
    if activity_rows:
        executor.execute(insert(StatementActivity.__table__), activity_rows)  # type: ignore[arg-type]
    return seqs
