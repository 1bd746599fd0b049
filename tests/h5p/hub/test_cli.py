"""``learnloop h5p hub refresh|install|install-essentials`` against the local hub and a
real, committed database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from learnloop.cli.main import app
from learnloop.db import Database
from learnloop.h5p.hub.models import HubContentType
from learnloop.h5p.models import H5PLibrary
from tests.h5p.hub.hub_server import listing_for
from tests.support.live_server import free_port

runner = CliRunner()


@pytest.fixture
def cli_env(committed_database_url: str, tmp_path: Path, hub) -> dict[str, str]:
    return {
        "LEARNLOOP_DATABASE_URL": committed_database_url,
        "LEARNLOOP_DATA_DIR": str(tmp_path / "var"),
        "LEARNLOOP_JWT_SECRET": "cli-test-secret-that-is-long-enough-0123456789",
        "LEARNLOOP_H5P_HUB_URL": hub.url,
    }


def test_refresh_then_install_then_install_essentials(
    cli_env, hub, hub_dir: Path, committed_database: Database, tmp_path: Path
):
    hub.state.packages = {"H5P.Chart": hub_dir / "H5P.Chart.h5p"}
    hub.state.listing = listing_for(hub.state.api_dir, hub.state.packages)

    refreshed = runner.invoke(app, ["h5p", "hub", "refresh"], env=cli_env)
    assert refreshed.exit_code == 0, refreshed.output
    assert f"1 content types cached from {hub.url}" in refreshed.output

    installed = runner.invoke(app, ["h5p", "hub", "install", "H5P.Chart"], env=cli_env)
    assert installed.exit_code == 0, installed.output
    assert "H5P.Chart:" in installed.output
    assert (tmp_path / "var" / "files" / "libraries" / "H5P.Chart-1.2" / "library.json").is_file()

    missing = runner.invoke(app, ["h5p", "hub", "install", "H5P.Nothing"], env=cli_env)
    assert missing.exit_code == 1
    assert "Not found in hub" in missing.output

    essentials = runner.invoke(app, ["h5p", "hub", "install-essentials"], env=cli_env)
    assert essentials.exit_code == 0, essentials.output
    assert "H5P.Chart: installed" in essentials.output
    assert "H5P.MultiChoice: failed (Not found in hub)" in essentials.output
    assert "Installed 1/30 content types" in essentials.output
    with committed_database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(HubContentType)) == 1
        assert (
            session.scalar(
                select(func.count())
                .select_from(H5PLibrary)
                .where(H5PLibrary.machine_name == "H5P.Chart")
            )
            == 1
        )


def test_refresh_with_the_hub_unreachable_says_so_and_fails(cli_env):
    env = {**cli_env, "LEARNLOOP_H5P_HUB_URL": f"http://127.0.0.1:{free_port()}/v1"}
    result = runner.invoke(app, ["h5p", "hub", "refresh"], env=env)
    assert result.exit_code == 1
    assert "unreachable" in result.output
