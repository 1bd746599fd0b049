"""Statement ingest through POST /xapi/statements vs raw inserts of the same rows.

    .venv/bin/python -m benchmarks.xapi_ingest --database-url sqlite:///var/bench.db
    .venv/bin/python -m benchmarks.xapi_ingest --database-url postgresql+psycopg://postgres@127.0.0.1/bench

Several clients POST batches of 100 statements concurrently to a real server process; then
the same number of statements (the rows the LRS writes: statements and side tables) are
inserted straight into the same database by as many threads, one transaction per batch.
The two phases alternate for ``--rounds`` rounds, each with fresh statements, so that
background work of the database (checkpoints, autovacuum) falls on both alike; every round
prints statements/s for both and their ratio, and the last line the median ratio. Use a
scratch database: the statements tables are emptied first.
"""

from __future__ import annotations

import argparse
import base64
import random
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks.xapi_common import (
    ACTIVITY_BASE,
    CONTENT_ACTIVITY_BASE,
    Server,
    insert_raw,
    issue_credentials,
    make_statement,
    prepare_database,
    raw_rows,
)
from learnloop.db import utcnow

RawBatch = tuple[list[dict[str, Any]], list[list[tuple[str, bool]]], list[list[str]]]


def post_batches(
    base_url: str, headers: dict[str, str], batches: list[list[dict[str, object]]]
) -> None:
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client:
        for batch in batches:
            response = client.post("/xapi/statements", content=orjson.dumps(batch))
            response.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batches-per-client", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (PostgreSQL; SQLite serves from one)",
    )
    parser.add_argument(
        "--about-content",
        action="store_true",
        help="statements about hosted H5P content, so the analytics projections do work too",
    )
    parser.add_argument(
        "--lrs-only",
        action="store_true",
        help="serve without the other domains' on-stored subscribers (analytics, cmi5)",
    )
    args = parser.parse_args()

    database = prepare_database(args.database_url)
    base = CONTENT_ACTIVITY_BASE if args.about_content else ACTIVITY_BASE
    rng = random.Random(7)
    total = args.clients * args.batches_per_client * args.batch_size
    key, secret = issue_credentials(database)
    headers = {
        "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }
    backend = args.database_url.split(":", 1)[0]
    print(
        f"backend: {backend}  server processes: {args.workers}  clients: {args.clients}  "
        f"batch size: {args.batch_size}  statements per phase: {total}"
        + ("  (LRS only)" if args.lrs_only else "")
        + ("  (statements about hosted content)" if args.about_content else "")
    )

    def insert_all(prepared: list[RawBatch]) -> None:
        for rows, agents, activities in prepared:
            insert_raw(database.engine, rows, agents, activities)

    ratios = []
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(
            args.database_url, Path(data_dir), lrs_only=args.lrs_only, workers=args.workers
        )
        try:
            warmup = [
                [make_statement(rng, 1000, 200, activity_base=base) for _ in range(args.batch_size)]
            ]
            post_batches(server.base_url, headers, warmup)
            for round_number in range(1, args.rounds + 1):
                per_client = [
                    [
                        [
                            make_statement(rng, 1000, 200, activity_base=base)
                            for _ in range(args.batch_size)
                        ]
                        for _ in range(args.batches_per_client)
                    ]
                    for _ in range(args.clients)
                ]
                # The same statements under fresh ids, as the rows the LRS would write;
                # computed before either phase is timed.
                raw_batches = [
                    [
                        raw_rows([{**s, "id": str(uuid.uuid4())} for s in batch], utcnow())
                        for batch in client_batches
                    ]
                    for client_batches in per_client
                ]

                started = time.perf_counter()
                with ThreadPoolExecutor(args.clients) as pool:
                    list(pool.map(lambda b: post_batches(server.base_url, headers, b), per_client))
                api_rate = total / (time.perf_counter() - started)

                started = time.perf_counter()
                with ThreadPoolExecutor(args.clients) as pool:
                    list(pool.map(insert_all, raw_batches))
                raw_rate = total / (time.perf_counter() - started)

                ratios.append(api_rate / raw_rate)
                print(
                    f"round {round_number}: POST /xapi/statements {api_rate:7.0f} statements/s"
                    f"   raw bulk INSERT {raw_rate:7.0f} statements/s"
                    f"   ratio {api_rate / raw_rate:5.2f}"
                )
        finally:
            server.stop()
            database.engine.dispose()
    print(f"median ratio API / raw : {statistics.median(ratios):5.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
