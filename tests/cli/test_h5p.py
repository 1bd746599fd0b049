"""``learnloop h5p import`` against a real, committed database and file store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from learnloop.cli.main import app
from learnloop.db import Database
from learnloop.h5p.models import ContentOwnership, H5PContent

runner = CliRunner()


@pytest.fixture
def cli_env(committed_database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "LEARNLOOP_DATABASE_URL": committed_database_url,
        "LEARNLOOP_DATA_DIR": str(tmp_path / "var"),
        "LEARNLOOP_JWT_SECRET": "cli-test-secret-that-is-long-enough-0123456789",
    }


def test_import_several_packages_reports_each_and_fails_for_the_bad_one(
    cli_env, fixtures_dir: Path, committed_database: Database, tmp_path: Path
):
    created = runner.invoke(
        app,
        ["users", "create", "--email", "t@school.test", "--name", "T", "--role", "teacher"],
        env=cli_env,
    )
    assert created.exit_code == 0, created.output
    files = [
        fixtures_dir / "h5p" / "validator" / "valid2.h5p",
        fixtures_dir / "h5p" / "hub" / "H5P.Chart.h5p",
        fixtures_dir / "h5p" / "validator" / "corrupt_archive.h5p",
    ]

    result = runner.invoke(
        app, ["h5p", "import", *map(str, files), "--owner", "t@school.test"], env=cli_env
    )

    assert result.exit_code == 1, result.output
    assert "valid2.h5p: content" in result.output
    assert "H5P.Chart.h5p: content" in result.output
    assert "corrupt_archive.h5p: unable-to-unzip" in result.output
    with committed_database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(H5PContent)) == 2
        assert session.scalar(select(func.count()).select_from(ContentOwnership)) == 2
    assert (tmp_path / "var" / "files" / "libraries" / "H5P.Chart-1.2" / "library.json").is_file()


def test_import_without_owner_creates_unowned_content(
    cli_env, fixtures_dir: Path, committed_database: Database
):
    result = runner.invoke(
        app, ["h5p", "import", str(fixtures_dir / "h5p" / "validator" / "valid2.h5p")], env=cli_env
    )
    assert result.exit_code == 0, result.output
    with committed_database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(H5PContent)) == 1
        assert session.scalar(select(func.count()).select_from(ContentOwnership)) == 0


def test_unknown_owner_is_an_error(cli_env, fixtures_dir: Path):
    result = runner.invoke(
        app,
        [
            "h5p",
            "import",
            str(fixtures_dir / "h5p" / "validator" / "valid2.h5p"),
            "--owner",
            "no@one.test",
        ],
        env=cli_env,
    )
    assert result.exit_code == 1
