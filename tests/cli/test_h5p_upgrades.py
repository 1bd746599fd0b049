"""``learnloop h5p upgrade-content``: content on an older MultiChoice moves to the newer
one with the library's own upgrades.js, against a real committed database and file store.
The older version is built from the hub package as in tests/h5p/upgrades."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from learnloop.cli.main import app
from learnloop.db import Database
from learnloop.h5p.models import H5PContent, H5PLibrary
from learnloop.h5p.upgrades.models import ContentUpgrade
from tests.cli.test_h5p import cli_env  # noqa: F401 - the fixture
from tests.h5p.upgrades.test_upgrades import MC, _versioned_package

runner = CliRunner()

THROWING = (
    b"var H5PUpgrades = H5PUpgrades || {};\n"
    b"H5PUpgrades['H5P.MultiChoice'] = {1: {15: function (p, finished) {\n"
    b"  throw new Error('cannot upgrade this');\n}}};\n"
)


def _library_of(database: Database, content_id: str) -> str:
    with database.transaction() as session:
        content = session.get(H5PContent, content_id)
        assert content is not None
        library = session.get(H5PLibrary, content.main_library_id)
        assert library is not None
        return library.ubername


def _import(cli_env: dict[str, str], path: Path) -> str:  # noqa: F811
    result = runner.invoke(app, ["h5p", "import", str(path)], env=cli_env)
    assert result.exit_code == 0, result.output
    return result.output.split(": content ", 1)[1].split(" ", 1)[0]


@pytest.fixture
def old_content(
    cli_env: dict[str, str],  # noqa: F811
    fixtures_dir: Path,
    tmp_path: Path,
) -> str:
    older = tmp_path / "mc-1.13.h5p"
    older.write_bytes(_versioned_package(fixtures_dir / "h5p" / "hub" / f"{MC}.h5p", 13))
    return _import(cli_env, older)


def test_upgrade_content_moves_older_content_to_the_new_version(
    cli_env: dict[str, str],  # noqa: F811
    old_content: str,
    fixtures_dir: Path,
    committed_database: Database,
) -> None:
    assert _library_of(committed_database, old_content) == f"{MC} 1.13"
    _import(cli_env, fixtures_dir / "h5p" / "hub" / f"{MC}.h5p")  # installs 1.14

    result = runner.invoke(app, ["h5p", "upgrade-content", f"{MC} 1.14"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert "1 of 1 item(s) upgraded" in result.output
    assert _library_of(committed_database, old_content) == f"{MC} 1.14"
    with committed_database.transaction() as session:
        content = session.get(H5PContent, old_content)
        assert content is not None
        # The package's own hook "1.14" ran: media moved under "type".
        assert content.params["media"]["type"]["library"] == "H5P.Image 1.1"
        run = session.scalars(select(ContentUpgrade)).one()
        assert (run.status, run.upgraded, run.failed, run.requested_by) == ("done", 1, 0, None)
    # Nothing is left for a worker: the command ran every batch itself.
    again = runner.invoke(app, ["h5p", "upgrade-content", f"{MC} 1.14"], env=cli_env)
    assert again.exit_code == 1
    assert "No content uses a version" in again.output


def test_a_failing_upgrade_is_reported_and_leaves_the_content_as_it_was(
    cli_env: dict[str, str],  # noqa: F811
    old_content: str,
    fixtures_dir: Path,
    tmp_path: Path,
    committed_database: Database,
) -> None:
    throwing = tmp_path / "mc-1.15.h5p"
    throwing.write_bytes(
        _versioned_package(fixtures_dir / "h5p" / "hub" / f"{MC}.h5p", 15, THROWING)
    )
    _import(cli_env, throwing)

    result = runner.invoke(
        app, ["h5p", "upgrade-content", f"{MC} 1.15", "--content", old_content], env=cli_env
    )

    assert result.exit_code == 1
    assert f"{old_content}: " in result.output
    assert "cannot upgrade this" in result.output
    assert "0 of 1 item(s) upgraded" in result.output
    assert _library_of(committed_database, old_content) == f"{MC} 1.13"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["H5P.Nothing 1.0"], "not installed"),
        (["not a library"], ""),
        ([f"{MC} 1.13", "--content", "missing"], "not found"),
    ],
)
def test_bad_requests_are_errors(
    cli_env: dict[str, str],  # noqa: F811
    old_content: str,
    arguments: list[str],
    message: str,
) -> None:
    result = runner.invoke(app, ["h5p", "upgrade-content", *arguments], env=cli_env)
    assert result.exit_code == 1
    assert message in result.output
