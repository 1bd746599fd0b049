import os
import stat
from pathlib import Path

import jwt
import pytest

from learnloop.config import CREDENTIALS_SECRET_FILE, JWT_SECRET_FILE, Settings

# The signing secret earlier versions used whenever LEARNLOOP_JWT_SECRET was unset.
OLD_DEVELOPMENT_SECRET = "learnloop-local-development-secret-change-me"


@pytest.fixture(autouse=True)
def no_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LEARNLOOP_JWT_SECRET", raising=False)
    monkeypatch.delenv("LEARNLOOP_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)


def test_production_refuses_the_old_development_secret() -> None:
    with pytest.raises(ValueError, match="LEARNLOOP_JWT_SECRET"):
        Settings(environment="production", jwt_secret=OLD_DEVELOPMENT_SECRET)


def test_development_refuses_the_old_development_secret_when_set_explicitly() -> None:
    with pytest.raises(ValueError, match="published"):
        Settings(environment="development", jwt_secret=OLD_DEVELOPMENT_SECRET)


def test_production_refuses_a_short_jwt_secret() -> None:
    with pytest.raises(ValueError, match="LEARNLOOP_JWT_SECRET"):
        Settings(environment="production", jwt_secret="short-secret")


def test_production_refuses_to_run_without_an_explicit_secret(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="LEARNLOOP_JWT_SECRET"):
        Settings(environment="production", data_dir=tmp_path / "var")
    assert not (tmp_path / "var" / JWT_SECRET_FILE).exists()


def test_production_accepts_a_long_random_secret() -> None:
    settings = Settings(environment="production", jwt_secret="x" * 48)
    assert settings.environment == "production"


def test_without_a_secret_one_is_generated_into_a_private_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    first = Settings(data_dir=data_dir)
    secret_file = data_dir / JWT_SECRET_FILE
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert len(first.jwt_secret) >= 48
    assert first.jwt_secret != OLD_DEVELOPMENT_SECRET
    # A restart, and every other process of the deployment, reads the same secret.
    assert Settings(data_dir=data_dir).jwt_secret == first.jwt_secret
    assert secret_file.read_text().strip() == first.jwt_secret
    # Another deployment (data directory) gets its own.
    assert Settings(data_dir=tmp_path / "other").jwt_secret != first.jwt_secret


def test_an_explicit_secret_writes_no_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", jwt_secret="y" * 40)
    assert settings.jwt_secret == "y" * 40
    assert not (tmp_path / "var" / JWT_SECRET_FILE).exists()


def test_a_truncated_secret_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / JWT_SECRET_FILE).write_text("\n")
    with pytest.raises(ValueError, match="too short"):
        Settings(data_dir=tmp_path / "var")


def test_a_token_signed_with_the_old_constant_is_refused(tmp_path: Path) -> None:
    from learnloop.auth.errors import InvalidToken
    from learnloop.auth.tokens import verify_token

    settings = Settings(data_dir=tmp_path / "var")
    forged = jwt.encode(
        {"iss": "learnloop", "sub": "someone", "role": "admin", "exp": 4102444800},
        OLD_DEVELOPMENT_SECRET,
        algorithm="HS256",
    )
    with pytest.raises(InvalidToken, match="signature"):
        verify_token(forged, settings, None)


def test_settings_come_from_learnloop_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEARNLOOP_PORT", "9123")
    monkeypatch.setenv("LEARNLOOP_DEFAULT_PLAN", "free")
    settings = Settings()
    assert settings.port == 9123
    assert settings.default_plan == "free"


def test_default_database_is_a_sqlite_file_under_var() -> None:
    settings = Settings(database_url="")
    assert settings.resolved_database_url == "sqlite:///var/learnloop.db"
    assert settings.worker_in_process is True


def test_postgresql_runs_the_worker_as_its_own_process() -> None:
    settings = Settings(database_url="postgresql+psycopg://u@127.0.0.1/db")
    assert settings.worker_in_process is False


def test_processes_starting_together_agree_on_one_generated_secret(tmp_path: Path) -> None:
    import subprocess
    import sys

    data_dir = tmp_path / "shared-var"
    script = (
        "import sys; from learnloop.config import Settings; "
        "s = Settings(data_dir=sys.argv[1]); print(s.jwt_secret + ' ' + s.credentials_secret)"
    )
    generated = ("LEARNLOOP_JWT_SECRET", "LEARNLOOP_CREDENTIALS_SECRET")
    env = {k: v for k, v in os.environ.items() if k not in generated}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(data_dir)],
            stdout=subprocess.PIPE,
            env=env,
            cwd=Path(__file__).resolve().parents[1],
        )
        for _ in range(6)
    ]
    secrets = {process.communicate(timeout=60)[0].decode().strip() for process in processes}
    assert len(secrets) == 1
    jwt_secret, credentials_secret = secrets.pop().split(" ")
    assert jwt_secret == (data_dir / JWT_SECRET_FILE).read_text().strip()
    assert credentials_secret == (data_dir / CREDENTIALS_SECRET_FILE).read_text().strip()
    assert jwt_secret != credentials_secret
    # No temporary file of a process that lost the race is left behind.
    assert sorted(path.name for path in data_dir.iterdir()) == sorted(
        [JWT_SECRET_FILE, CREDENTIALS_SECRET_FILE]
    )
