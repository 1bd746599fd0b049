"""The ``learnloop`` command line against a real database (and a real server process)."""

import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jwt
import pytest
from typer.testing import CliRunner

from learnloop.cli.main import app
from tests.support.live_server import free_port

runner = CliRunner()


@pytest.fixture
def cli_env(committed_database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "LEARNLOOP_DATABASE_URL": committed_database_url,
        "LEARNLOOP_DATA_DIR": str(tmp_path / "var"),
        "LEARNLOOP_JWT_SECRET": "cli-test-secret-that-is-long-enough-0123456789",
    }


def _run(env: dict[str, str], *args: str) -> str:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_db_upgrade_is_idempotent(cli_env: dict[str, str]) -> None:
    assert "up to date" in _run(cli_env, "db", "upgrade")
    assert "up to date" in _run(cli_env, "db", "upgrade")


def test_users_create_list_set_role_and_set_plan(cli_env: dict[str, str]) -> None:
    output = _run(
        cli_env,
        "users",
        "create",
        "--email",
        "T@School.test",
        "--name",
        "Tess",
        "--role",
        "teacher",
    )
    assert "created teacher t@school.test" in output
    assert re.search(r"password: \S{12,}", output)

    listed = _run(cli_env, "users", "list")
    assert re.search(r"t@school\.test\tteacher\tdefault\tTess", listed)

    assert "is now admin" in _run(cli_env, "users", "set-role", "t@school.test", "admin")
    assert "on plan free" in _run(cli_env, "users", "set-plan", "t@school.test", "free")
    assert re.search(
        r"t@school\.test\tadmin\tfree", _run(cli_env, "users", "list", "--role", "admin")
    )
    assert "on plan default" in _run(cli_env, "users", "set-plan", "t@school.test", "default")


def test_errors_exit_non_zero_with_a_message(cli_env: dict[str, str]) -> None:
    _run(cli_env, "users", "create", "--email", "dup@school.test", "--password", "long-enough-pw")
    duplicate = runner.invoke(app, ["users", "create", "--email", "dup@school.test"], env=cli_env)
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output
    unknown_plan = runner.invoke(app, ["users", "set-plan", "dup@school.test", "gold"], env=cli_env)
    assert unknown_plan.exit_code == 1
    assert "Plan not found" in unknown_plan.output
    bad_role = runner.invoke(app, ["users", "set-role", "dup@school.test", "king"], env=cli_env)
    assert bad_role.exit_code != 0


def test_tokens_issue_prints_a_token_for_the_user(cli_env: dict[str, str]) -> None:
    _run(
        cli_env,
        "users",
        "create",
        "--email",
        "bot@school.test",
        "--role",
        "teacher",
        "--password",
        "long-enough-pw",
    )
    token = _run(cli_env, "tokens", "issue", "bot@school.test", "--ttl", "120").strip()
    claims = jwt.decode(token, cli_env["LEARNLOOP_JWT_SECRET"], algorithms=["HS256"])
    assert claims["email"] == "bot@school.test"
    assert claims["role"] == "teacher"
    assert 100 < claims["exp"] - claims["iat"] <= 120


def test_plans_list_shows_features_and_quotas(cli_env: dict[str, str]) -> None:
    output = _run(cli_env, "plans", "list")
    assert "free\tFree\tfeatures=-\tquotas=content=25" in output
    assert (
        "pro\tPro\tfeatures=analytics-dashboard,cmi5-launch,scorm-export\tquotas=unlimited"
        in output
    )


def test_serve_creates_the_first_admin_and_keeps_tokens_out_of_its_output(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    env = {**os.environ, **cli_env}
    env.pop("LEARNLOOP_ADMIN_PASSWORD", None)
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "learnloop.cli.main", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        credentials = (Path(cli_env["LEARNLOOP_DATA_DIR"]) / "first-admin.txt").read_text()
        password = re.search(r"password: (\S+)", credentials).group(1)  # type: ignore[union-attr]
        login = httpx.post(
            f"{base}/api/auth/login", json={"email": "admin@learnloop.local", "password": password}
        )
        assert login.status_code == 200
        token = login.json()["data"]["token"]
        me = httpx.get(f"{base}/api/auth/me", params={"token": token})
        assert me.json()["data"]["role"] == "admin"
    finally:
        process.terminate()
        process.wait(timeout=10)
    output = log_path.read_text()
    assert "Created the first admin account admin@learnloop.local" in output
    # Standard output went to a log file, not a terminal: the password stays in the file.
    assert password not in output
    assert "first-admin.txt" in output
    credentials_file = Path(cli_env["LEARNLOOP_DATA_DIR"]) / "first-admin.txt"
    assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600
    assert token not in output
    assert '"path":"/api/auth/me"' in output
    # One log format: uvicorn's own lines are JSON objects too, not "INFO:     …".
    assert not re.search(r"^(INFO|WARNING|ERROR|DEBUG):", output, re.MULTILINE)
    assert '"logger":"uvicorn.error"' in output


def test_the_first_admin_password_is_shown_once_on_a_terminal_and_never_logged(
    cli_env: dict[str, str], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging
    import pty

    from learnloop.cli.main import announce_first_admin, ensure_first_admin
    from learnloop.config import Settings

    for name, value in cli_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LEARNLOOP_ADMIN_PASSWORD", raising=False)
    _run(cli_env, "db", "upgrade")
    with caplog.at_level(logging.DEBUG):
        first_admin = ensure_first_admin(Settings())
        assert first_admin is not None
        assert ensure_first_admin(Settings()) is None  # only on the very first start
        controller, terminal = pty.openpty()
        with os.fdopen(terminal, "w") as stream:
            announce_first_admin(first_admin, stream)
        shown = os.read(controller, 4096).decode()
        os.close(controller)
    assert first_admin.password in shown
    assert all(first_admin.password not in record.getMessage() for record in caplog.records)
    credentials = first_admin.credentials_file
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert f"password: {first_admin.password}" in credentials.read_text()


def test_the_cli_keeps_the_last_active_admin(cli_env: dict[str, str]) -> None:
    _run(cli_env, "users", "create", "--email", "boss@school.test", "--role", "admin")
    refused = runner.invoke(app, ["users", "set-role", "boss@school.test", "teacher"], env=cli_env)
    assert refused.exit_code == 1
    assert "only active admin" in refused.output
    assert re.search(r"boss@school\.test\tadmin", _run(cli_env, "users", "list"))
