"""Partner LRS passwords are sealed at rest (learnloop.partners.sealing): the database
holds no password a pull source or forwarding rule was given, the services still present
the right one (the live-peer tests forward and pull through a second LearnLoop with it),
and a value sealed under another secret is a clear error, never a wrong password."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.config import CREDENTIALS_SECRET_FILE, Settings
from learnloop.partners.models import ForwardingRule, PartnerPullSource
from learnloop.partners.sealing import CredentialsUnreadable, is_sealed, reveal, seal
from tests.conftest import Account

PASSWORD = "partner-lrs-secret-Ω-0123456789"


def test_seal_and_reveal_round_trip_with_a_fresh_nonce_each_time() -> None:
    first, second = seal("a" * 40, PASSWORD), seal("a" * 40, PASSWORD)
    assert first != second
    assert PASSWORD not in first
    assert is_sealed(first)
    assert reveal("a" * 40, first) == reveal("a" * 40, second) == PASSWORD


def test_another_secret_or_a_tampered_value_is_a_clear_error() -> None:
    sealed = seal("a" * 40, PASSWORD)
    with pytest.raises(CredentialsUnreadable, match="LEARNLOOP_CREDENTIALS_SECRET"):
        reveal("b" * 40, sealed)
    tampered = sealed[:-6] + ("AAAAAA" if not sealed.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(CredentialsUnreadable):
        reveal("a" * 40, tampered)
    with pytest.raises(CredentialsUnreadable):
        reveal("a" * 40, "sealed:v1:not base64!")


def test_a_value_stored_before_sealing_is_read_as_it_is() -> None:
    assert reveal("a" * 40, "plain-old-password") == "plain-old-password"


def test_the_secret_is_generated_once_into_the_data_directory(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path)
    second = Settings(data_dir=tmp_path)
    path = tmp_path / CREDENTIALS_SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.credentials_secret == second.credentials_secret
    assert len(first.credentials_secret) >= 32
    assert first.credentials_secret != first.jwt_secret
    assert Settings(data_dir=tmp_path, credentials_secret="x" * 40).credentials_secret == "x" * 40


def test_the_admin_api_stores_pull_source_and_rule_passwords_sealed(
    client: TestClient, admin: Account, session: Session, settings: Settings
) -> None:
    created = client.post("/api/admin/partners", json={"name": "acme"}, headers=admin.headers)
    assert created.status_code == 201, created.text
    body = {"endpoint": "http://127.0.0.1:9/xapi", "username": "key", "password": PASSWORD}
    source = client.post("/api/admin/partners/acme/pull-sources", json=body, headers=admin.headers)
    rule = client.post("/api/admin/forwarding-rules", json=body, headers=admin.headers)
    assert source.status_code == 201, source.text
    assert rule.status_code == 201, rule.text
    assert PASSWORD not in source.text + rule.text

    session.expire_all()
    stored = [
        session.scalars(select(PartnerPullSource.password)).one(),
        session.scalars(select(ForwardingRule.password)).one(),
    ]
    for value in stored:
        assert is_sealed(value)
        assert PASSWORD not in value
        assert reveal(settings.credentials_secret, value) == PASSWORD
