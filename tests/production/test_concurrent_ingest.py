"""Many concurrent clients on a real server, and the SQLite write lock hand-over.

64 clients start at once with credentials the server has not seen (so every request
misses the credential cache together) and POST single statements: every one must be
answered 2xx. Before credential look-ups got a session of their own, a request could hold
a connection (on SQLite also the write lock) while waiting for a handler thread that
every other request was blocking, and the server answered 500 after the pool timeout.
"""

from __future__ import annotations

import base64
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from learnloop.db import Database, _sqlite_write_lock
from learnloop.xapi.credentials import create_client
from tests.support.databases import is_postgresql
from tests.support.live_server import start_live_server

CLIENTS = 64
STATEMENTS_PER_CLIENT = 5


def _statement() -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": "mailto:learner@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "http://example.com/activities/page"},
    }


def test_64_concurrent_clients_get_no_errors(committed_database_url: str, tmp_path: Path) -> None:
    database = Database.from_url(committed_database_url)
    with database.transaction() as session:
        issued = create_client(session, name="load", scopes=("all",))
        key, secret = issued.client.key, issued.secret
    server = start_live_server(committed_database_url, tmp_path / "live")
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
    start = threading.Barrier(CLIENTS)

    def client(_index: int) -> list[int]:
        statuses = []
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
            start.wait()
            for _ in range(STATEMENTS_PER_CLIENT):
                statuses.append(http.post("/xapi/statements", json=_statement()).status_code)
        return statuses

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = [status for batch in pool.map(client, range(CLIENTS)) for status in batch]
    finally:
        server.stop()
    assert sorted(set(statuses)) == [200], server.log()[-3000:]
    with database.session() as session:
        stored = session.execute(text("SELECT count(*) FROM xapi_statements")).scalar_one()
    database.engine.dispose()
    assert stored == CLIENTS * STATEMENTS_PER_CLIENT


@pytest.fixture
def sqlite_database(tmp_path: Path, database_url: str) -> Database:
    if is_postgresql(database_url):
        pytest.skip("the in-process write lock is SQLite's")
    return Database.from_url(f"sqlite:///{tmp_path / 'lock.db'}")


def test_the_sqlite_write_lock_is_given_back_however_a_transaction_ends(
    sqlite_database: Database, tmp_path: Path
) -> None:
    lock = _sqlite_write_lock(str(tmp_path / "lock.db"))
    with sqlite_database.session() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        assert lock.locked()
        session.commit()
    assert not lock.locked()
    with sqlite_database.session() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        session.rollback()
    assert not lock.locked()
    with sqlite_database.session() as session:
        session.execute(text("INSERT INTO t VALUES (2)"))
    assert not lock.locked(), "closing a session with an open transaction releases it"
    with pytest.raises(ZeroDivisionError), sqlite_database.transaction() as session:
        session.execute(text("INSERT INTO t VALUES (3)"))
        raise ZeroDivisionError
    assert not lock.locked()
    with sqlite_database.session() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    sqlite_database.engine.dispose()


def test_concurrent_sqlite_writers_take_turns(sqlite_database: Database) -> None:
    with sqlite_database.transaction() as session:
        session.execute(text("CREATE TABLE counter (n INTEGER)"))
        session.execute(text("INSERT INTO counter VALUES (0)"))

    def add_one(_index: int) -> None:
        # Read then write in one transaction: without one writer at a time some
        # increments would be lost or fail with "database is locked".
        with sqlite_database.transaction() as session:
            value = session.execute(text("SELECT n FROM counter")).scalar_one()
            session.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(add_one, range(400)))
    with sqlite_database.session() as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 400
    sqlite_database.engine.dispose()
