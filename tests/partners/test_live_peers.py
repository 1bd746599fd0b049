"""Pulling from and forwarding to a second, real LearnLoop instance (a separate server
process with its own database), and the OAuth flow with a real HTTP client over TCP."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.db import Database, utcnow
from learnloop.jobs.models import Job, JobStatus
from learnloop.jobs.worker import Worker
from learnloop.main import build_worker, create_app
from learnloop.partners import directory
from learnloop.partners.models import (
    ForwardingOutboxEntry,
    PartnerCatalogItem,
    PartnerProgress,
    PartnerPullSource,
)
from learnloop.storage import LocalFileStorage
from learnloop.xapi import credentials
from learnloop.xapi.models import StatementRow
from tests.conftest import Account
from tests.partners.conftest import XAPI_HEADERS, MakeClient, PartnerClientCredentials
from tests.support.live_server import LiveServer, free_port

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"


@dataclass
class Peer:
    """The second LearnLoop: its server and LRS credentials on it."""

    server: LiveServer
    key: str
    secret: str

    @property
    def xapi(self) -> str:
        return f"{self.server.base_url}/xapi"

    def post(self, statements: list[dict[str, Any]]) -> None:
        response = httpx.post(
            f"{self.xapi}/statements",
            json=statements,
            auth=(self.key, self.secret),
            headers=XAPI_HEADERS,
        )
        assert response.status_code == 200, response.text

    def statements(self, **params: str) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.xapi}/statements",
            params={"ascending": "true", "limit": "1000", **params},
            auth=(self.key, self.secret),
            headers=XAPI_HEADERS,
        )
        assert response.status_code == 200, response.text
        return list(response.json()["statements"])


@pytest.fixture
def peer(live_server: LiveServer, committed_database: Database) -> Peer:
    with committed_database.transaction() as session:
        issued = credentials.create_client(session, name="partner lrs", scopes=["all"])
        key, secret = issued.client.key, issued.secret
    return Peer(live_server, key, secret)


@pytest.fixture
def paged_app(settings: Settings, database: Database, storage: LocalFileStorage) -> FastAPI:
    # Small pages and page budgets, so a pull follows `more` links and continues in a
    # second job.
    return create_app(
        settings.model_copy(
            update={"partner_pull_page_limit": 3, "partner_pull_max_pages_per_run": 2}
        ),
        database=database,
        storage=storage,
    )


@pytest.fixture
def paged_client(paged_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(paged_app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def worker(paged_app: FastAPI) -> Worker:
    return build_worker(paged_app.state.services)


def xapi_statement(actor: str, verb: str, activity: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:{actor}", "objectType": "Agent"},
        "verb": {"id": verb},
        "object": {"id": activity, "objectType": "Activity"},
    }


def local_ids(session: Session) -> set[str]:
    return set(session.scalars(select(StatementRow.statement_id)))


def make_due(session: Session) -> None:
    """Skip the backoff wait: what the clock would do."""
    session.execute(
        update(Job).where(Job.status == JobStatus.PENDING.value).values(run_after=utcnow())
    )
    session.commit()


def test_pull_pages_through_the_partner_lrs_remembers_its_cursor_and_is_idempotent(
    paged_client: TestClient,
    session: Session,
    worker: Worker,
    admin: Account,
    peer: Peer,
    acme: PartnerClientCredentials,
) -> None:
    history = [
        xapi_statement(f"l{n}@acme.example", COMPLETED, f"https://acme.example/c/{n}")
        for n in range(8)
    ]
    peer.post(history[:4])
    peer.post(history[4:])
    source = paged_client.post(
        "/api/admin/partners/acme/pull-sources",
        json={"endpoint": peer.xapi, "username": peer.key, "password": peer.secret},
        headers=admin.headers,
    )
    assert source.status_code == 201, source.text
    source_id = source.json()["id"]
    run = paged_client.post(
        f"/api/admin/partners/acme/pull-sources/{source_id}/run", headers=admin.headers
    )
    assert run.status_code == 202
    # 8 statements, pages of 3, 2 pages per job: the first job queues a continuation.
    assert worker.run_until_idle() == 2
    assert local_ids(session) == {s["id"] for s in history}
    pulled = session.get(PartnerPullSource, source_id)
    assert pulled is not None
    session.refresh(pulled)
    assert pulled.statements_pulled == 8
    assert pulled.next_more_url is None
    first_cursor = pulled.cursor_stored
    assert first_cursor is not None
    row = session.scalar(select(StatementRow).where(StatementRow.statement_id == history[0]["id"]))
    assert row is not None
    assert row.statement["authority"]["account"]["name"] == "acme"

    # A second run sees only what is new since the cursor (plus the overlap, acknowledged).
    newer = [xapi_statement("late@acme.example", COMPLETED, "https://acme.example/c/late")]
    peer.post(newer)
    paged_client.post(
        f"/api/admin/partners/acme/pull-sources/{source_id}/run", headers=admin.headers
    )
    worker.run_until_idle()
    assert local_ids(session) == {s["id"] for s in history + newer}
    session.refresh(pulled)
    assert pulled.cursor_stored is not None and pulled.cursor_stored > first_cursor
    assert session.query(StatementRow).count() == 9

    # Running again from the start stores nothing twice.
    pulled.cursor_stored = None
    session.commit()
    paged_client.post(
        f"/api/admin/partners/acme/pull-sources/{source_id}/run", headers=admin.headers
    )
    worker.run_until_idle()
    assert session.query(StatementRow).count() == 9
    done = session.scalars(select(Job).where(Job.kind == "partners.pull")).all()
    assert {job.status for job in done} == {JobStatus.DONE.value}


def test_a_pull_from_an_unreachable_lrs_is_retried_with_backoff_then_dead_lettered(
    paged_client: TestClient,
    session: Session,
    worker: Worker,
    admin: Account,
    acme: PartnerClientCredentials,
) -> None:
    source = paged_client.post(
        "/api/admin/partners/acme/pull-sources",
        json={"endpoint": f"http://127.0.0.1:{free_port()}/xapi", "username": "u", "password": "p"},
        headers=admin.headers,
    ).json()
    paged_client.post(
        f"/api/admin/partners/acme/pull-sources/{source['id']}/run", headers=admin.headers
    )
    assert worker.run_until_idle() == 1
    job = session.scalar(select(Job).where(Job.kind == "partners.pull"))
    assert job is not None
    session.refresh(job)
    assert job.status == JobStatus.PENDING.value
    assert job.attempts == 1
    assert job.run_after > utcnow() + timedelta(seconds=1)
    assert "ConnectError" in (job.last_error or "")
    for _ in range(job.max_attempts - 1):
        make_due(session)
        worker.run_until_idle()
    dead = paged_client.get("/api/admin/jobs", params={"status": "dead"}, headers=admin.headers)
    assert dead.status_code == 200
    assert [item["kind"] for item in dead.json()["data"]] == ["partners.pull"]


def _rule(client: TestClient, admin: Account, peer: Peer, **extra: Any) -> str:
    response = client.post(
        "/api/admin/forwarding-rules",
        json={
            "name": "to the district LRS",
            "endpoint": peer.xapi,
            "username": peer.key,
            "password": peer.secret,
            **extra,
        },
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_matching_statements_are_forwarded_in_order_in_batches(
    paged_client: TestClient,
    session: Session,
    worker: Worker,
    admin: Account,
    peer: Peer,
    acme_headers: dict[str, str],
    make_partner_client: MakeClient,
) -> None:
    _rule(
        paged_client,
        admin,
        peer,
        verbs=[COMPLETED],
        activityPrefix="https://acme.example/",
        actorDomain="learners.example",
        partner="acme",
        batchSize=2,
    )
    wanted = [
        xapi_statement(f"p{n}@learners.example", COMPLETED, f"https://acme.example/c/{n}")
        for n in range(5)
    ]
    unwanted = [
        xapi_statement("p@learners.example", ATTEMPTED, "https://acme.example/c/x"),
        xapi_statement("p@learners.example", COMPLETED, "https://other.example/c/x"),
        xapi_statement("p@elsewhere.example", COMPLETED, "https://acme.example/c/x"),
    ]
    headers = {**acme_headers, **XAPI_HEADERS}
    url = "/v1/partners/acme/statements"
    assert paged_client.post(url, json=wanted[:2] + unwanted, headers=headers).status_code == 200
    assert paged_client.post(url, json=wanted[2:], headers=headers).status_code == 200
    # Another partner's statement does not match a rule for acme.
    globex = make_partner_client("globex")
    token = paged_client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(globex.client_id, globex.secret),
    ).json()["access_token"]
    other = xapi_statement("g@learners.example", COMPLETED, "https://acme.example/c/g")
    paged_client.post(
        "/v1/partners/globex/statements",
        json=other,
        headers={"Authorization": f"Bearer {token}", **XAPI_HEADERS},
    )
    assert session.query(ForwardingOutboxEntry).count() == 5

    assert peer.statements() == []  # nothing leaves before the worker runs
    worker.run_until_idle()
    received = peer.statements()
    assert [s["id"] for s in received] == [s["id"] for s in wanted]
    assert session.query(ForwardingOutboxEntry).count() == 0


def test_a_statement_the_target_refuses_becomes_a_dead_letter_and_the_rest_go_on(
    paged_client: TestClient,
    session: Session,
    worker: Worker,
    admin: Account,
    peer: Peer,
    acme_headers: dict[str, str],
) -> None:
    rule_id = _rule(paged_client, admin, peer)
    statements = [
        xapi_statement(f"d{n}@learners.example", COMPLETED, "https://acme.example/c/1")
        for n in range(3)
    ]
    # The target already holds another statement under the middle id: it answers 409.
    clash = copy.deepcopy(statements[1])
    clash["verb"] = {"id": ATTEMPTED}
    peer.post([clash])
    response = paged_client.post(
        "/v1/partners/acme/statements", json=statements, headers={**acme_headers, **XAPI_HEADERS}
    )
    assert response.status_code == 200
    worker.run_until_idle()
    assert [s["id"] for s in peer.statements(verb=COMPLETED)] == [
        statements[0]["id"],
        statements[2]["id"],
    ]
    letters = paged_client.get(
        f"/api/admin/forwarding-rules/{rule_id}/dead-letters", headers=admin.headers
    )
    assert letters.status_code == 200
    assert [item["statementId"] for item in letters.json()] == [statements[1]["id"]]
    assert "409" in letters.json()[0]["error"]


def test_an_unreachable_target_keeps_the_statements_and_the_job_ends_in_dead_jobs(
    paged_client: TestClient,
    session: Session,
    worker: Worker,
    admin: Account,
    acme_headers: dict[str, str],
) -> None:
    response = paged_client.post(
        "/api/admin/forwarding-rules",
        json={
            "endpoint": f"http://127.0.0.1:{free_port()}/xapi",
            "username": "u",
            "password": "p",
        },
        headers=admin.headers,
    )
    assert response.status_code == 201
    paged_client.post(
        "/v1/partners/acme/statements",
        json=xapi_statement("x@learners.example", COMPLETED, "https://acme.example/c/1"),
        headers={**acme_headers, **XAPI_HEADERS},
    )
    worker.run_until_idle()
    job = session.scalar(select(Job).where(Job.kind == "partners.forward"))
    assert job is not None
    session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.PENDING.value, 1)
    for _ in range(job.max_attempts - 1):
        make_due(session)
        worker.run_until_idle()
    session.refresh(job)
    assert job.status == JobStatus.DEAD.value
    assert session.query(ForwardingOutboxEntry).count() == 1
    dead = paged_client.get("/api/admin/jobs", params={"status": "dead"}, headers=admin.headers)
    assert [item["kind"] for item in dead.json()["data"]] == ["partners.forward"]


def test_oauth_track_and_statements_over_http_against_a_live_server(
    live_server: LiveServer, committed_database: Database
) -> None:
    with committed_database.transaction() as session:
        partner = directory.create_partner(session, name="acme", unknown_users="create")
        issued = directory.create_client(session, partner)
        client_id, secret = issued.client.client_id, issued.secret
    with httpx.Client(base_url=live_server.base_url) as http:
        token = http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": "track:write statements:write"},
            auth=(client_id, secret),
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        tracked = http.post(
            "/v1/partners/acme/track",
            json={
                "content_id": "ext-101-cloud-basics",
                "user": "john.doe@company.com",
                "status": "completed",
                "event_date": "2024-05-13T14:25:00Z",
                "completion_percentage": 100,
                "duration_spent": 1200,
            },
            headers=headers,
        )
        assert tracked.status_code == 201, tracked.text
        pushed = http.post(
            "/v1/partners/acme/statements",
            json=xapi_statement("john.doe@company.com", COMPLETED, "https://acme.example/c/1"),
            headers={**headers, **XAPI_HEADERS},
        )
        assert pushed.status_code == 200, pushed.text
        # The token was issued without statements:read.
        assert http.get("/v1/partners/acme/statements", headers=headers).status_code == 403
        bad = http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, "wrong"),
        )
        assert (bad.status_code, bad.json()["error"]) == (401, "invalid_client")


def test_concurrent_events_of_one_learner_all_count_and_the_standing_keeps_the_maximum(
    live_server: LiveServer, committed_database: Database
) -> None:
    with committed_database.transaction() as session:
        partner = directory.create_partner(session, name="acme", unknown_users="create")
        issued = directory.create_client(session, partner)
        client_id, secret = issued.client.client_id, issued.secret
    token = httpx.post(
        f"{live_server.base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    ).json()["access_token"]

    def send(minute: int) -> int:
        status = "completed" if minute == 7 else "in_progress"
        response = httpx.post(
            f"{live_server.base_url}/v1/partners/acme/track",
            json={
                "content_id": "ext-7",
                "user": "racer@company.com",
                "status": status,
                "event_date": f"2024-05-13T14:{minute:02d}:00Z",
                "completion_percentage": 100 if status == "completed" else minute * 10,
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        return response.status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, range(8)))
    assert statuses == [201] * 8, live_server.log()[-3000:]
    with committed_database.transaction() as session:
        progress = session.scalars(select(PartnerProgress)).all()
        assert [(p.status, p.completion_percentage) for p in progress] == [("completed", 100)]
        assert session.query(PartnerCatalogItem).count() == 1
        assert session.query(StatementRow).count() == 8
