"""Writing statement rows and their index rows in bulk: the ingest hot path.

PostgreSQL gets one ``INSERT … SELECT FROM jsonb_to_recordset(:rows)`` per table
(``db.json_rows_insert``): the whole batch travels as one JSON text serialised by orjson
in a single call, so neither the driver (array escaping, per-row messages) nor
SQLAlchemy (a long multi-row statement to compile and parse) does work per row in
Python. SQLite gets SQLAlchemy's multi-row ``INSERT … RETURNING`` (sqlite3's executemany
is already in C).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Table, Text, bindparam, insert
from sqlalchemy.orm import Session

from learnloop.db import dialect_name, json_list, json_rows_insert
from learnloop.xapi.models import StatementActivity, StatementAgent, StatementRow

STATEMENTS: Table = StatementRow.__table__  # type: ignore[assignment]
AGENTS: Table = StatementAgent.__table__  # type: ignore[assignment]
ACTIVITIES: Table = StatementActivity.__table__  # type: ignore[assignment]

# Each row of ``write_statement_rows`` has these keys; "statement" is the JSON document.
STATEMENT_COLUMNS = (
    "statement_id",
    "actor_key",
    "actor_account_name",
    "verb_id",
    "object_type",
    "object_activity_id",
    "object_statement_ref",
    "registration",
    "timestamp",
    "stored",
    "authority_key",
    "voided",
    "version",
    "statement",
)
# Built once, at import: nothing here connects.
PG_INSERT_STATEMENTS = json_rows_insert(STATEMENTS, STATEMENT_COLUMNS).returning(
    STATEMENTS.c.seq, STATEMENTS.c.statement_id
)
PG_INSERT_AGENTS = json_rows_insert(AGENTS, ("statement_seq", "agent_key", "direct"))
PG_INSERT_ACTIVITIES = json_rows_insert(ACTIVITIES, ("statement_seq", "activity_id"))
# SQLite's: the document is bound as JSON text serialised by orjson.
INSERT_STATEMENTS = (
    insert(STATEMENTS)
    .values(statement=bindparam("statement_json", type_=Text))
    .returning(STATEMENTS.c.seq, sort_by_parameter_order=True)
)
INSERT_AGENTS = insert(AGENTS)
INSERT_ACTIVITIES = insert(ACTIVITIES)


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
    is_postgresql = dialect_name(executor) == "postgresql"
    if is_postgresql:
        returned = executor.execute(PG_INSERT_STATEMENTS, {"rows": json_list(rows)}).all()
        # Row order of INSERT … SELECT … RETURNING is not promised by SQL: map by id.
        seq_by_id = {statement_id: seq for seq, statement_id in returned}
        seqs = [seq_by_id[row["statement_id"]] for row in rows]
    else:
        seqs = _insert_statements_generic(executor, rows)
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
    for pg_insert, generic_insert, index_rows in (
        (PG_INSERT_AGENTS, INSERT_AGENTS, agent_rows),
        (PG_INSERT_ACTIVITIES, INSERT_ACTIVITIES, activity_rows),
    ):
        if not index_rows:
            continue
        if is_postgresql:
            executor.execute(pg_insert, {"rows": json_list(index_rows)})
        else:
            executor.execute(generic_insert, index_rows)
    return seqs


def _insert_statements_generic(
    executor: Session | Connection, rows: Sequence[dict[str, Any]]
) -> list[int]:
    parameters = [
        {
            **{k: v for k, v in row.items() if k != "statement"},
            "statement_json": orjson.dumps(row["statement"]).decode(),
        }
        for row in rows
    ]
    return [int(row[0]) for row in executor.execute(INSERT_STATEMENTS, parameters)]
