"""Partner statements (POST /v1/partners/{p}/statements) vs plain LRS ingest
(POST /xapi/statements) of the same statements, on one server process.

    .venv/bin/python -m benchmarks.partner_statements --database-url sqlite:///var/bench-partners.db
    .venv/bin/python -m benchmarks.partner_statements --database-url postgresql+psycopg://postgres@127.0.0.1/bench

Each round generates statements, then sends them twice under fresh ids: as an LRS client
with HTTP Basic to ``/xapi/statements``, and as a partner with an OAuth2 bearer token to
the partner Statements API (each statement stored on its own: one SAVEPOINT per batch when
all are valid). With ``--invalid-every N`` every Nth partner statement is invalid, so each
such batch is answered 207 and its statements are stored one SAVEPOINT each - the price of
per-statement outcomes. The phases alternate over ``--rounds``; each round prints
statements/s for both and their ratio, the last line the median ratio. Use a scratch
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks.xapi_common import Server, issue_credentials, make_statement, prepare_database
from learnloop.db import Database
from learnloop.partners import directory

PARTNER = "bench"


def issue_partner_client(database: Database) -> tuple[str, str]:
    with database.transaction() as session:
        partner = next(
            (p for p in directory.list_partners(session) if p.name == PARTNER), None
        ) or directory.create_partner(session, name=PARTNER)
        issued = directory.create_client(session, partner)
        return issued.client.client_id, issued.secret


def post_batches(
    base_url: str, path: str, headers: dict[str, str], batches: list[list[dict[str, Any]]]
) -> None:
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client:
        for batch in batches:
            response = client.post(path, content=orjson.dumps(batch))
            if response.status_code not in (200, 207):
                raise RuntimeError(f"{path} answered {response.status_code}: {response.text}")


def timed(base_url: str, path: str, headers: dict[str, str], per_client: list[Any]) -> float:
    total = sum(len(batch) for batches in per_client for batch in batches)
    started = time.perf_counter()
    with ThreadPoolExecutor(len(per_client)) as pool:
        list(pool.map(lambda batches: post_batches(base_url, path, headers, batches), per_client))
    return total / (time.perf_counter() - started)


def fresh_ids(per_client: list[Any], invalid_every: int) -> list[Any]:
    copies = []
    count = 0
    for batches in per_client:
        client_batches = []
        for batch in batches:
            copied = []
            for statement in batch:
                count += 1
                document = {**statement, "id": str(uuid.uuid4())}
                if invalid_every and count % invalid_every == 0:
                    document["verb"] = {"id": "not an IRI"}
                copied.append(document)
            client_batches.append(copied)
        copies.append(client_batches)
    return copies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--batches-per-client", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--invalid-every",
        type=int,
        default=0,
        help="make every Nth partner statement invalid (batches answered 207)",
    )
    args = parser.parse_args()

    database = prepare_database(args.database_url)
    rng = random.Random(11)
    key, secret = issue_credentials(database)
    client_id, client_secret = issue_partner_client(database)
    lrs_headers = {
        "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }
    total = args.clients * args.batches_per_client * args.batch_size
    print(
        f"backend: {args.database_url.split(':', 1)[0]}  clients: {args.clients}  "
        f"batch size: {args.batch_size}  statements per phase: {total}"
        + (
            f"  (every {args.invalid_every}th partner statement invalid)"
            if args.invalid_every
            else ""
        )
    )
    ratios = []
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(args.database_url, Path(data_dir))
        try:
            token = httpx.post(
                f"{server.base_url}/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(client_id, client_secret),
            ).json()["access_token"]
            partner_headers = {**lrs_headers, "Authorization": f"Bearer {token}"}
            partner_path = f"/v1/partners/{PARTNER}/statements"
            warmup = [[[make_statement(rng, 1000, 200) for _ in range(args.batch_size)]]]
            timed(server.base_url, "/xapi/statements", lrs_headers, warmup)
            timed(server.base_url, partner_path, partner_headers, fresh_ids(warmup, 0))
            for round_number in range(1, args.rounds + 1):
                per_client = [
                    [
                        [make_statement(rng, 1000, 200) for _ in range(args.batch_size)]
                        for _ in range(args.batches_per_client)
                    ]
                    for _ in range(args.clients)
                ]
                partner_batches = fresh_ids(per_client, args.invalid_every)
                # Alternating which phase goes first: the second one always finds a
                # bigger table, and the machine's load changes under both alike.
                if round_number % 2:
                    lrs_rate = timed(server.base_url, "/xapi/statements", lrs_headers, per_client)
                    partner_rate = timed(
                        server.base_url, partner_path, partner_headers, partner_batches
                    )
                else:
                    partner_rate = timed(
                        server.base_url, partner_path, partner_headers, partner_batches
                    )
                    lrs_rate = timed(server.base_url, "/xapi/statements", lrs_headers, per_client)
                ratios.append(partner_rate / lrs_rate)
                print(
                    f"round {round_number}: POST {partner_path} {partner_rate:7.0f} statements/s"
                    f"   POST /xapi/statements {lrs_rate:7.0f} statements/s"
                    f"   ratio {partner_rate / lrs_rate:5.2f}"
                )
        finally:
            server.stop()
            database.engine.dispose()
    print(f"median ratio partner / LRS : {statistics.median(ratios):5.2f}")


if __name__ == "__main__":
    main()
