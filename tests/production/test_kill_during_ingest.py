"""kill -9 during ingest: nothing acknowledged is lost, nothing is stored twice or half.

A real server process takes statements from several clients (single statements and small
batches). It is killed with SIGKILL at random moments and restarted on the same database.
Clients retry a batch whose request failed with the same statement ids, as an xAPI client
would (a repeated identical statement is accepted and not stored again, xAPI-Communication
2.1.2). Afterwards every statement that got a 2xx is stored exactly once, and every stored
statement is whole: its row, its JSON and its agent and activity index rows agree.
"""

from __future__ import annotations

import base64
import random
import signal
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, text

from learnloop.db import Database
from learnloop.xapi.credentials import create_client
from learnloop.xapi.models import StatementRow
from tests.support.live_server import LiveServer, start_live_server

CLIENTS = 6
KILLS = 4
VERSION = {"X-Experience-API-Version": "1.0.3"}


class CurrentServer:
    """The server clients talk to; replaced after every kill."""

    def __init__(self, server: LiveServer) -> None:
        self._lock = threading.Lock()
        self._server = server

    @property
    def server(self) -> LiveServer:
        with self._lock:
            return self._server

    def replace(self, server: LiveServer) -> None:
        with self._lock:
            self._server = server


def _statement(client_index: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:learner{client_index}@example.com", "name": "Learner"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {
            "id": f"http://example.com/activities/q{random.randrange(20)}",
            "definition": {"name": {"en-US": "Question"}},
        },
        "context": {
            "contextActivities": {"parent": [{"id": "http://example.com/activities/course"}]}
        },
        "result": {"score": {"scaled": random.random()}, "success": True},
    }


def _run_client(
    index: int,
    current: CurrentServer,
    headers: dict[str, str],
    stop: threading.Event,
    acknowledged: list[str],
    sent: set[str],
    lock: threading.Lock,
) -> None:
    with httpx.Client(timeout=10) as http:
        while not stop.is_set():
            batch = [_statement(index) for _ in range(random.choice((1, 1, 1, 3, 10)))]
            body: Any = batch[0] if len(batch) == 1 else batch
            with lock:
                sent.update(item["id"] for item in batch)
            # Retry the same statements until the server acknowledges them.
            for _attempt in range(200):
                try:
                    response = http.post(
                        f"{current.server.base_url}/xapi/statements", json=body, headers=headers
                    )
                except httpx.HTTPError:
                    time.sleep(0.1)
                    continue
                if 200 <= response.status_code < 300:
                    with lock:
                        acknowledged.extend(item["id"] for item in batch)
                    break
                assert response.status_code >= 500, response.text
                time.sleep(0.1)
            else:
                raise AssertionError("a batch was never acknowledged")


def test_statements_survive_sigkill_of_the_server(
    committed_database_url: str, tmp_path: Path
) -> None:
    database = Database.from_url(committed_database_url)
    with database.transaction() as session:
        issued = create_client(session, name="kill test", scopes=("all",))
        key, secret = issued.client.key, issued.secret
    database.engine.dispose()
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", **VERSION}

    current = CurrentServer(start_live_server(committed_database_url, tmp_path / "run0"))
    stop = threading.Event()
    acknowledged: list[str] = []
    sent: set[str] = set()
    lock = threading.Lock()
    clients = [
        threading.Thread(
            target=_run_client, args=(i, current, headers, stop, acknowledged, sent, lock)
        )
        for i in range(CLIENTS)
    ]
    for thread in clients:
        thread.start()
    killed_with_traffic = 0
    try:
        for run in range(1, KILLS + 1):
            time.sleep(random.uniform(0.5, 2.0))
            with lock:
                before = len(acknowledged)
            victim = current.server
            victim.process.send_signal(signal.SIGKILL)
            victim.process.wait(timeout=10)
            killed_with_traffic += before > 0
            current.replace(start_live_server(committed_database_url, tmp_path / f"run{run}"))
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=120)
        current.server.stop()

    assert killed_with_traffic == KILLS
    assert len(acknowledged) > 50, "too little traffic to mean anything"
    assert len(acknowledged) == len(set(acknowledged))

    database = Database.from_url(committed_database_url)
    try:
        with database.session() as session:
            stored_ids = Counter(
                row[0] for row in session.execute(text("SELECT statement_id FROM xapi_statements"))
            )
            # Exactly once: every acknowledged statement is there, none twice.
            missing = [sid for sid in acknowledged if stored_ids[sid] != 1]
            assert missing == []
            assert max(stored_ids.values()) == 1
            # Only statements the clients sent (some unacknowledged ones may have been
            # committed just before a kill; they are whole too, see below).
            assert set(stored_ids) <= sent
            # Whole: the JSON matches its row, and the index rows exist for every statement.
            mismatched = session.execute(
                text(
                    "SELECT count(*) FROM xapi_statements s WHERE s.verb_id IS NULL"
                    " OR s.actor_key IS NULL OR s.object_activity_id IS NULL"
                )
            ).scalar_one()
            assert mismatched == 0
            without_agents = session.execute(
                text(
                    "SELECT count(*) FROM xapi_statements s WHERE NOT EXISTS ("
                    "SELECT 1 FROM xapi_statement_agents a WHERE a.statement_seq = s.seq)"
                )
            ).scalar_one()
            without_activities = session.execute(
                text(
                    "SELECT count(*) FROM xapi_statements s WHERE NOT EXISTS ("
                    "SELECT 1 FROM xapi_statement_activities a WHERE a.statement_seq = s.seq"
                    " AND a.activity_id = 'http://example.com/activities/course')"
                )
            ).scalar_one()
            orphans = session.execute(
                text(
                    "SELECT count(*) FROM xapi_statement_agents a WHERE NOT EXISTS ("
                    "SELECT 1 FROM xapi_statements s WHERE s.seq = a.statement_seq)"
                )
            ).scalar_one()
            assert (without_agents, without_activities, orphans) == (0, 0, 0)
            for row in session.scalars(select(StatementRow)):
                assert row.statement["id"] == row.statement_id
                assert row.statement["verb"]["id"] == row.verb_id
                assert row.statement["object"]["id"] == row.object_activity_id
    finally:
        database.engine.dispose()
