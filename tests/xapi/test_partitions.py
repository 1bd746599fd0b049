"""Partitioning the statements table by stored time (learnloop.xapi.partitioning).

The PostgreSQL tests fill the test database through the real statement API, spread the
statements over several months (stored times set explicitly, before conversion), record
what the API answers, convert the table inside the test's transaction (DDL is
transactional on PostgreSQL, so the rollback undoes it) and ask again: the answers of the
partitioned table must equal those of the plain table holding the same rows.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learnloop.analytics.projections import rebuild_projections
from learnloop.config import Settings
from learnloop.db import Database, utcnow
from learnloop.jobs.models import Job, JobStatus
from learnloop.jobs.worker import JobContext, Worker
from learnloop.storage import LocalFileStorage
from learnloop.xapi.models import StatementRow
from learnloop.xapi.partitioning.catalog import is_partitioned, partition_status
from learnloop.xapi.partitioning.conversion import (
    PartitioningUnavailable,
    convert_statements_table,
)
from learnloop.xapi.partitioning.layout import (
    DEFAULT_PARTITION,
    PartitionInterval,
    interval_start,
    next_start,
    span_of,
    spans_between,
    upcoming_spans,
)
from learnloop.xapi.partitioning.tasks import (
    STATEMENT_PARTITIONS_JOB,
    run_statement_partitions,
    schedule_partition_job,
)
from learnloop.xapi.partitioning.upcoming import ensure_upcoming_partitions
from learnloop.xapi.statement_writes import write_statement_rows
from tests.analytics.conftest import Store, store  # noqa: F401 (the ``store`` fixture)
from tests.analytics.test_projections import random_stream, snapshot
from tests.support import databases
from tests.xapi.conftest import LrsCredentials, agent, statement

MONTH = PartitionInterval.MONTH
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ACTIVITIES = [f"http://example.com/activities/{name}" for name in ("a", "b", "c")]
COURSE = "http://example.com/courses/one"
REGISTRATIONS = ["6fa1e4b8-3c2b-4a8e-9a63-0f2b55d2c7a1", "0b9c3a55-8d1e-4f7a-b2c4-9e5d6f7a8b9c"]

on_postgresql = pytest.mark.skipif(
    not databases.is_postgresql(databases.test_database_url()),
    reason="declarative partitioning is PostgreSQL only (LEARNLOOP_TEST_DATABASE_URL)",
)
on_sqlite = pytest.mark.skipif(
    databases.is_postgresql(databases.test_database_url()), reason="checks the refusal on SQLite"
)


@pytest.fixture
def unpartitioned(connection: Connection) -> Connection:
    if is_partitioned(connection):
        pytest.skip("the test database is already partitioned (LEARNLOOP_TEST_PARTITIONED)")
    return connection


# --- interval arithmetic -----------------------------------------------------------------


def test_month_spans_roll_over_the_year_and_are_named_by_their_start() -> None:
    spans = list(
        spans_between(
            datetime(2026, 11, 30, 23, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC), MONTH
        )
    )
    assert [s.name for s in spans] == [
        "xapi_statements_p2026_11",
        "xapi_statements_p2026_12",
        "xapi_statements_p2027_01",
    ]
    assert spans[1].start == datetime(2026, 12, 1, tzinfo=UTC)
    assert spans[1].end == datetime(2027, 1, 1, tzinfo=UTC)


def test_weeks_start_on_monday_and_days_at_midnight_utc() -> None:
    thursday = datetime(2026, 12, 3, 18, 30, tzinfo=UTC)
    week = span_of(thursday, PartitionInterval.WEEK)
    assert (week.start, week.end) == (
        datetime(2026, 11, 30, tzinfo=UTC),
        datetime(2026, 12, 7, tzinfo=UTC),
    )
    assert week.name == "xapi_statements_p2026_11_30"
    # A time in another zone is placed by its UTC instant.
    late = datetime(2026, 12, 4, 0, 30, tzinfo=UTC).astimezone(
        datetime.now(UTC).astimezone().tzinfo
    )
    assert interval_start(late, PartitionInterval.DAY) == datetime(2026, 12, 4, tzinfo=UTC)
    assert next_start(datetime(2026, 12, 31, tzinfo=UTC), PartitionInterval.DAY) == datetime(
        2027, 1, 1, tzinfo=UTC
    )


def test_upcoming_spans_are_the_current_interval_and_the_next_ones() -> None:
    spans = upcoming_spans(datetime(2026, 12, 3, tzinfo=UTC), MONTH, 3)
    assert [s.name[-7:] for s in spans] == ["2026_12", "2027_01", "2027_02", "2027_03"]
    # From the last day of a long month into shorter ones.
    spans = upcoming_spans(datetime(2027, 1, 31, 23, 59, tzinfo=UTC), MONTH, 2)
    assert [(s.start.month, s.end.month) for s in spans] == [(1, 2), (2, 3), (3, 4)]


# --- SQLite: a clear refusal ---------------------------------------------------------------


@on_sqlite
def test_conversion_on_sqlite_is_refused_and_changes_nothing(connection: Connection) -> None:
    with pytest.raises(PartitioningUnavailable, match="needs PostgreSQL"):
        convert_statements_table(connection, interval=MONTH, ahead=3, now=utcnow())
    assert connection.scalar(select(func.count()).select_from(StatementRow)) == 0


@on_sqlite
def test_the_job_does_nothing_on_sqlite_and_schedules_no_next_run(
    session: Session, settings: Settings, storage: LocalFileStorage
) -> None:
    run_statement_partitions(JobContext(session, settings, storage), {})
    assert session.scalar(select(Job.id).where(Job.kind == STATEMENT_PARTITIONS_JOB)) is None


# --- PostgreSQL: the statement API over a partitioned table --------------------------------


def _months_ago(count: int) -> datetime:
    start = interval_start(utcnow(), MONTH)
    for _ in range(count):
        start = interval_start(start - timedelta(days=1), MONTH)
    return start


def _corpus() -> list[dict[str, Any]]:
    """Statements exercising every filter: agents (also as Group members and in context),
    verbs, activities (object and context), registrations and StatementRefs."""
    documents: list[dict[str, Any]] = []
    learners = [agent(f"learner{n}") for n in range(4)]
    verbs = [COMPLETED, ANSWERED, ATTEMPTED]
    for n in range(36):
        document = statement(
            id=str(uuid.uuid4()),
            actor=learners[n % 4],
            verb={"id": verbs[n % 3], "display": {"en-US": "did"}},
            object={"objectType": "Activity", "id": ACTIVITIES[n % 3]},
            timestamp=f"2026-06-{1 + n % 28:02d}T10:00:00Z",
        )
        context: dict[str, Any] = {}
        if n % 2 == 0:
            context["contextActivities"] = {"parent": [{"id": COURSE}]}
        if n % 5 != 4:
            context["registration"] = REGISTRATIONS[n % 2]
        if n % 7 == 3:
            context["instructor"] = learners[(n + 1) % 4]
        if context:
            document["context"] = context
        documents.append(document)
    # StatementRefs to earlier statements: they match the filters of their targets.
    for n in (2, 9, 20):
        documents.append(
            statement(
                id=str(uuid.uuid4()),
                actor=learners[3],
                verb={"id": "http://example.com/verbs/commented", "display": {"en-US": "c"}},
                object={"objectType": "StatementRef", "id": documents[n]["id"]},
            )
        )
    return documents


def _post(client: TestClient, lrs: LrsCredentials, documents: list[dict[str, Any]]) -> None:
    for start in range(0, len(documents), 10):
        response = client.post(
            "/xapi/statements", json=documents[start : start + 10], headers=lrs.headers
        )
        assert response.status_code == 200, response.text


def _spread_over_months(connection: Connection, months: int) -> None:
    """Give the statements stored times from ``months`` months ago to now, three at a
    time sharing one instant (the order then falls to ``seq``), with the JSON's
    ``stored`` property kept equal to the column."""
    seqs = list(connection.scalars(text("SELECT seq FROM xapi_statements ORDER BY seq")))
    first = _months_ago(months)
    span = utcnow() - first
    for index, seq in enumerate(seqs):
        group = index // 3
        moment = first + span * (group * 3 / max(len(seqs), 1)) + timedelta(hours=1)
        moment = moment.replace(microsecond=(moment.microsecond // 1000) * 1000)
        connection.execute(
            text(
                "UPDATE xapi_statements SET stored = :stored, "
                "statement = jsonb_set(statement, '{stored}', to_jsonb(CAST(:text AS text))) "
                "WHERE seq = :seq"
            ),
            {"stored": moment, "text": moment.isoformat().replace("+00:00", "Z"), "seq": seq},
        )


def _queries(corpus: list[dict[str, Any]]) -> list[dict[str, str]]:
    learner1 = '{"mbox": "mailto:learner1@example.com"}'
    learner2 = '{"mbox": "mailto:learner2@example.com"}'
    three_months = _months_ago(3).isoformat()
    middle = (_months_ago(1) + timedelta(days=10)).isoformat()
    return [
        {},
        {"ascending": "true"},
        {"agent": learner1},
        {"agent": learner2, "related_agents": "true"},
        {"verb": COMPLETED},
        {"activity": ACTIVITIES[0]},
        {"activity": COURSE, "related_activities": "true"},
        {"registration": REGISTRATIONS[0]},
        {"since": three_months, "until": middle},
        {"since": three_months, "ascending": "true"},
        {"until": middle, "verb": ANSWERED},
        {"agent": learner1, "activity": ACTIVITIES[1], "ascending": "true"},
        {"activity": str(corpus[2]["object"]["id"])},
    ]


def _read_all(
    client: TestClient, lrs: LrsCredentials, query: dict[str, str], limit: int = 4
) -> list[dict[str, Any]]:
    """Every page of a query, following ``more`` links to the end."""
    response = client.get(
        "/xapi/statements", params={**query, "limit": str(limit)}, headers=lrs.headers
    )
    documents: list[dict[str, Any]] = []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        documents.extend(body["statements"])
        if not body.get("more"):
            return documents
        response = client.get(body["more"], headers=lrs.headers)


def _answers(
    client: TestClient, lrs: LrsCredentials, queries: list[dict[str, str]]
) -> list[list[dict[str, Any]]]:
    return [_read_all(client, lrs, query) for query in queries]


def _write_scenario(client: TestClient, lrs: LrsCredentials) -> list[tuple[int, str]]:
    """Writes whose answers depend on the stored ids: new, repeated, conflicting, voiding.
    Returns (status, body) with the scenario's ids replaced by names."""
    ids = {name: str(uuid.uuid4()) for name in ("first", "second", "third")}
    first = statement(id=ids["first"])
    other_first = statement(id=ids["first"], verb={"id": ANSWERED, "display": {"en-US": "a"}})
    second = statement(id=ids["second"], actor=agent("someone"))
    void_second = statement(
        id=ids["third"],
        verb={"id": VOIDED, "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": ids["second"]},
    )
    void_the_void = statement(
        verb={"id": VOIDED, "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": ids["third"]},
    )
    headers = lrs.headers
    path = "/xapi/statements"
    responses = [
        client.put(path, params={"statementId": ids["first"]}, json=first, headers=headers),
        client.put(path, params={"statementId": ids["first"]}, json=first, headers=headers),
        client.put(path, params={"statementId": ids["first"]}, json=other_first, headers=headers),
        client.post(path, json=[second, first], headers=headers),
        client.post(path, json=[other_first], headers=headers),
        client.post(path, json=[void_second], headers=headers),
        client.get(path, params={"statementId": ids["second"]}, headers=headers),
        client.get(path, params={"voidedStatementId": ids["second"]}, headers=headers),
        client.post(path, json=[void_the_void], headers=headers),
        client.post(path, json=[first, first], headers=headers),
    ]
    answers = []
    for response in responses:
        body = response.text
        if response.status_code == 200 and body.startswith("{"):
            # A statement read back: its times differ between the runs.
            body = str(
                {k: v for k, v in response.json().items() if k not in ("stored", "timestamp")}
            )
        for name, value in ids.items():
            body = body.replace(value, name)
        answers.append((response.status_code, body))
    return answers


