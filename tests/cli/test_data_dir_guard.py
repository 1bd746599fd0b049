"""Commands run outside the installation folder do not quietly start an empty database."""

from pathlib import Path

from typer.testing import CliRunner

from learnloop.cli.main import app

runner = CliRunner()


def _embedded_env(data_dir: Path) -> dict[str, str]:
    # No LEARNLOOP_DATABASE_URL: the embedded SQLite file in the data directory.
    return {
        "LEARNLOOP_DATABASE_URL": "",
        "LEARNLOOP_DATA_DIR": str(data_dir),
        "LEARNLOOP_JWT_SECRET": "cli-test-secret-that-is-long-enough-0123456789",
    }


def test_a_command_without_a_database_refuses_and_creates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "elsewhere" / "var"
    result = runner.invoke(app, ["users", "list"], env=_embedded_env(data_dir))

    assert result.exit_code == 1
    assert "no LearnLoop database at" in result.output
    assert "LEARNLOOP_DATA_DIR" in result.output
    assert not (data_dir / "learnloop.db").exists()


def test_db_upgrade_creates_the_database_and_later_commands_use_it(tmp_path: Path) -> None:
    env = _embedded_env(tmp_path / "var")
    upgraded = runner.invoke(app, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    assert (tmp_path / "var" / "learnloop.db").exists()

    listed = runner.invoke(app, ["users", "list"], env=env)
    assert listed.exit_code == 0, listed.output
