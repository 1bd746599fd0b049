import pytest

from learnloop.config import DEFAULT_JWT_SECRET, Settings


def test_production_refuses_the_default_jwt_secret() -> None:
    with pytest.raises(ValueError, match="LEARNLOOP_JWT_SECRET"):
        Settings(environment="production", jwt_secret=DEFAULT_JWT_SECRET)


def test_production_refuses_a_short_jwt_secret() -> None:
    with pytest.raises(ValueError, match="LEARNLOOP_JWT_SECRET"):
        Settings(environment="production", jwt_secret="short-secret")


def test_production_accepts_a_long_random_secret() -> None:
    settings = Settings(environment="production", jwt_secret="x" * 48)
    assert settings.environment == "production"


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
