"""The reference's /api/xapi endpoints: its shapes, with its careless parts fixed."""

from __future__ import annotations

from learnloop.auth.models import Role
from tests.xapi.conftest import LrsCredentials, agent, statement


def test_post_statements_overwrites_the_actor_with_the_user(client, learner, settings):
    sent = statement(
        actor={"objectType": "Agent", "mbox": "mailto:spoof@example.com", "name": "Me"}
    )
    response = client.post("/api/xapi/statements", json=sent, headers=learner.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    [statement_id] = body["data"]["ids"]
    listing = client.get("/api/xapi/statements", headers=learner.headers).json()["data"][
        "statements"
    ]
    assert listing[0]["id"] == statement_id
    assert listing[0]["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": settings.base_url, "name": learner.id},
        "name": "Me",
    }


def test_post_statements_accepts_an_array(client, learner):
    response = client.post(
        "/api/xapi/statements", json=[statement(), statement()], headers=learner.headers
    )
    assert len(response.json()["data"]["ids"]) == 2


def test_post_statements_validation_errors_are_400_with_the_reason(client, learner):
    response = client.post(
        "/api/xapi/statements", json=statement(verb={"display": {}}), headers=learner.headers
    )
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert "verb" in body["error"]
    bad_object = client.post(
        "/api/xapi/statements", json=statement(object={}), headers=learner.headers
    )
    assert bad_object.status_code == 400


def test_reference_endpoints_need_a_token(client):
    assert client.post("/api/xapi/statements", json=statement()).status_code == 401
    assert client.get("/api/xapi/statements").status_code == 401
    assert (
        client.post("/api/xapi/h5p-event", json={"contentId": "a", "verb": "completed"}).status_code
        == 401
    )


