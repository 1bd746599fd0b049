"""Fixtures: a real migrated database (SQLite or PostgreSQL), an app, users and tokens.

``LEARNLOOP_TEST_DATABASE_URL`` chooses the backend; unset means a SQLite file. The
PostgreSQL database named in the URL is dropped and created afresh for each run. Every
test runs inside a transaction that is rolled back; the app's sessions join it through
SAVEPOINTs, so a handler's commit is visible to the test but never to the next test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from learnloop.auth import users as user_service
from learnloop.auth.models import Role, User
from learnloop.auth.tokens import issue_token
from learnloop.config import Settings
from learnloop.db import Database, build_engine
from learnloop.main import create_app
from learnloop.storage import LocalFileStorage
from tests.support.databases import (
    create_fresh_database,
    drop_postgres_database,
    is_postgresql,
    sibling_database_url,
    test_database_url,
)
from tests.support.live_server import LiveServer, start_live_server

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
FIXTURES_DIR = Path(os.environ.get("LEARNLOOP_FIXTURES_DIR", SHARED_DIR / "fixtures"))
TEST_JWT_SECRET = "test-secret-for-learnloop-that-is-long-enough"


def pytest_report_header() -> str:
    return f"learnloop test database: {test_database_url().split('@')[-1]}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return create_fresh_database(test_database_url(tmp_path_factory.mktemp("db")))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    connection = engine.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture
def database(engine: Engine, connection: Connection) -> Database:
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return Database(engine=engine, session_factory=factory)


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session() as session:
        yield session


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path / "var",
        database_url=database_url,
        jwt_secret=TEST_JWT_SECRET,
        run_worker_in_process=False,
        base_url="http://testserver",
        # Tests never reach the real H5P Hub; tests/h5p/hub runs a local one.
        h5p_hub_url="",
    )


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "files")


@pytest.fixture
def app(settings: Settings, database: Database, storage: LocalFileStorage) -> FastAPI:
    return create_app(settings, database=database, storage=storage)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass
class Account:
    user: User
    token: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def id(self) -> str:
        return self.user.id


MakeAccount = Callable[..., Account]


@pytest.fixture
def make_account(session: Session, settings: Settings) -> MakeAccount:
    counter = {"n": 0}

    def make(role: Role | str = Role.LEARNER, email: str | None = None, name: str = "") -> Account:
        counter["n"] += 1
        role_value = Role(role)
        address = email or f"{role_value.value}{counter['n']}@example.test"
        password = "correct horse battery"
        user = user_service.create_user(
            session,
            email=address,
            display_name=name or f"{role_value.value.title()} {counter['n']}",
            role=role_value,
            password=password,
        )
        session.commit()
        token, _ = issue_token(settings, user)
        return Account(user=user, token=token, password=password)

    return make


@pytest.fixture
def admin(make_account: MakeAccount) -> Account:
    return make_account(Role.ADMIN)


@pytest.fixture
def teacher(make_account: MakeAccount) -> Account:
    return make_account(Role.TEACHER)


@pytest.fixture
def learner(make_account: MakeAccount) -> Account:
    return make_account(Role.LEARNER)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES_DIR.is_dir():
        pytest.fail(
            f"shared fixtures not found at {FIXTURES_DIR} (expected ../shared beside the repo)"
        )
    return FIXTURES_DIR


@pytest.fixture
def committed_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A separate, freshly migrated database whose commits are real (multi-process tests)."""
    url = create_fresh_database(sibling_database_url(database_url, tmp_path))
    yield url
    if is_postgresql(url):
        drop_postgres_database(url)


@pytest.fixture
def committed_database(committed_database_url: str) -> Iterator[Database]:
    database = Database.from_url(committed_database_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def live_server(committed_database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = start_live_server(committed_database_url, tmp_path / "live")
    yield server
    server.stop()
