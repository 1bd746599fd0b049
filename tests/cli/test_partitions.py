"""``learnloop db partition-statements`` against a committed database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from learnloop.cli.main import app
from learnloop.db import Database
from learnloop.jobs.models import Job, JobStatus
from learnloop.xapi.callers import EVERYTHING, client_caller
from learnloop.xapi.credentials import create_client
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.partitioning.catalog import is_partitioned
from learnloop.xapi.partitioning.tasks import STATEMENT_PARTITIONS_JOB
from learnloop.xapi.queries import get_statement
from learnloop.xapi.statements import StoreLimits, store_statements
from learnloop.xapi.versions import XapiVersion
from tests.support import databases
from tests.xapi.conftest import statement

BASE_URL = "http://cli.test"


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "LEARNLOOP_DATABASE_URL": database_url,
        "LEARNLOOP_DATA_DIR": str(tmp_path / "var"),
        "LEARNLOOP_BASE_URL": BASE_URL,
        "LEARNLOOP_JWT_SECRET": "cli-test-secret-that-is-long-enough-0123456789",
    }


@pytest.mark.skipif(
    databases.is_postgresql(databases.test_database_url()),
    reason="checks the refusal on SQLite",
)
def test_partition_statements_on_sqlite_exits_with_a_clear_message(
    committed_database_url: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["db", "partition-statements"], env=_env(committed_database_url, tmp_path)
    )
    assert result.exit_code == 1
    assert "needs PostgreSQL" in result.output
    assert "SQLite" in result.output


@pytest.mark.skipif(
    not databases.is_postgresql(databases.test_database_url()),
    reason="declarative partitioning is PostgreSQL only (LEARNLOOP_TEST_DATABASE_URL)",
)
def test_partition_statements_converts_once_then_only_adds_coming_partitions(
    committed_database: Database, committed_database_url: str, tmp_path: Path
) -> None:
    with committed_database.transaction() as session:
        writer = create_client(session, name="W", scopes=["statements/write"]).client
        stored = store_statements(
            session,
            [statement(), statement()],
            caller=client_caller(writer, BASE_URL),
            version=XapiVersion.V1_0_3,
            hooks=StatementHooks(),
            limits=StoreLimits(max_statements=10),
        )
    with committed_database.engine.connect() as connection:
        converted_by_fixture = is_partitioned(connection)
    env = _env(committed_database_url, tmp_path)
    runner = CliRunner()

    first = runner.invoke(app, ["db", "partition-statements", "--ahead", "2"], env=env)
    assert first.exit_code == 0, first.output
    if not converted_by_fixture:
        assert "partitioned xapi_statements by stored (month): 2 statements" in first.output
    second = runner.invoke(app, ["db", "partition-statements", "--ahead", "2"], env=env)
    assert second.exit_code == 0, second.output
    assert "upcoming partitions created: none needed" in second.output
    other_interval = runner.invoke(
        app, ["db", "partition-statements", "--interval", "week"], env=env
    )
    assert other_interval.exit_code == 1
    assert "already partitioned by month" in other_interval.output

    check = runner.invoke(app, ["db", "partition-statements", "--check"], env=env)
    assert check.exit_code == 0, check.output
    assert "partitioned by stored, interval month" in check.output
    assert "statements in the default partition: 0" in check.output
    with committed_database.transaction() as session:
        assert is_partitioned(session.connection())
        pending = session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.kind == STATEMENT_PARTITIONS_JOB, Job.status == JobStatus.PENDING.value)
        )
        assert pending == 1
    # The statements are still there and readable by id.
    with committed_database.transaction() as session:
        for statement_id in stored:
            document, _ = get_statement(session, statement_id, voided=False, scope=EVERYTHING)
            assert document["id"] == statement_id
