"""Issue 12 item 9: sign-ins are rate limited per account and per client address.

Counters live in the database (two app instances on one database share them); time
comes from ``app.state.clock``, so windows expire without sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from learnloop.auth import passwords
from learnloop.main import create_app
from tests.conftest import Account

LOGIN = "/api/auth/login"
START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class SettableClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def throttled_settings(settings):
    return settings.model_copy(
        update={
            "login_max_failures_per_account": 3,
            "login_max_failures_per_address": 6,
            "login_failure_window_seconds": 600,
            "login_lockout_seconds": 300,
        }
    )


def make_app(throttled_settings, database, storage, clock) -> FastAPI:
    app = create_app(throttled_settings, database=database, storage=storage)
    app.state.clock = clock
    return app


@pytest.fixture
def throttled_app(throttled_settings, database, storage, clock) -> FastAPI:
    return make_app(throttled_settings, database, storage, clock)


def client_from(app: FastAPI, address: str) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False, client=(address, 40000)) as client:
        yield client


@pytest.fixture
def from_a(throttled_app) -> Iterator[TestClient]:
    yield from client_from(throttled_app, "192.0.2.10")


@pytest.fixture
def from_b(throttled_app) -> Iterator[TestClient]:
    yield from client_from(throttled_app, "198.51.100.20")


def sign_in(client: TestClient, account: Account, password: str | None = None):
    return client.post(
        LOGIN, json={"email": account.user.email, "password": password or account.password}
    )


def fail(client: TestClient, account: Account, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, account, "wrong password!").status_code == 401


def test_wrong_passwords_lock_the_account_with_429_and_retry_after(from_a, teacher):
    fail(from_a, teacher, 3)
    locked = sign_in(from_a, teacher, "wrong password!")
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "300"
    assert locked.json()["success"] is False
    # The right password is refused too while the lock holds, and sets no cookie.
    right = sign_in(from_a, teacher)
    assert right.status_code == 429
    assert "set-cookie" not in right.headers


def test_retry_after_counts_down_and_the_lock_expires(from_a, teacher, clock):
    fail(from_a, teacher, 3)
    clock.advance(120)
    assert sign_in(from_a, teacher).headers["Retry-After"] == "180"
    clock.advance(180)
    assert sign_in(from_a, teacher).status_code == 200


def test_the_failure_window_expires(from_a, teacher, clock):
    fail(from_a, teacher, 2)
    clock.advance(601)
    fail(from_a, teacher, 2)
    assert sign_in(from_a, teacher).status_code == 200


def test_a_successful_sign_in_starts_the_account_count_over(from_a, teacher):
    fail(from_a, teacher, 2)
    assert sign_in(from_a, teacher).status_code == 200
    fail(from_a, teacher, 2)
    assert sign_in(from_a, teacher).status_code == 200


def test_another_account_and_another_address_are_unaffected(from_a, from_b, teacher, learner):
    fail(from_a, teacher, 3)
    assert sign_in(from_a, teacher).status_code == 429
    assert sign_in(from_a, learner).status_code == 200
    # The account is locked from every address: the limit guards the account.
    assert sign_in(from_b, teacher).status_code == 429


def test_one_address_trying_many_accounts_is_locked_and_others_are_not(
    from_a, from_b, make_account
):
    accounts = [make_account("learner") for _ in range(4)]
    for account in accounts[:3]:
        fail(from_a, account, 2)
    assert sign_in(from_a, accounts[3]).status_code == 429
    assert sign_in(from_b, accounts[3]).status_code == 200


def test_unknown_accounts_are_counted_like_known_ones(from_a, from_b):
    for _ in range(3):
        response = from_a.post(LOGIN, json={"email": "nobody@x.test", "password": "guess"})
        assert response.status_code == 401
    assert (
        from_b.post(LOGIN, json={"email": "nobody@x.test", "password": "guess"}).status_code == 429
    )


def test_a_locked_sign_in_never_reaches_the_password_hash(from_a, teacher, monkeypatch):
    fail(from_a, teacher, 3)
    verified: list[str] = []
    real_verify = passwords.verify_password

    def counting_verify(password_hash: str | None, password: str) -> bool:
        verified.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr("learnloop.auth.users.verify_password", counting_verify)
    for _ in range(20):
        assert sign_in(from_a, teacher, "flood").status_code == 429
    assert verified == []


def test_the_lock_is_shared_by_every_process_on_the_database(
    from_a, teacher, throttled_settings, database, storage, clock
):
    fail(from_a, teacher, 3)
    other_process = make_app(throttled_settings, database, storage, clock)
    for other in client_from(other_process, "192.0.2.99"):
        assert sign_in(other, teacher).status_code == 429


def test_an_email_with_a_nul_byte_is_a_clean_4xx(from_a):
    # PostgreSQL refuses NUL in text: the email must never reach a query or a key as is.
    response = from_a.post(LOGIN, json={"email": "a\u0000b@x.test", "password": "whatever"})
    assert response.status_code in (400, 401)
