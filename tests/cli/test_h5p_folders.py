"""``learnloop h5p import DIR`` imports the folder's packages (it was a traceback)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from learnloop.cli.main import app
from learnloop.db import Database
from learnloop.h5p.models import H5PContent

runner = CliRunner()


def test_import_a_folder_imports_each_package_in_it(
    committed_database_url: str,
    committed_database: Database,
    fixtures_dir: Path,
    tmp_path: Path,
) -> None:
    env = {
        "LEARNLOOP_DATABASE_URL": committed_database_url,
        "LEARNLOOP_DATA_DIR": str(tmp_path / "var"),
        "LEARNLOOP_JWT_SECRET": "cli-test-secret-that-is-long-enough-0123456789",
    }
    folder = tmp_path / "packages"
    folder.mkdir()
    for name in ("H5P.TrueFalse.h5p", "H5P.Accordion.h5p"):
        shutil.copy(fixtures_dir / "h5p" / "hub" / name, folder / name)
    (folder / "notes.txt").write_text("not a package")
    empty = tmp_path / "empty"
    empty.mkdir()

    result = runner.invoke(app, ["h5p", "import", str(folder)], env=env)

    assert result.exit_code == 0, result.output
    assert "H5P.Accordion.h5p: content" in result.output
    assert "H5P.TrueFalse.h5p: content" in result.output
    assert "notes.txt" not in result.output
    with committed_database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(H5PContent)) == 2

    refused = runner.invoke(app, ["h5p", "import", str(empty)], env=env)
    assert refused.exit_code == 2
    assert "Invalid value" in refused.output  # the reason; rich wraps long paths
    assert "Traceback" not in refused.output
