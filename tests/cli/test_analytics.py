"""``learnloop analytics rebuild`` against a committed database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from learnloop.analytics.models import LearnerProgress, QuestionStats
from learnloop.analytics.projections import ProgressProjector
from learnloop.cli.main import app
from learnloop.db import Database
from learnloop.xapi.callers import client_caller
from learnloop.xapi.credentials import create_client
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.statements import StoreLimits, store_statements
from learnloop.xapi.versions import XapiVersion
from tests.analytics.conftest import statement
from tests.analytics.test_projections import snapshot

BASE_URL = "http://cli.test"


def test_rebuild_restores_projections_from_the_statements(
    committed_database: Database, committed_database_url: str, tmp_path: Path
) -> None:
    hooks = StatementHooks()
    hooks.add_on_stored(ProgressProjector(BASE_URL))
    with committed_database.transaction() as session:
        writer = create_client(session, name="W", scopes=["statements/write"]).client
        store_statements(
            session,
            [
                statement(BASE_URL, "u1", "completed", "c1", result={"score": {"scaled": 0.5}}),
                statement(BASE_URL, "u1", "completed", "c1", result={"score": {"scaled": 0.7}}),
                statement(BASE_URL, "u2", "answered", "c1", question="q", result={"success": True}),
            ],
            caller=client_caller(writer, BASE_URL),
            version=XapiVersion.V1_0_3,
            hooks=hooks,
            limits=StoreLimits(max_statements=10),
        )
    with committed_database.transaction() as session:
        before = snapshot(session)
        session.execute(delete(LearnerProgress))
        session.execute(delete(QuestionStats))

    result = CliRunner().invoke(
        app,
        ["analytics", "rebuild"],
        env={
            "LEARNLOOP_DATABASE_URL": committed_database_url,
            "LEARNLOOP_DATA_DIR": str(tmp_path / "var"),
            "LEARNLOOP_BASE_URL": BASE_URL,
            "LEARNLOOP_JWT_SECRET": "cli-test-secret-that-is-long-enough-0123456789",
        },
    )
    assert result.exit_code == 0, result.output
    assert "from 3 statements" in result.output
    with committed_database.transaction() as session:
        assert snapshot(session) == before
        assert session.scalar(select(func.count()).select_from(LearnerProgress)) == 2
