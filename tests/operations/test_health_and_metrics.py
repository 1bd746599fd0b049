"""/health/live, /health/ready and /metrics on a real migrated database and a real S3 server."""

from __future__ import annotations

import base64
import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from learnloop.config import Settings
from learnloop.db import Database
from learnloop.jobs import queue
from learnloop.main import create_app
from learnloop.storage import LocalFileStorage, S3FileStorage
from learnloop.xapi.credentials import create_client
from tests.support.s3_server import S3Endpoint

VERSION = {"X-Experience-API-Version": "1.0.3"}


def _lrs_headers(session: Session) -> dict[str, str]:
    issued = create_client(session, name="metrics test", scopes=("all",))
    session.commit()
    token = base64.b64encode(f"{issued.client.key}:{issued.secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", **VERSION}


def _statement(verb: str = "http://adlnet.gov/expapi/verbs/completed") -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": "mailto:learner@example.com"},
        "verb": {"id": verb},
        "object": {"id": "http://example.com/activities/quiz"},
    }


def _sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in the Prometheus text, or None when absent."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        if match is None or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(3) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(match.group(4))
    return None


def test_live_answers_without_touching_anything(client: TestClient) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_ready_checks_the_database_and_the_storage(client: TestClient) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}


def test_ready_is_503_when_the_database_is_unreachable(
    settings: Settings, storage: LocalFileStorage
) -> None:
    unreachable = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    database = Database(engine=unreachable, session_factory=sessionmaker(unreachable))
    with TestClient(create_app(settings, database=database, storage=storage)) as client:
        assert client.get("/health/live").status_code == 200
        response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "storage": "ok"}


def test_ready_is_503_when_the_bucket_is_unreachable(
    settings: Settings, database: Database, s3: S3Endpoint
) -> None:
    missing_bucket = S3FileStorage(s3.location(f"ll-missing-{uuid.uuid4().hex[:12]}"))
    with TestClient(create_app(settings, database=database, storage=missing_bucket)) as client:
        response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "storage": "unavailable"}


def test_ready_is_200_on_a_reachable_bucket(
    settings: Settings, database: Database, s3: S3Endpoint
) -> None:
    with TestClient(
        create_app(settings, database=database, storage=s3.new_bucket_storage())
    ) as client:
        assert client.get("/health/ready").status_code == 200


def test_metrics_count_requests_by_route_template_and_status(client: TestClient) -> None:
    client.get("/h5p/content/some-id-1")
    client.get("/h5p/content/some-id-2")
    client.get("/no/such/path/abc")
    text = client.get("/metrics").text
    template_hits = [
        line
        for line in text.splitlines()
        if line.startswith("learnloop_http_requests_total") and "some-id" in line
    ]
    assert template_hits == [], "raw ids must not become label values"
    counted = [
        line
        for line in text.splitlines()
        if line.startswith("learnloop_http_requests_total") and 'route="/h5p/content/' in line
    ]
    assert counted and sum(float(line.rsplit(" ", 1)[1]) for line in counted) >= 2
    assert (
        _sample(
            text, "learnloop_http_requests_total", method="GET", route="<unmatched>", status="404"
        )
        == 1.0
    )
    assert (
        _sample(
            text, "learnloop_http_request_duration_seconds_count", method="GET", route="<unmatched>"
        )
        == 1.0
    )


def test_metrics_count_statements_only_once_committed(client: TestClient, session: Session) -> None:
    headers = _lrs_headers(session)
    assert (
        client.post(
            "/xapi/statements", headers=headers, json=[_statement(), _statement()]
        ).status_code
        == 200
    )
    assert client.post("/xapi/statements", headers=headers, json=_statement()).status_code == 200
    # A batch with one invalid statement is refused whole: nothing stored, nothing counted.
    refused = client.post(
        "/xapi/statements", headers=headers, json=[_statement(), {"actor": "not an agent"}]
    )
    assert refused.status_code == 400
    text = client.get("/metrics").text
    assert _sample(text, "learnloop_xapi_statements_stored_total") == 3.0
    assert (
        _sample(
            text,
            "learnloop_http_requests_total",
            method="POST",
            route="/xapi/statements",
            status="200",
        )
        == 2.0
    )


def test_metrics_report_jobs_by_state_and_the_database(
    client: TestClient, session: Session
) -> None:
    before = _sample(client.get("/metrics").text, "learnloop_jobs", status="pending") or 0.0
    queue.enqueue(session, "metrics.test", {"n": 1})
    queue.enqueue(session, "metrics.test", {"n": 2})
    session.commit()
    text = client.get("/metrics").text
    assert _sample(text, "learnloop_jobs", status="pending") == before + 2
    assert _sample(text, "learnloop_jobs", status="dead") is not None
    assert _sample(text, "learnloop_database_up") == 1.0
    assert "# TYPE learnloop_http_request_duration_seconds histogram" in text


def test_metrics_report_the_connection_pool_of_a_pooled_engine(
    settings: Settings, storage: LocalFileStorage, database_url: str
) -> None:
    pooled = Database.from_url(database_url)
    try:
        with TestClient(create_app(settings, database=pooled, storage=storage)) as client:
            text = client.get("/metrics").text
        assert _sample(text, "learnloop_db_pool_size") is not None
        assert _sample(text, "learnloop_db_pool_checked_out") == 0.0
    finally:
        pooled.engine.dispose()


def test_a_metrics_token_keeps_out_scrapers_without_it(
    settings: Settings, database: Database, storage: LocalFileStorage
) -> None:
    guarded = settings.model_copy(update={"metrics_token": "scrape-secret-0123456789"})
    with TestClient(create_app(guarded, database=database, storage=storage)) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 401
        right = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-0123456789"})
    assert right.status_code == 200
    assert right.headers["content-type"].startswith("text/plain")
    assert "learnloop_http_requests_total" in right.text
