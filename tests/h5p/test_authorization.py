"""Who may do what with content: per endpoint and role."""

from __future__ import annotations

import pytest

from tests.h5p.conftest import MULTICHOICE_PARAMS, import_file

BODY = {"library": "H5P.MultiChoice 1.14", "params": MULTICHOICE_PARAMS}


@pytest.fixture
def intruder(make_account):
    return make_account("teacher")


def test_a_teacher_cannot_touch_another_teachers_private_content(
    client, intruder, multichoice, teacher
):
    headers = intruder.headers
    assert client.get(f"/h5p/content/{multichoice}", headers=headers).status_code == 404
    assert client.get(f"/h5p/content/{multichoice}/params", headers=headers).status_code == 404
    assert client.put(f"/h5p/content/{multichoice}", headers=headers, json=BODY).status_code == 404
    assert client.get(f"/h5p/content/{multichoice}/export", headers=headers).status_code == 404
    assert client.delete(f"/h5p/content/{multichoice}", headers=headers).status_code == 404
    assert (
        client.patch(
            f"/h5p/content/{multichoice}/visibility", headers=headers, json={"visibility": "public"}
        ).status_code
        == 404
    )
    assert (
        client.put(f"/h5p/content/{multichoice}/curriculum", headers=headers, json={}).status_code
        == 404
    )
    assert (
        client.get(f"/h5p/content/{multichoice}/content.json", headers=headers).status_code == 404
    )
    # …and it is all still there for the owner.
    assert (
        client.get(f"/h5p/content/{multichoice}/params", headers=teacher.headers).status_code == 200
    )
    assert client.get("/h5p/content", headers=intruder.headers).json()["data"] == []


def test_public_content_is_readable_but_only_the_owner_changes_it(
    client, intruder, learner, multichoice, teacher
):
    client.patch(
        f"/h5p/content/{multichoice}/visibility",
        headers=teacher.headers,
        json={"visibility": "public"},
    )

    assert client.get(f"/h5p/content/{multichoice}", headers=intruder.headers).status_code == 200
    assert client.get(f"/h5p/content/{multichoice}", headers=learner.headers).status_code == 200
    assert (
        client.get(f"/h5p/content/{multichoice}/export", headers=intruder.headers).status_code
        == 200
    )
    assert (
        client.put(f"/h5p/content/{multichoice}", headers=intruder.headers, json=BODY).status_code
        == 403
    )
    assert client.delete(f"/h5p/content/{multichoice}", headers=intruder.headers).status_code == 403
    assert (
        client.get(f"/h5p/content/{multichoice}/params", headers=intruder.headers).status_code
        == 403
    )
    assert (
        client.patch(
            f"/h5p/content/{multichoice}/visibility",
            headers=intruder.headers,
            json={"visibility": "private"},
        ).status_code
        == 403
    )


def test_a_learner_cannot_create_update_import_or_list(client, learner, multichoice, hub_dir):
    assert client.post("/h5p/content", headers=learner.headers, json=BODY).status_code == 403
    assert (
        client.put(f"/h5p/content/{multichoice}", headers=learner.headers, json=BODY).status_code
        == 403
    )
    assert client.delete(f"/h5p/content/{multichoice}", headers=learner.headers).status_code == 403
    assert import_file(client, learner.headers, hub_dir / "H5P.Chart.h5p").status_code == 403
    assert client.get("/h5p/content", headers=learner.headers).status_code == 403
    assert (
        client.get(f"/h5p/content/{multichoice}/export", headers=learner.headers).status_code == 403
    )


def test_private_content_is_hidden_from_learners(client, learner, multichoice):
    assert client.get(f"/h5p/content/{multichoice}", headers=learner.headers).status_code == 404


def test_anonymous_callers_get_401(client, multichoice, hub_dir):
    assert client.get(f"/h5p/content/{multichoice}").status_code == 401
    assert client.get("/h5p/content").status_code == 401
    assert client.post("/h5p/content", json=BODY).status_code == 401
    assert import_file(client, {}, hub_dir / "H5P.Chart.h5p").status_code == 401
    assert client.get("/h5p/libraries").status_code == 401
    assert (
        client.post("/h5p/media/upload", json={"filename": "a.png", "data": "AA=="}).status_code
        == 401
    )


def test_token_in_query_string_is_accepted_for_iframe_embedding(client, teacher, multichoice):
    assert client.get(f"/h5p/content/{multichoice}?token={teacher.token}").status_code == 200


def test_admin_can_read_but_not_change_a_teachers_private_content(client, admin, multichoice):
    assert client.get(f"/h5p/content/{multichoice}", headers=admin.headers).status_code == 200
    assert (
        client.put(f"/h5p/content/{multichoice}", headers=admin.headers, json=BODY).status_code
        == 403
    )
