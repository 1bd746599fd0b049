"""CSRF tokens for cookie callers on the player's POSTs; bearer and ?token= callers need none."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from learnloop.auth.csrf import csrf_token
from learnloop.h5p.player_models import H5PContentUserData, H5PFinishedResult

STATE_URL = "/h5p/contentUserData/{}/state/0"


@pytest.fixture
def content_id(client, admin, hub_dir):
    from tests.h5p.conftest import import_file

    # An admin: the package installs libraries, which teachers may not (library_rights).
    response = import_file(client, admin.headers, hub_dir / "H5P.TrueFalse.h5p")
    content_id = response.json()["data"]["contentId"]
    client.patch(
        f"/h5p/content/{content_id}/visibility",
        headers=admin.headers,
        json={"visibility": "public"},
    )
    return content_id


@pytest.fixture
def hub_dir(fixtures_dir):
    return fixtures_dir / "h5p" / "hub"


def model_csrf(client, content_id) -> str:
    model = client.get(f"/h5p/play/{content_id}").json()["data"]["integration"]
    return str(parse_qs(urlsplit(model["ajax"]["contentUserData"]).query)["csrf"][0])


def finished_fields(content_id):
    return {
        "contentId": content_id,
        "score": "1",
        "maxScore": "1",
        "opened": "1795000000",
        "finished": "1795000010",
    }


def test_a_cookie_caller_without_the_csrf_token_is_refused(client, session, learner, content_id):
    client.cookies.set("learnloop_token", learner.token)
    state = client.post(STATE_URL.format(content_id), data={"data": "{}"})
    assert state.status_code == 403
    assert "CSRF" in state.json()["error"]
    finished = client.post("/h5p/setFinished", data=finished_fields(content_id))
    assert finished.status_code == 403
    assert session.scalars(select(H5PContentUserData)).all() == []
    assert session.scalars(select(H5PFinishedResult)).all() == []


def test_a_cookie_caller_with_the_models_csrf_token_is_accepted(client, learner, content_id):
    client.cookies.set("learnloop_token", learner.token)
    token = model_csrf(client, content_id)
    state = client.post(
        STATE_URL.format(content_id), params={"csrf": token}, data={"data": '{"a":1}'}
    )
    assert state.status_code == 200, state.text
    finished = client.post(
        "/h5p/setFinished", params={"csrf": token}, data=finished_fields(content_id)
    )
    assert finished.status_code == 200
    header = client.post(
        STATE_URL.format(content_id), headers={"X-CSRF-Token": token}, data={"data": "{}"}
    )
    assert header.status_code == 200


def test_a_csrf_token_of_another_user_or_session_is_refused(
    client, settings, make_account, learner, content_id
):
    other = make_account("learner")
    client.cookies.set("learnloop_token", learner.token)
    foreign = csrf_token(settings, other.id, other.token)
    other_session = csrf_token(settings, learner.id, "an-older-cookie-token")
    for token in (foreign, other_session, "0" * 64):
        response = client.post(
            STATE_URL.format(content_id), params={"csrf": token}, data={"data": "{}"}
        )
        assert response.status_code == 403


def test_bearer_and_query_token_callers_need_no_csrf_token(client, learner, content_id):
    by_header = client.post(
        STATE_URL.format(content_id), headers=learner.headers, data={"data": "{}"}
    )
    assert by_header.status_code == 200
    by_query = client.post(
        STATE_URL.format(content_id), params={"token": learner.token}, data={"data": "{}"}
    )
    assert by_query.status_code == 200


def test_the_token_is_bound_to_user_and_session(settings):
    first = csrf_token(settings, "user-1", "cookie-a")
    assert first == csrf_token(settings, "user-1", "cookie-a")
    assert first != csrf_token(settings, "user-2", "cookie-a")
    assert first != csrf_token(settings, "user-1", "cookie-b")
    other_secret = settings.model_copy(update={"jwt_secret": "x" * 40})
    assert first != csrf_token(other_secret, "user-1", "cookie-a")