def _partition_of(connection: Connection, statement_id: str) -> str:
    return str(
        connection.scalar(
            text("SELECT tableoid::regclass::text FROM xapi_statements WHERE statement_id = :id"),
            {"id": statement_id},
        )
    )


@on_postgresql
def test_the_statement_api_answers_the_same_after_partitioning(
    client: TestClient, lrs: LrsCredentials, unpartitioned: Connection
) -> None:
    connection = unpartitioned
    corpus = _corpus()
    _post(client, lrs, corpus)
    # Void two statements of the corpus (one is the target of a StatementRef).
    _post(
        client,
        lrs,
        [
            statement(
                verb={"id": VOIDED, "display": {"en-US": "voided"}},
                object={"objectType": "StatementRef", "id": corpus[n]["id"]},
            )
            for n in (5, 9)
        ],
    )
    _spread_over_months(connection, months=5)
    writes_before = _write_scenario(client, lrs)
    queries = _queries(corpus)
    before = _answers(client, lrs, queries)

    report = convert_statements_table(connection, interval=MONTH, ahead=3, now=utcnow())

    assert report.rows == connection.scalar(text("SELECT count(*) FROM xapi_statements"))
    assert report.referencing_tables == ["xapi_statement_activities", "xapi_statement_agents"]
    assert len(report.partitions) >= 9  # five months back, this one, three ahead
    used = connection.scalars(
        text("SELECT DISTINCT tableoid::regclass::text FROM xapi_statements")
    ).all()
    assert len(used) >= 5, used
    assert DEFAULT_PARTITION not in used

    after = _answers(client, lrs, queries)
    assert after == before
    # Every answer is non-trivial, and paging returned each statement once.
    for query, documents in zip(queries, after, strict=True):
        ids = [document["id"] for document in documents]
        assert ids, query
        assert len(ids) == len(set(ids)), query
    # The unfiltered answer is every visible statement, newest first, across partitions.
    expected = connection.scalars(
        text(
            "SELECT statement_id FROM xapi_statements WHERE NOT voided "
            "ORDER BY stored DESC, seq DESC"
        )
    ).all()
    assert [document["id"] for document in after[0]] == list(expected)
    assert [document["id"] for document in after[1]] == list(reversed(expected))

    assert _write_scenario(client, lrs) == writes_before
    # New statements land in this month's partition and are read with the old ones.
    fresh = statement(id=str(uuid.uuid4()))
    _post(client, lrs, [fresh])
    assert _partition_of(connection, fresh["id"]) == span_of(utcnow(), MONTH).name
    assert _read_all(client, lrs, {}, limit=7)[0]["id"] == fresh["id"]


