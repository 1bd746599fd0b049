"""The per-process cache of active forwarding rules (partners.forwarding.ForwardingSubscriber).

Statement ingest reads the rules from the cache; these tests pin what the cache must not
change: a rule changed through this process applies to the next statement, a rule
deactivated elsewhere never gets entries queued, and a rule created elsewhere applies
once the cache entry expires.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from learnloop.partners import forwarding
from learnloop.partners.models import ForwardingOutboxEntry, ForwardingRule
from learnloop.xapi.credentials import create_client
from tests.conftest import Account
from tests.xapi.conftest import LrsCredentials, statement

RULE = {"endpoint": "http://127.0.0.1:9/xapi", "username": "u", "password": "p"}


@pytest.fixture
def lrs(session: Session) -> LrsCredentials:
    issued = create_client(session, name="forwarding test", scopes=("all",))
    session.commit()
    return LrsCredentials(issued.client.key, issued.secret)


def _post(client: TestClient, lrs: LrsCredentials) -> str:
    response = client.post(
        "/xapi/statements", json=statement(id=str(uuid.uuid4())), headers=lrs.headers
    )
    assert response.status_code == 200, response.text
    return str(response.json()[0])


def _queued(session: Session, rule_id: str) -> int:
    session.expire_all()
    return int(
        session.scalar(
            select(func.count())
            .select_from(ForwardingOutboxEntry)
            .where(ForwardingOutboxEntry.rule_id == rule_id)
        )
        or 0
    )


def _create_rule(client: TestClient, admin: Account, **fields: Any) -> str:
    response = client.post(
        "/api/admin/forwarding-rules", json={**RULE, **fields}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_rule_created_in_this_process_applies_to_the_next_statement(
    client: TestClient, session: Session, admin: Account, lrs: LrsCredentials
) -> None:
    _post(client, lrs)  # the cache now holds "no rules"
    rule_id = _create_rule(client, admin)
    _post(client, lrs)
    assert _queued(session, rule_id) == 1


def test_a_rule_deactivated_in_this_process_queues_nothing_more(
    client: TestClient, session: Session, admin: Account, lrs: LrsCredentials
) -> None:
    rule_id = _create_rule(client, admin)
    _post(client, lrs)
    assert client.delete(f"/api/admin/forwarding-rules/{rule_id}", headers=admin.headers).is_success
    _post(client, lrs)
    assert _queued(session, rule_id) == 1


def test_a_rule_deactivated_elsewhere_gets_no_entries_while_still_cached(
    client: TestClient, session: Session, admin: Account, lrs: LrsCredentials
) -> None:
    rule_id = _create_rule(client, admin)
    _post(client, lrs)
    # Another process deactivates it behind this one's back: the cache still lists it.
    session.execute(
        update(ForwardingRule).where(ForwardingRule.id == rule_id).values(is_active=False)
    )
    session.commit()
    _post(client, lrs)
    assert _queued(session, rule_id) == 1


def test_a_rule_created_elsewhere_applies_once_the_cache_expires(
    client: TestClient, session: Session, lrs: LrsCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forwarding, "RULE_CACHE_SECONDS", 0.3)
    _post(client, lrs)  # cached: no rules
    rule_id = str(uuid.uuid4())
    # Another process inserts the rule (no generation bump in this one).
    session.execute(
        insert(ForwardingRule).values(
            id=rule_id, name="elsewhere", verb_ids=[], batch_size=50, is_active=True, **RULE
        )
    )
    session.commit()
    _post(client, lrs)
    assert _queued(session, rule_id) == 0  # within the stated staleness
    time.sleep(0.35)
    _post(client, lrs)
    assert _queued(session, rule_id) == 1
