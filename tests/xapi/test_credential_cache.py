"""The per-process cache of LRS credential look-ups (learnloop.xapi.credentials).

Every statement request authenticates; the cache keeps that off the database, and these
tests pin what it must not change: revocation, wrong secrets, and isolation of the rows.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from learnloop.xapi import credentials
from learnloop.xapi.models import LrsClient
from tests.xapi.conftest import LrsCredentials


def test_revoking_in_this_process_takes_effect_at_once(client, session, lrs: LrsCredentials):
    assert client.get("/xapi/statements", headers=lrs.headers).status_code == 200  # cached
    credentials.revoke_client(session, lrs.key)
    session.commit()
    assert client.get("/xapi/statements", headers=lrs.headers).status_code == 401


def test_a_revocation_made_elsewhere_takes_effect_when_the_entry_expires(
    client, session: Session, lrs: LrsCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(credentials, "CREDENTIAL_CACHE_SECONDS", 0.3)
    credentials.forget_cached_client(lrs.key)
    assert client.get("/xapi/statements", headers=lrs.headers).status_code == 200
    # Another process (``learnloop clients revoke``) changes the row behind our back.
    session.execute(update(LrsClient).where(LrsClient.key == lrs.key).values(is_active=False))
    session.commit()
    time.sleep(0.35)
    assert client.get("/xapi/statements", headers=lrs.headers).status_code == 401


def test_a_wrong_secret_is_refused_while_the_right_one_is_cached(
    client, lrs: LrsCredentials
) -> None:
    assert client.get("/xapi/statements", headers=lrs.headers).status_code == 200
    wrong = LrsCredentials(lrs.key, lrs.secret + "x")
    assert client.get("/xapi/statements", headers=wrong.headers).status_code == 401
    assert credentials._client_cache.get(lrs.key) is not None


def test_the_client_returned_is_a_copy_that_cannot_change_the_row(
    session: Session, lrs: LrsCredentials
) -> None:
    first = credentials.authenticate(session, lrs.key, lrs.secret)
    assert first is not None
    first.scopes.append("statements/read")
    first.name = "changed"
    second = credentials.authenticate(session, lrs.key, lrs.secret)
    assert second is not None
    assert second.name == "test client"
    assert second.scopes == ["all"]
    assert first not in session
    session.flush()
    row = session.scalar(credentials._CLIENT_BY_KEY, {"key": lrs.key})
    assert row is not None and row.name == "test client"


def test_an_unknown_key_is_not_cached(session: Session) -> None:
    assert credentials.authenticate(session, "no-such-key", "secret") is None
    assert credentials._client_cache.get("no-such-key") is None