@on_postgresql
def test_a_stored_id_is_still_refused_by_the_database_after_partitioning(
    session: Session, unpartitioned: Connection
) -> None:
    """The race path of store_statements: a concurrent request stored the id between the
    lookup and the insert, and the insert itself must fail (statements.py answers 409)."""
    row = {
        "statement_id": str(uuid.uuid4()),
        "actor_key": "mbox:mailto:a@example.com",
        "actor_account_name": None,
        "verb_id": COMPLETED,
        "object_type": "Activity",
        "object_activity_id": ACTIVITIES[0],
        "object_statement_ref": None,
        "registration": None,
        "timestamp": utcnow(),
        "stored": utcnow(),
        "authority_key": None,
        "voided": False,
        "version": "1.0.0",
        "statement": {"id": "x"},
    }
    write_statement_rows(session.connection(), [row], [[]], [[]])
    convert_statements_table(unpartitioned, interval=MONTH, ahead=1, now=utcnow())
    # Also in another partition: uniqueness is table-wide, not per partition.
    later = {**row, "stored": next_start(span_of(utcnow(), MONTH).end, MONTH)}
    for duplicate in (row, later):
        with pytest.raises(IntegrityError), session.begin_nested():
            write_statement_rows(session.connection(), [duplicate], [[]], [[]])
    with pytest.raises(IntegrityError, match="never change"), session.begin_nested():
        session.execute(text("UPDATE xapi_statements SET stored = stored + interval '40 days'"))
    # Deleting a statement still takes its index rows and id with it (was ON DELETE CASCADE).
    other = {**row, "statement_id": str(uuid.uuid4())}
    (seq,) = write_statement_rows(session.connection(), [other], [[("k", True)]], [["act"]])
    unpartitioned.execute(text("DELETE FROM xapi_statements WHERE seq = :seq"), {"seq": seq})
    for table in ("xapi_statement_agents", "xapi_statement_activities"):
        count = unpartitioned.scalar(
            text(f"SELECT count(*) FROM {table} WHERE statement_seq = :seq"),  # noqa: S608
            {"seq": seq},
        )
        assert count == 0, table
    write_statement_rows(session.connection(), [other], [[]], [[]])  # the id is free again