def test_h5p_event_becomes_a_full_statement(client, learner, settings):
    event = {
        "contentId": "abc123",
        "verb": "completed",
        "score": {"scaled": 0.85, "raw": 85, "max": 100},
        "success": True,
        "completion": True,
        "duration": 120,
        "response": "selected-choice-2",
    }
    response = client.post("/api/xapi/h5p-event", json=event, headers=learner.headers)
    assert response.status_code == 200
    statement_id = response.json()["data"]["id"]
    [stored] = client.get("/api/xapi/statements", headers=learner.headers).json()["data"][
        "statements"
    ]
    assert stored["id"] == statement_id
    assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert stored["object"]["id"] == f"{settings.base_url}/h5p/content/abc123"
    assert (
        stored["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    )
    assert stored["result"] == {
        "score": {"scaled": 0.85, "raw": 85, "max": 100},
        "success": True,
        "completion": True,
        "response": "selected-choice-2",
        "duration": "PT120S",
    }
    assert stored["context"] == {"platform": "EduAgentic H5P", "language": "en"}
    assert stored["actor"]["account"]["name"] == learner.id


def test_h5p_event_unknown_verb_falls_back_to_interacted(client, learner):
    client.post(
        "/api/xapi/h5p-event",
        json={"contentId": "c", "verb": "wiggled", "duration": 1.5},
        headers=learner.headers,
    )
    [stored] = client.get("/api/xapi/statements", headers=learner.headers).json()["data"][
        "statements"
    ]
    assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/interacted"
    assert stored["result"]["duration"] == "PT1.5S"


def test_h5p_event_missing_fields_or_bad_score_is_400(client, learner):
    missing = client.post(
        "/api/xapi/h5p-event", json={"verb": "completed"}, headers=learner.headers
    )
    assert missing.status_code == 400
    assert missing.json()["error"] == "Missing required fields: contentId, verb"
    bad_score = client.post(
        "/api/xapi/h5p-event",
        json={"contentId": "c", "verb": "completed", "score": {"scaled": 3}},
        headers=learner.headers,
    )
    assert bad_score.status_code == 400
    assert "scaled" in bad_score.json()["error"]
    negative = client.post(
        "/api/xapi/h5p-event",
        json={"contentId": "c", "verb": "completed", "duration": -1},
        headers=learner.headers,
    )
    assert negative.status_code == 400


def test_get_is_scoped_learners_see_only_their_own(client, make_account):
    ann = make_account(Role.LEARNER)
    bob = make_account(Role.LEARNER)
    client.post(
        "/api/xapi/h5p-event", json={"contentId": "c", "verb": "completed"}, headers=ann.headers
    )
    client.post(
        "/api/xapi/h5p-event", json={"contentId": "c", "verb": "completed"}, headers=bob.headers
    )
    ann_view = client.get("/api/xapi/statements", headers=ann.headers).json()["data"]["statements"]
    assert [s["actor"]["account"]["name"] for s in ann_view] == [ann.id]
    filtered = client.get("/api/xapi/statements", params={"actorId": bob.id}, headers=ann.headers)
    assert filtered.json()["data"]["statements"] == []


def test_get_teachers_see_statements_about_content_they_own(
    app, client, teacher, make_account, settings
):
    owned = f"{settings.base_url}/h5p/content/owned"
    app.state.xapi_hooks.add_teacher_activity_provider(
        lambda _session, user_id: [owned] if user_id == teacher.id else []
    )
    ann = make_account(Role.LEARNER)
    client.post(
        "/api/xapi/h5p-event", json={"contentId": "owned", "verb": "completed"}, headers=ann.headers
    )
    client.post(
        "/api/xapi/h5p-event",
        json={"contentId": "elsewhere", "verb": "completed"},
        headers=ann.headers,
    )
    view = client.get("/api/xapi/statements", headers=teacher.headers).json()["data"]["statements"]
    assert [s["object"]["id"] for s in view] == [owned]
    other_teacher = make_account(Role.TEACHER)
    assert (
        client.get("/api/xapi/statements", headers=other_teacher.headers).json()["data"][
            "statements"
        ]
        == []
    )


def test_get_admins_see_everything_and_filters_apply(
    client, admin, make_account, lrs: LrsCredentials
):
    ann = make_account(Role.LEARNER)
    client.post(
        "/api/xapi/h5p-event", json={"contentId": "c1", "verb": "completed"}, headers=ann.headers
    )
    client.post(
        "/api/xapi/h5p-event", json={"contentId": "c2", "verb": "passed"}, headers=ann.headers
    )
    client.post("/xapi/statements", json=statement(actor=agent("zed")), headers=lrs.headers)
    everything = client.get("/api/xapi/statements", headers=admin.headers).json()["data"][
        "statements"
    ]
    assert len(everything) == 3
    by_actor = client.get("/api/xapi/statements", params={"actorId": ann.id}, headers=admin.headers)
    assert len(by_actor.json()["data"]["statements"]) == 2
    by_mbox = client.get(
        "/api/xapi/statements", params={"actorId": "zed@example.com"}, headers=admin.headers
    )
    assert len(by_mbox.json()["data"]["statements"]) == 1
    by_verb = client.get(
        "/api/xapi/statements",
        params={"verbId": "http://adlnet.gov/expapi/verbs/passed"},
        headers=admin.headers,
    )
    assert [s["object"]["id"].rsplit("/", 1)[1] for s in by_verb.json()["data"]["statements"]] == [
        "c2"
    ]
    limited = client.get("/api/xapi/statements", params={"limit": 1}, headers=admin.headers)
    assert len(limited.json()["data"]["statements"]) == 1


def test_get_orders_by_timestamp_newest_first_and_filters_by_time(client, learner):
    for timestamp in ("2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-02-01T00:00:00Z"):
        client.post(
            "/api/xapi/statements", json=statement(timestamp=timestamp), headers=learner.headers
        )
    listing = client.get("/api/xapi/statements", headers=learner.headers).json()["data"][
        "statements"
    ]
    assert [s["timestamp"][:7] for s in listing] == ["2024-03", "2024-02", "2024-01"]
    window = client.get(
        "/api/xapi/statements",
        params={"since": "2024-01-15T00:00:00Z", "until": "2024-02-15T00:00:00Z"},
        headers=learner.headers,
    )
    assert [s["timestamp"][:7] for s in window.json()["data"]["statements"]] == ["2024-02"]
    assert (
        client.get(
            "/api/xapi/statements", params={"since": "soon"}, headers=learner.headers
        ).status_code
        == 400
    )
