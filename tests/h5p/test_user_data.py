"""contentUserData as H5P core sends it: GET/POST, data=0 deletes, preload, invalidate."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from learnloop.h5p.player_models import H5PContentUserData

STATE = json.dumps({"answers": [0], "progress": 2})


@pytest.fixture
def public_content(client, teacher, multichoice):
    client.patch(
        f"/h5p/content/{multichoice}/visibility",
        headers=teacher.headers,
        json={"visibility": "public"},
    )
    return multichoice


def url(content_id: str, data_type: str = "state", sub_content_id: str = "0") -> str:
    return f"/h5p/contentUserData/{content_id}/{data_type}/{sub_content_id}"


def save(client, account, content_id, data, *, preload="1", invalidate="1", **kwargs):
    fields = {"data": data, "preload": preload, "invalidate": invalidate}
    return client.post(url(content_id, **kwargs), headers=account.headers, data=fields)


def test_nothing_saved_reads_as_false(client, learner, public_content):
    response = client.get(url(public_content), headers=learner.headers)
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": False}


def test_saved_state_reads_back_unchanged(client, learner, public_content):
    response = save(client, learner, public_content, STATE)
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True}
    read = client.get(url(public_content), headers=learner.headers)
    assert read.json() == {"success": True, "data": STATE}


def test_saving_again_replaces_the_value(client, learner, public_content):
    save(client, learner, public_content, STATE)
    save(client, learner, public_content, '{"answers":[1]}')
    assert client.get(url(public_content), headers=learner.headers).json()["data"] == (
        '{"answers":[1]}'
    )


def test_data_zero_deletes(client, session, learner, public_content):
    save(client, learner, public_content, STATE)
    assert save(client, learner, public_content, "0").status_code == 200
    assert client.get(url(public_content), headers=learner.headers).json()["data"] is False
    assert session.scalars(select(H5PContentUserData)).all() == []


def test_values_are_kept_per_data_type_and_sub_content(client, learner, public_content):
    save(client, learner, public_content, '"main"')
    save(client, learner, public_content, '"sub"', sub_content_id="a1b2-c3")
    save(client, learner, public_content, '"other"', data_type="progress")
    assert client.get(url(public_content), headers=learner.headers).json()["data"] == '"main"'
    sub = client.get(url(public_content, sub_content_id="a1b2-c3"), headers=learner.headers)
    assert sub.json()["data"] == '"sub"'
    other = client.get(url(public_content, data_type="progress"), headers=learner.headers)
    assert other.json()["data"] == '"other"'


def test_a_learner_never_sees_another_learners_state(client, make_account, learner, public_content):
    save(client, learner, public_content, STATE)
    other = make_account("learner")
    assert client.get(url(public_content), headers=other.headers).json()["data"] is False


def test_preloaded_values_come_with_the_player_model(client, learner, public_content):
    save(client, learner, public_content, STATE, preload="1")
    save(client, learner, public_content, '"not preloaded"', data_type="other", preload="0")
    save(client, learner, public_content, '"sub"', sub_content_id="q1", preload="1")
    model = client.get(f"/h5p/play/{public_content}", headers=learner.headers).json()["data"]
    preloaded = model["integration"]["contents"][f"cid-{public_content}"]["contentUserData"]
    assert preloaded == {"0": {"state": STATE}, "q1": {"state": '"sub"'}}


def update_content(client, teacher, content_id):
    editor = client.get(f"/h5p/content/{content_id}/params", headers=teacher.headers).json()["data"]
    editor["params"]["question"] = "<p>A changed question</p>"
    response = client.put(
        f"/h5p/content/{content_id}",
        headers=teacher.headers,
        json={"library": editor["library"], "params": editor["params"]},
    )
    assert response.status_code == 200, response.text


def test_invalidate_marked_state_is_deleted_when_the_content_is_updated(
    client, session, teacher, learner, public_content
):
    save(client, learner, public_content, STATE, invalidate="1")
    save(client, learner, public_content, '"kept"', data_type="notes", invalidate="0")
    update_content(client, teacher, public_content)
    assert client.get(url(public_content), headers=learner.headers).json()["data"] is False
    kept = client.get(url(public_content, data_type="notes"), headers=learner.headers)
    assert kept.json()["data"] == '"kept"'
    session.expire_all()
    rows = session.scalars(select(H5PContentUserData.data_type)).all()
    assert rows == ["notes"]


def test_state_saved_after_the_update_survives(client, teacher, learner, public_content):
    update_content(client, teacher, public_content)
    save(client, learner, public_content, STATE, invalidate="1")
    assert client.get(url(public_content), headers=learner.headers).json()["data"] == STATE


def test_the_player_model_leaves_out_invalidated_preloads(client, teacher, learner, public_content):
    save(client, learner, public_content, STATE, preload="1", invalidate="1")
    update_content(client, teacher, public_content)
    model = client.get(f"/h5p/play/{public_content}", headers=learner.headers).json()["data"]
    assert model["integration"]["contents"][f"cid-{public_content}"]["contentUserData"] == {}


def test_deleting_content_deletes_its_user_data(client, session, teacher, learner, public_content):
    save(client, learner, public_content, STATE)
    assert (
        client.delete(f"/h5p/content/{public_content}", headers=teacher.headers).status_code == 200
    )
    session.expire_all()
    assert session.scalars(select(H5PContentUserData)).all() == []


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, 400),  # no data
        ({"data": STATE, "preload": "maybe"}, 400),
        ({"data": STATE, "invalidate": "2"}, 400),
    ],
)
def test_bad_fields_are_400_and_store_nothing(
    client, session, learner, public_content, fields, status
):
    response = client.post(url(public_content), headers=learner.headers, data=fields)
    assert response.status_code == status
    assert response.json()["success"] is False
    assert session.scalars(select(H5PContentUserData)).all() == []


def test_bad_path_parts_are_400(client, learner, public_content):
    too_long = "x" * 65
    assert (
        client.get(url(public_content, data_type=too_long), headers=learner.headers).status_code
        == 400
    )
    assert client.get(
        url(public_content, sub_content_id="a b"), headers=learner.headers
    ).status_code in (
        400,
        404,
    )


def test_oversized_state_is_413(client, learner, public_content, settings):
    big = json.dumps({"text": "x" * settings.h5p_user_data_max_bytes})
    assert save(client, learner, public_content, big).status_code == 413


def test_user_data_needs_a_user_and_readable_content(client, learner, multichoice):
    assert client.get(url(multichoice)).status_code == 401
    assert client.post(url(multichoice), data={"data": STATE}).status_code == 401
    # Someone else's private content: as if it did not exist.
    assert client.get(url(multichoice), headers=learner.headers).status_code == 404
    assert save(client, learner, multichoice, STATE).status_code == 404
    assert client.get(url("404404"), headers=learner.headers).status_code == 404