@on_postgresql
def test_projections_follow_statements_stored_after_partitioning(
    session: Session,
    settings: Settings,
    store: Store,  # noqa: F811 (the fixture imported above)
    unpartitioned: Connection,
) -> None:
    batches = random_stream(settings.base_url, ["l1", "l2", "l3"], random.Random(7))
    for batch in batches[:20]:
        store(batch)
    _spread_over_months(unpartitioned, months=3)
    convert_statements_table(unpartitioned, interval=MONTH, ahead=2, now=utcnow())
    for batch in batches[20:]:
        store(batch)
    incremental = snapshot(session)
    assert incremental["analytics_statement_facts"]

    rebuild_projections(session, settings.base_url)
    session.flush()
    assert snapshot(session) == incremental


@on_postgresql
def test_the_job_creates_the_coming_partitions_and_runs_again_without_error(
    session: Session,
    settings: Settings,
    storage: LocalFileStorage,
    app: Any,
    database: Database,
    unpartitioned: Connection,
) -> None:
    assert STATEMENT_PARTITIONS_JOB in app.state.services.jobs.handlers
    convert_statements_table(unpartitioned, interval=MONTH, ahead=1, now=utcnow())
    wider = settings.model_copy(update={"xapi_statement_partitions_ahead": 4})
    wanted = {span.name for span in upcoming_spans(utcnow(), MONTH, 4)}

    # The first run through the worker loop, with the handlers the app registered.
    schedule_partition_job(session)
    session.flush()
    worker = Worker(
        database=database, registry=app.state.services.jobs, settings=wider, storage=storage
    )
    assert worker.run_once()
    names = {p.name for p in partition_status(unpartitioned).partitions}
    assert wanted <= names
    assert session.scalars(
        select(Job.status).where(Job.kind == STATEMENT_PARTITIONS_JOB).order_by(Job.id)
    ).all() == [JobStatus.DONE.value, JobStatus.PENDING.value]
    # A second run (the job is idempotent) creates nothing and fails nothing.
    run_statement_partitions(JobContext(session, wider, storage), {})
    assert {p.name for p in partition_status(unpartitioned).partitions} == names
    pending = session.scalars(
        select(Job).where(
            Job.kind == STATEMENT_PARTITIONS_JOB, Job.status == JobStatus.PENDING.value
        )
    ).all()
    assert len(pending) == 1
    assert pending[0].run_after > utcnow() + timedelta(hours=1)
    schedule_partition_job(session)  # one pending run is enough
    assert (
        session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.kind == STATEMENT_PARTITIONS_JOB, Job.status == JobStatus.PENDING.value)
        )
        == 1
    )


