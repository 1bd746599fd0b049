"""Statement checks and on-stored subscribers run inside the storing transaction."""

from __future__ import annotations

from sqlalchemy import select

from learnloop.errors import Forbidden
from learnloop.jobs.models import Job
from learnloop.jobs.queue import enqueue
from tests.xapi.conftest import LrsCredentials, statement


def test_on_stored_subscribers_see_the_batch_and_write_in_the_same_transaction(
    app, client, session, lrs
):
    seen = []

    def subscriber(tx_session, stored):
        seen.append([s.statement_id for s in stored])
        for item in stored:
            enqueue(tx_session, "test.statement-stored", {"id": item.statement_id})

    app.state.xapi_hooks.add_on_stored(subscriber)
    ids = client.post(
        "/xapi/statements", json=[statement(), statement()], headers=lrs.headers
    ).json()
    assert seen == [ids]
    jobs = session.scalars(select(Job).where(Job.kind == "test.statement-stored")).all()
    assert sorted(job.payload["id"] for job in jobs) == sorted(ids)


def test_a_failing_subscriber_rolls_back_the_statements(app, client, lrs: LrsCredentials):
    def failing(_session, _stored):
        raise RuntimeError("projection broke")

    app.state.xapi_hooks.add_on_stored(failing)
    response = client.post("/xapi/statements", json=statement(), headers=lrs.headers)
    assert response.status_code == 500
    app.state.xapi_hooks.on_stored.clear()
    assert client.get("/xapi/statements", headers=lrs.headers).json()["statements"] == []


def test_a_statement_check_can_reject_the_batch_with_403(app, client, lrs: LrsCredentials):
    def no_failures(_session, batch):
        for document in batch.statements:
            if document["verb"]["id"].endswith("/failed"):
                raise Forbidden("failed is not allowed in this session")

    app.state.xapi_hooks.add_check(no_failures)
    batch = [statement(), statement(verb={"id": "http://adlnet.gov/expapi/verbs/failed"})]
    response = client.post("/xapi/statements", json=batch, headers=lrs.headers)
    assert response.status_code == 403
    assert "not allowed" in response.text
    assert client.get("/xapi/statements", headers=lrs.headers).json()["statements"] == []


def test_resending_known_statements_does_not_publish_them_again(app, client, lrs: LrsCredentials):
    published = []
    app.state.xapi_hooks.add_on_stored(lambda _s, stored: published.extend(stored))
    sent = statement(id="9c4b8a2e-55d7-4c64-9d2a-0b6a3e1f2c11")
    client.post("/xapi/statements", json=sent, headers=lrs.headers)
    client.post("/xapi/statements", json=sent, headers=lrs.headers)
    assert len(published) == 1
