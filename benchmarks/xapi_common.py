"""Shared parts of the xAPI benchmarks: a scratch database, statement generation, a server."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine, text

from learnloop.analytics.projections import PROJECTION_TABLES
from learnloop.db import Database
from learnloop.main import create_app_from_env
from learnloop.migrate import upgrade
from learnloop.xapi.agents import agent_key
from learnloop.xapi.credentials import create_client
from learnloop.xapi.statement_shapes import format_timestamp, index_entries
from learnloop.xapi.statement_writes import write_statement_rows

VERBS = [
    f"http://adlnet.gov/expapi/verbs/{v}"
    for v in (
        "attempted",
        "answered",
        "completed",
        "passed",
        "failed",
        "interacted",
        "progressed",
        "experienced",
        "launched",
        "terminated",
    )
]
AUTHORITY = {
    "objectType": "Agent",
    "account": {"homePage": "http://bench/xapi/clients", "name": "bench"},
}
XAPI_TABLES = ("xapi_statement_agents", "xapi_statement_activities", "xapi_statements")


def prepare_database(url: str) -> Database:
    """Migrate, and empty the statements tables and the analytics projections built from
    them (use a scratch database)."""
    database = Database.from_url(url)
    upgrade(database.engine)
    tables = [*XAPI_TABLES, *(model.__tablename__ for model in PROJECTION_TABLES)]
    with database.engine.begin() as connection:
        if database.is_postgresql:
            # TRUNCATE rather than DELETE: no dead rows left for autovacuum to chew on
            # while the timed phases run.
            connection.execute(text(f"TRUNCATE {', '.join(tables)}"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    return database


ACTIVITY_BASE = "http://example.com/activities/"
# Statements about hosted H5P content feed the analytics projections (issue 7).
CONTENT_ACTIVITY_BASE = "http://127.0.0.1/h5p/content/"


def make_statement(
    rng: random.Random, agents: int, activities: int, *, activity_base: str = ACTIVITY_BASE
) -> dict[str, Any]:
    learner = rng.randrange(agents)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": {
            "objectType": "Agent",
            "name": f"Learner {learner}",
            "mbox": f"mailto:learner{learner}@example.com",
        },
        "verb": {"id": rng.choice(VERBS), "display": {"en-US": "did"}},
        "object": {
            "objectType": "Activity",
            "id": f"{activity_base}{rng.randrange(activities)}",
            "definition": {
                "name": {"en-US": "Activity"},
                "type": "http://adlnet.gov/expapi/activities/assessment",
            },
        },
        "result": {
            "score": {"scaled": round(rng.random(), 2)},
            "success": True,
            "completion": True,
            "duration": "PT42S",
        },
        "context": {
            "registration": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "contextActivities": {"parent": [{"id": "http://example.com/courses/1"}]},
        },
        "timestamp": "2026-01-01T10:00:00.000Z",
    }


def raw_rows(
    statements: list[dict[str, Any]], stored_at: datetime
) -> tuple[list[dict[str, Any]], list[list[tuple[str, bool]]], list[list[str]]]:
    """The rows the LRS writes for these statements, computed outside any timing."""
    rows, agents, activities = [], [], []
    stamp = format_timestamp(stored_at)
    for statement in statements:
        document = {**statement, "stored": stamp, "authority": AUTHORITY, "version": "1.0.0"}
        rows.append(
            {
                "statement_id": statement["id"],
                "actor_key": agent_key(statement["actor"]),
                "actor_account_name": None,
                "verb_id": statement["verb"]["id"],
                "object_type": "Activity",
                "object_activity_id": statement["object"]["id"],
                "object_statement_ref": None,
                "registration": statement["context"]["registration"],
                "timestamp": stored_at,
                "stored": stored_at,
                "authority_key": agent_key(AUTHORITY),
                "voided": False,
                "version": "1.0.0",
                "statement": document,
            }
        )
        found_agents, found_activities = index_entries(document)
        agents.append(sorted(found_agents))
        activities.append(sorted(found_activities))
    return rows, agents, activities


def insert_raw(
    engine: Engine,
    rows: list[dict[str, Any]],
    agents: list[list[tuple[str, bool]]],
    activities: list[list[str]],
) -> None:
    """The rows straight into the database with the LRS's own bulk writer, one transaction:
    the floor any ingest path sits on."""
    with engine.begin() as connection:
        write_statement_rows(connection, rows, agents, activities)


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def generate_stored_times(count: int) -> Iterator[datetime]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for index in range(count):
        yield start + timedelta(milliseconds=index)


def issue_credentials(database: Database) -> tuple[str, str]:
    with database.transaction() as session:
        issued = create_client(session, name="benchmark", scopes=["all"])
        return issued.client.key, issued.secret


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_lrs_only_app() -> FastAPI:
    """The app of ``learnloop serve`` without the other domains' on-stored subscribers
    (analytics, cmi5, ...): isolates the LRS's own cost from theirs."""
    app = create_app_from_env()
    app.state.xapi_hooks.on_stored.clear()
    return app


class Server:
    """``uvicorn learnloop.main:create_app_from_env`` on 127.0.0.1, like ``learnloop serve``."""

    def __init__(
        self, url: str, data_dir: Path, *, lrs_only: bool = False, workers: int = 1
    ) -> None:
        factory = (
            "benchmarks.xapi_common:create_lrs_only_app"
            if lrs_only
            else "learnloop.main:create_app_from_env"
        )
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "LEARNLOOP_DATABASE_URL": url,
            "LEARNLOOP_DATA_DIR": str(data_dir),
            "LEARNLOOP_BASE_URL": self.base_url,
            "LEARNLOOP_LOG_LEVEL": "WARNING",
            "LEARNLOOP_RUN_WORKER_IN_PROCESS": "false",
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                factory,
                "--factory",
                "--workers",
                str(workers),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
