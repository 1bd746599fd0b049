"""GET /xapi/statements latency for agent + verb + activity queries at growing table sizes,
against the raw SQL of the same query measured in the same run.

    .venv/bin/python -m benchmarks.xapi_query --database-url sqlite:///var/bench.db
    .venv/bin/python -m benchmarks.xapi_query --database-url postgresql+psycopg://postgres@127.0.0.1/bench

The table is filled with bulk raw inserts (statements and side tables, as the LRS writes
them) up to each size in ``--sizes``; about 100 statements per learner, each learner on a
handful of activities, 10 verbs, and one voiding statement per 1000. At each size it times,
for the same random (agent, verb, activity) triples: the HTTP GET against a real server
process, the LRS query service in-process, and the hand-written SQL. Use a scratch
database: the statements tables are emptied first.
"""

from __future__ import annotations

import argparse
import base64
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import text

from benchmarks.xapi_common import (
    AUTHORITY,
    VERBS,
    Server,
    chunks,
    insert_raw,
    issue_credentials,
    prepare_database,
)
from learnloop.xapi.agents import agent_key
from learnloop.xapi.callers import EVERYTHING
from learnloop.xapi.queries import StatementFilter, query_statements

STATEMENTS_PER_LEARNER = 100
ACTIVITIES_PER_LEARNER = 5
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
RAW_SQL = text(
    "SELECT CAST(s.statement AS TEXT) FROM xapi_statements s "
    "WHERE s.voided = false AND s.verb_id = :verb AND s.object_activity_id = :activity "
    "AND s.seq IN (SELECT a.statement_seq FROM xapi_statement_agents a "
    "WHERE a.agent_key = :agent AND a.direct = true) "
    "ORDER BY s.stored DESC, s.seq DESC LIMIT 101"
)


def learner_activity(learner: int, rng: random.Random) -> str:
    return f"http://example.com/activities/{learner * 3 + rng.randrange(ACTIVITIES_PER_LEARNER)}"


def statement_for(index: int, rng: random.Random, learners: int) -> dict[str, Any]:
    learner = rng.randrange(learners)
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": f"mailto:learner{learner}@example.com"},
        "verb": {"id": rng.choice(VERBS), "display": {"en-US": "did"}},
        "object": {"objectType": "Activity", "id": learner_activity(learner, rng)},
        "result": {"score": {"scaled": round(rng.random(), 2)}, "completion": True},
        "context": {"registration": str(uuid.uuid4())},
        "timestamp": "2026-01-01T10:00:00.000Z",
    }
    if index % 1000 == 999:
        statement["verb"] = {"id": VOIDED}
        statement["object"] = {"objectType": "StatementRef", "id": str(uuid.uuid4())}
    return statement


