"""The database work of one single-statement POST, pinned.

A single statement is what H5P players and cmi5 AUs send per event, so this is the LRS's
busiest request. Every SQL statement it sends is listed here: a new query on this path
should be a decision, not an accident.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from tests.xapi.conftest import LrsCredentials, statement

# What a fresh statement from a known LRS client costs, in order.
EXPECTED = [
    "SELECT xapi_statements",  # stored duplicates and voids of the batch (one query)
    "INSERT INTO xapi_statements",
    "INSERT INTO xapi_statement_agents",
    "INSERT INTO xapi_statement_activities",
    "SELECT xapi_activities",  # activity definitions to merge (activity_definitions)
]


@pytest.fixture
def executed(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        statements.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


def _summary(sql: str) -> str | None:
    words = sql.split()
    if words[0] in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
        return None  # the transaction itself (savepoints are the test harness's)
    if words[0] == "SELECT":
        table = words[words.index("FROM") + 1]
        return f"SELECT {table}"
    return " ".join(words[:3])


def _post(client: TestClient, lrs: LrsCredentials) -> None:
    response = client.post(
        "/xapi/statements", json=statement(id=str(uuid.uuid4())), headers=lrs.headers
    )
    assert response.status_code == 200, response.text


def test_a_single_statement_post_sends_five_sql_statements(
    client: TestClient, lrs: LrsCredentials, executed: list[str]
) -> None:
    _post(client, lrs)  # the first request fills the credential and rule caches
    executed.clear()
    _post(client, lrs)
    assert [s for s in map(_summary, executed) if s is not None] == EXPECTED