@on_postgresql
def test_statements_beyond_the_partitions_land_in_the_default_one_and_block_that_range(
    session: Session, unpartitioned: Connection
) -> None:
    convert_statements_table(unpartitioned, interval=MONTH, ahead=1, now=utcnow())
    far = upcoming_spans(utcnow(), MONTH, 6)[-1]
    row = {
        "statement_id": str(uuid.uuid4()),
        "actor_key": None,
        "actor_account_name": None,
        "verb_id": COMPLETED,
        "object_type": "Activity",
        "object_activity_id": ACTIVITIES[0],
        "object_statement_ref": None,
        "registration": None,
        "timestamp": far.start,
        "stored": far.start + timedelta(days=2),
        "authority_key": None,
        "voided": False,
        "version": "1.0.0",
        "statement": {"id": "x"},
    }
    write_statement_rows(session.connection(), [row], [[]], [[]])
    assert _partition_of(unpartitioned, str(row["statement_id"])) == DEFAULT_PARTITION

    report = ensure_upcoming_partitions(unpartitioned, ahead=6, now=utcnow())
    assert report.blocked == [far.name]
    assert len(report.created) == 4
    assert partition_status(unpartitioned).default_rows == 1


@on_postgresql
def test_a_since_until_query_reads_only_the_partitions_of_its_range(
    client: TestClient, lrs: LrsCredentials, engine: Engine, unpartitioned: Connection
) -> None:
    _post(client, lrs, _corpus()[:12])
    _spread_over_months(unpartitioned, months=4)
    convert_statements_table(unpartitioned, interval=MONTH, ahead=1, now=utcnow())
    month = span_of(_months_ago(2), MONTH)
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_rest: Any) -> None:
        if "ORDER BY" in sql and "xapi_statements.stored >" in sql:
            captured.append((sql, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        response = client.get(
            "/xapi/statements",
            params={
                "since": month.start.isoformat(),
                "until": (month.end - timedelta(seconds=1)).isoformat(),
            },
            headers=lrs.headers,
        )
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert response.status_code == 200
    assert response.json()["statements"]
    assert captured, "the page query was not seen"
    sql, parameters = captured[0]
    plan = "\n".join(row[0] for row in unpartitioned.exec_driver_sql("EXPLAIN " + sql, parameters))
    partitions = {p.name for p in partition_status(unpartitioned).partitions}
    scanned = {name for name in partitions if name in plan}
    assert scanned == {month.name}, plan


@on_postgresql
def test_the_job_waits_for_a_busy_table_instead_of_failing(
    committed_database: Database, settings: Settings, storage: LocalFileStorage
) -> None:
    with committed_database.transaction() as session:
        if not is_partitioned(session.connection()):
            convert_statements_table(session.connection(), interval=MONTH, ahead=1, now=utcnow())
    wider = settings.model_copy(update={"xapi_statement_partitions_ahead": 8})
    with committed_database.engine.connect() as reader:
        # A long read holds a lock that creating a partition has to wait for.
        reader.execute(text("LOCK TABLE xapi_statements IN ACCESS SHARE MODE"))
        with committed_database.transaction() as session:
            run_statement_partitions(JobContext(session, wider, storage), {})
        reader.rollback()
    with committed_database.transaction() as session:
        names = {p.name for p in partition_status(session.connection()).partitions}
        assert upcoming_spans(utcnow(), MONTH, 8)[-1].name not in names
        retry = session.scalars(select(Job).where(Job.kind == STATEMENT_PARTITIONS_JOB)).one()
        assert retry.status == JobStatus.PENDING.value
        assert utcnow() < retry.run_after < utcnow() + timedelta(hours=1)
    # Once the table is free the next run creates them.
    with committed_database.transaction() as session:
        run_statement_partitions(JobContext(session, wider, storage), {})
        names = {p.name for p in partition_status(session.connection()).partitions}
        assert upcoming_spans(utcnow(), MONTH, 8)[-1].name in names


@on_postgresql
def test_conversion_on_the_last_day_of_a_long_month_reaches_the_shorter_ones(
    unpartitioned: Connection,
) -> None:
    report = convert_statements_table(
        unpartitioned, interval=MONTH, ahead=1, now=datetime(2027, 1, 31, 23, tzinfo=UTC)
    )
    assert report.partitions == ["xapi_statements_p2027_01", "xapi_statements_p2027_02"]
