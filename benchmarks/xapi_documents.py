"""State documents and canonical activity definitions, against raw SQL in the same run.

    .venv/bin/python -m benchmarks.xapi_documents --database-url sqlite:///var/bench-docs.db
    .venv/bin/python -m benchmarks.xapi_documents --database-url postgresql+psycopg://postgres@127.0.0.1/bench

1. State PUT and GET through learnloop.xapi.document_store vs one raw INSERT / SELECT of
   the same row, each in its own session transaction as a request handler has.
2. The activity-definition on-stored subscriber's cost in statement ingest: raw bulk
   inserts of statement batches, alone and with the subscriber in the same transaction.

Use a scratch database: the documents, activities and statements tables are emptied first.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from typing import Any

from sqlalchemy import insert, select, text

from benchmarks.xapi_common import XAPI_TABLES, insert_raw, make_statement, raw_rows
from learnloop.db import Database, utcnow
from learnloop.migrate import upgrade
from learnloop.xapi.activity_definitions import collect_definitions, record_definitions
from learnloop.xapi.document_models import XapiDocument
from learnloop.xapi.document_store import (
    DocumentContext,
    DocumentResource,
    Preconditions,
    content_etag,
    get_document,
    put_document,
)
from learnloop.xapi.statement_writes import write_statement_rows

RawBatch = tuple[list[dict[str, Any]], list[list[tuple[str, bool]]], list[list[str]]]
TABLES = ("xapi_documents", "xapi_activities", *XAPI_TABLES)


def prepare(url: str) -> Database:
    database = Database.from_url(url)
    upgrade(database.engine)
    with database.engine.begin() as connection:
        for table in TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
    return database


def context_for(index: int) -> DocumentContext:
    return DocumentContext(
        DocumentResource.STATE,
        activity_id=f"http://example.com/activities/{index % 50}",
        agent_key=f"mbox:mailto:learner{index}@example.com",
    )


def bench_state(database: Database, count: int) -> tuple[float, float, float, float]:
    content = b'{"bookmark": "page-12", "answers": [1, 2, 3], "progress": 0.42}'
    started = time.perf_counter()
    for index in range(count):
        with database.transaction() as session:
            put_document(
                session,
                context_for(index),
                "resume",
                content,
                "application/json",
                Preconditions(),
                require_precondition=False,
            )
    put_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for index in range(count):
        with database.transaction() as session:
            assert get_document(session, context_for(index), "resume") is not None
    get_seconds = time.perf_counter() - started

    # Baseline: the same rows and lookups as plain SQL.
    rows = [
        {
            "id": str(uuid.uuid4()),
            "resource": "state",
            "activity_id": f"http://example.com/raw/{index % 50}",
            "agent_key": f"mbox:mailto:raw{index}@example.com",
            "registration": "",
            "document_id": "resume",
            "address_hash": uuid.uuid4().hex * 2,
            "context_hash": uuid.uuid4().hex * 2,
            "content_type": "application/json",
            "content": content,
            "etag": content_etag(content),
            "updated": utcnow(),
        }
        for index in range(count)
    ]
    started = time.perf_counter()
    for row in rows:
        with database.transaction() as session:
            session.execute(insert(XapiDocument), row)
    raw_put_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for row in rows:
        with database.transaction() as session:
            found = session.execute(
                select(XapiDocument.content).where(XapiDocument.address_hash == row["address_hash"])
            ).first()
            assert found is not None
    raw_get_seconds = time.perf_counter() - started
    return put_seconds, get_seconds, raw_put_seconds, raw_get_seconds


def bench_definitions(database: Database, batches: int, size: int) -> tuple[float, float]:
    rng = random.Random(11)

    def prepared() -> list[tuple[list[dict[str, Any]], RawBatch]]:
        result: list[tuple[list[dict[str, Any]], RawBatch]] = []
        for _ in range(batches):
            statements = [make_statement(rng, 1000, 200) for _ in range(size)]
            result.append((statements, raw_rows(statements, utcnow())))
        return result

    plain = prepared()
    started = time.perf_counter()
    for _statements, (rows, agents, activities) in plain:
        insert_raw(database.engine, rows, agents, activities)
    plain_seconds = time.perf_counter() - started

    with_subscriber = prepared()
    started = time.perf_counter()
    for statements, (rows, agents, activities) in with_subscriber:
        # The subscriber runs in the statements' transaction, as the on-stored hook does.
        with database.transaction() as session:
            write_statement_rows(session.connection(), rows, agents, activities)
            record_definitions(session, collect_definitions(statements))
    subscriber_seconds = time.perf_counter() - started
    return plain_seconds, subscriber_seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()
    database = prepare(args.database_url)
    try:
        put_s, get_s, raw_put_s, raw_get_s = bench_state(database, args.documents)
        plain_s, subscriber_s = bench_definitions(database, args.batches, args.batch_size)
    finally:
        database.engine.dispose()

    n = args.documents
    statements = args.batches * args.batch_size
    print(
        f"backend: {args.database_url.split(':', 1)[0]}  documents: {n}  statements: {statements}"
    )
    print(f"state PUT (service)     : {n / put_s:8.0f} /s   raw INSERT : {n / raw_put_s:8.0f} /s")
    print(f"ratio service / raw PUT : {raw_put_s / put_s:8.2f}")
    print(f"state GET (service)     : {n / get_s:8.0f} /s   raw SELECT : {n / raw_get_s:8.0f} /s")
    print(f"ratio service / raw GET : {raw_get_s / get_s:8.2f}")
    print(
        f"ingest raw              : {statements / plain_s:8.0f} statements/s; "
        f"with activity definitions: {statements / subscriber_s:8.0f} statements/s"
    )
    print(f"ratio with / without    : {plain_s / subscriber_s:8.2f}")


if __name__ == "__main__":
    main()