def fill(database: Any, start: int, stop: int, rng: random.Random) -> None:
    """Rows built directly (what ``raw_rows`` would give), 10 000 per transaction."""
    learners = max(1, stop // STATEMENTS_PER_LEARNER)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    authority = str(agent_key(AUTHORITY))
    for block in chunks(list(range(start, stop)), 10_000):
        rows, agents, activities = [], [], []
        for index in block:
            statement = statement_for(index, rng, learners)
            stored = base + timedelta(milliseconds=index)
            obj = statement["object"]
            is_ref = obj.get("objectType") == "StatementRef"
            actor = str(agent_key(statement["actor"]))
            rows.append(
                {
                    "statement_id": statement["id"],
                    "actor_key": actor,
                    "actor_account_name": None,
                    "verb_id": statement["verb"]["id"],
                    "object_type": "StatementRef" if is_ref else "Activity",
                    "object_activity_id": None if is_ref else obj["id"],
                    "object_statement_ref": obj["id"] if is_ref else None,
                    "registration": statement["context"]["registration"],
                    "timestamp": stored,
                    "stored": stored,
                    "authority_key": authority,
                    "voided": False,
                    "version": "1.0.0",
                    "statement": {
                        **statement,
                        "stored": stored.isoformat(),
                        "authority": AUTHORITY,
                    },
                }
            )
            agents.append([(actor, True), (authority, False)])
            activities.append([] if is_ref else [obj["id"]])
        insert_raw(database.engine, rows, agents, activities)


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    database = prepare_database(args.database_url)
    key, secret = issue_credentials(database)
    headers = {
        "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
        "X-Experience-API-Version": "1.0.3",
    }
    rng = random.Random(11)
    filled = 0
    results = []
    for size in (int(value) for value in args.sizes.split(",")):
        started = time.perf_counter()
        fill(database, filled, size, rng)
        filled = size
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        fill_seconds = time.perf_counter() - started
        learners = size // STATEMENTS_PER_LEARNER
        triples = []
        for _ in range(args.queries):
            learner = rng.randrange(learners)
            agent = {"mbox": f"mailto:learner{learner}@example.com"}
            triples.append((agent, rng.choice(VERBS), learner_activity(learner, rng)))

        def raw_query(triple: tuple[dict[str, str], str, str]) -> list[Any]:
            agent, verb, activity = triple
            with database.engine.connect() as connection:
                found = connection.execute(
                    RAW_SQL, {"agent": agent_key(agent), "verb": verb, "activity": activity}
                ).scalars()
                return [orjson.loads(document) for document in found]

        def service_query(triple: tuple[dict[str, str], str, str]) -> object:
            agent, verb, activity = triple
            with database.session() as session:
                key_ = agent_key(agent)
                assert key_ is not None
                statement_filter = StatementFilter(agent_keys=(key_,), verb=verb, activity=activity)
                return query_statements(session, statement_filter, limit=100, scope=EVERYTHING)

        with tempfile.TemporaryDirectory() as data_dir:
            server = Server(args.database_url, Path(data_dir))
            try:
                with httpx.Client(base_url=server.base_url, headers=headers) as client:

                    def http_query(triple: tuple[dict[str, str], str, str]) -> object:
                        agent, verb, activity = triple
                        response = client.get(
                            "/xapi/statements",
                            params={
                                "agent": orjson.dumps(agent).decode(),
                                "verb": verb,
                                "activity": activity,
                            },
                        )
                        response.raise_for_status()
                        return response.json()

                    for triple in triples[:20]:  # warm caches and connections on all paths
                        raw_query(triple), service_query(triple), http_query(triple)

                    def about() -> object:
                        return client.get("/xapi/about").raise_for_status()

                    raw: list[float] = []
                    service: list[float] = []
                    http: list[float] = []
                    floor: list[float] = []
                    for triple in triples:  # interleaved, so load changes hit all alike
                        raw += timed(partial(raw_query, triple), 1)
                        service += timed(partial(service_query, triple), 1)
                        http += timed(partial(http_query, triple), 1)
                        floor += timed(about, 1)
            finally:
                server.stop()
        matched = sum(len(raw_query(t)) for t in triples) / len(triples)
        http_floor = statistics.median(floor)
        results.append(
            (size, statistics.median(raw), statistics.median(service), statistics.median(http))
        )
        print(
            f"{size:>9} statements (filled in {fill_seconds:.0f} s, {matched:.1f} matches/query): "
            f"raw SQL {statistics.median(raw):.2f} ms, LRS service {statistics.median(service):.2f} ms "
            f"({statistics.median(service) / statistics.median(raw):.2f}x), "
            f"HTTP GET {statistics.median(http):.2f} ms ({statistics.median(http) / statistics.median(raw):.2f}x); "
            f"HTTP floor (GET /xapi/about, no database) {http_floor:.2f} ms"
        )
    database.engine.dispose()
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(
            f"growth {first[0]} -> {last[0]}: raw SQL {last[1] / first[1]:.2f}x, "
            f"LRS service {last[2] / first[2]:.2f}x, HTTP GET {last[3] / first[3]:.2f}x (target < 1.5x)"
        )


if __name__ == "__main__":
    main()
