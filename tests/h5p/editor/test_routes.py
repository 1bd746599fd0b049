"""The editor model and the ajax actions: shapes, authorization per role, bad input."""

from __future__ import annotations

import pytest

from learnloop.auth.models import Role
from learnloop.h5p.editor.assets import EDITOR_SCRIPTS, EDITOR_STYLES
from learnloop.h5p.editor.editability import NOT_EDITABLE_REASON
from tests.h5p.conftest import MULTICHOICE_PARAMS, import_file

LIBRARY_QUERY = "action=library&machineName=H5P.MultiChoice&majorVersion=1&minorVersion=14"
ENDPOINTS = [
    ("GET", "/h5p/new", None),
    ("GET", "/h5p/ajax?action=libraries", None),
    ("GET", f"/h5p/ajax?{LIBRARY_QUERY}", None),
    ("GET", "/h5p/ajax?action=translations&libraries=H5P.MultiChoice%201.14", None),
    ("POST", "/h5p/ajax?action=libraries", {"libraries": ["H5P.MultiChoice 1.14"]}),
    (
        "POST",
        "/h5p/ajax?action=filter",
        {"libraryParameters": {"library": "H5P.MultiChoice 1.14", "params": MULTICHOICE_PARAMS}},
    ),
]


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
def test_each_endpoint_is_for_teachers_and_admins(
    client, admin, teacher, learner, multichoice, method, url, body
):
    assert client.request(method, url, json=body).status_code == 401
    assert client.request(method, url, json=body, headers=learner.headers).status_code == 403
    assert client.request(method, url, json=body, headers=teacher.headers).status_code == 200
    assert client.request(method, url, json=body, headers=admin.headers).status_code == 200


def test_files_action_is_for_teachers(client, learner):
    files = {"file": ("a.png", b"x", "image/png")}
    data = {"field": '{"type": "image"}'}
    assert client.post("/h5p/ajax?action=files", files=files, data=data).status_code == 401
    refused = client.post("/h5p/ajax?action=files", files=files, data=data, headers=learner.headers)
    assert refused.status_code == 403


def test_new_model_lists_the_editor_assets_and_ajax_paths(client, teacher):
    response = client.get("/h5p/new?language=de", headers=teacher.headers)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["scripts"] == list(EDITOR_SCRIPTS)
    assert data["styles"] == list(EDITOR_STYLES)
    assert data["contentLanguage"] == "de"
    integration = data["integration"]
    assert integration["ajaxPath"] == "/h5p/ajax?action="
    assert integration["editor"] == {
        "ajaxPath": "/h5p/ajax?action=",
        "contentLanguage": "de",
        "filesPath": "/h5p/temp",
    }
    assert set(integration["ajax"]) == {"setFinished", "contentUserData"}


def test_a_token_in_the_query_authenticates_and_goes_into_the_ajax_path(client, teacher):
    response = client.get(f"/h5p/new?token={teacher.token}")
    assert response.status_code == 200, response.text
    integration = response.json()["data"]["integration"]
    assert integration["ajaxPath"] == f"/h5p/ajax?token={teacher.token}&action="
    assert integration["ajax"]["setFinished"].endswith(f"?token={teacher.token}")
    libraries = client.get(f"{integration['ajaxPath']}libraries")
    assert libraries.status_code == 200


def test_edit_model_returns_stored_params_and_metadata_to_the_owner_only(
    client, teacher, make_account, multichoice, session
):
    response = client.get(f"/h5p/edit/{multichoice}", headers=teacher.headers)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["library"] == "H5P.MultiChoice 1.14"
    assert data["metadata"]["mainLibrary"] == "H5P.MultiChoice"
    assert "answers" in data["params"]
    assert data["scripts"] == list(EDITOR_SCRIPTS)

    other = make_account(Role.TEACHER)
    assert client.get(f"/h5p/edit/{multichoice}", headers=other.headers).status_code == 404
    client.patch(
        f"/h5p/content/{multichoice}/visibility",
        headers=teacher.headers,
        json={"visibility": "public"},
    )
    assert client.get(f"/h5p/edit/{multichoice}", headers=other.headers).status_code == 403
    assert client.get("/h5p/edit/999", headers=teacher.headers).status_code == 404
    assert client.get("/h5p/edit/bad%20id", headers=teacher.headers).status_code == 400


def test_admin_opens_anyones_public_content_only_as_its_owner_would(
    client, admin, teacher, multichoice
):
    # Same rule as PUT /h5p/content/{id}: admins see private content (403, not 404).
    assert client.get(f"/h5p/edit/{multichoice}", headers=admin.headers).status_code == 403


def test_libraries_lists_runnable_types_with_editability(client, admin, teacher, hub_dir):
    for name in ("H5P.MultiChoice.h5p", "H5P.DragQuestion.h5p"):
        assert import_file(client, admin.headers, hub_dir / name).status_code == 201

    data = client.get("/h5p/ajax?action=libraries", headers=teacher.headers).json()["data"]

    by_name = {item["machineName"]: item for item in data}
    assert "H5P.Question" not in by_name  # not runnable
    multichoice = by_name["H5P.MultiChoice"]
    assert multichoice["uberName"] == "H5P.MultiChoice 1.14"
    assert multichoice["editable"] is True and multichoice["notEditableReason"] is None
    assert multichoice["icon"] == "/h5p/libraries/H5P.MultiChoice-1.14/icon.svg"
    assert client.get(multichoice["icon"]).status_code in (200, 307)
    assert by_name["H5P.DragQuestion"]["editable"] is True


def test_a_type_with_a_visual_editor_widget_is_listed_as_not_editable(
    client, teacher, multichoice, session
):
    from learnloop.h5p.models import H5PLibrary

    library = session.query(H5PLibrary).filter_by(machine_name="H5P.MultiChoice").one()
    library.semantics = [
        {"name": "presentation", "type": "group", "widget": "coursepresentation", "fields": []}
    ]
    session.commit()
    data = client.get("/h5p/ajax?action=libraries", headers=teacher.headers).json()["data"]
    item = next(item for item in data if item["machineName"] == "H5P.MultiChoice")
    assert (item["editable"], item["notEditableReason"]) == (False, NOT_EDITABLE_REASON)


def test_post_libraries_resolves_each_requested_version(client, teacher, multichoice):
    response = client.post(
        "/h5p/ajax?action=libraries",
        headers=teacher.headers,
        json={"libraries": ["H5P.MultiChoice 1.14", "H5P.MultiChoice 1.99", "H5P.Question 1.4"]},
    )
    assert response.status_code == 200, response.text
    first, missing, question = response.json()["data"]
    assert first["installed"] and first["runnable"] and first["editable"]
    assert first["title"] == "Multiple Choice"
    assert (first["name"], first["majorVersion"], first["minorVersion"]) == (
        "H5P.MultiChoice",
        1,
        14,
    )
    assert missing["uberName"] == "H5P.MultiChoice 1.99" and missing["installed"] is False
    assert question["installed"] and question["runnable"] is False


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("GET", "/h5p/ajax?action=nope", None, 400),
        ("POST", "/h5p/ajax?action=library", {}, 400),
        ("GET", "/h5p/ajax?action=library&machineName=H5P.MultiChoice", None, 400),
        (
            "GET",
            "/h5p/ajax?action=library&machineName=H5P.Nothing&majorVersion=1&minorVersion=0",
            None,
            404,
        ),
        (
            "GET",
            "/h5p/ajax?action=library&machineName=H5P.MultiChoice&majorVersion=x&minorVersion=0",
            None,
            400,
        ),
        ("GET", "/h5p/new?language=<script>", None, 400),
        ("POST", "/h5p/ajax?action=libraries", {"libraries": "H5P.MultiChoice 1.14"}, 400),
        ("POST", "/h5p/ajax?action=libraries", {"libraries": [5]}, 400),
        ("POST", "/h5p/ajax?action=libraries", {"libraries": ["not a library"]}, 400),
        ("POST", "/h5p/ajax?action=libraries", [1, 2], 400),
        ("POST", "/h5p/ajax?action=filter", {"libraryParameters": 5}, 400),
        ("POST", "/h5p/ajax?action=filter", {"libraryParameters": "{not json"}, 400),
        (
            "POST",
            "/h5p/ajax?action=filter",
            {"libraryParameters": {"library": "H5P.Nothing 1.0", "params": {}}},
            400,
        ),
    ],
)
def test_bad_input_is_a_clear_4xx(client, teacher, multichoice, method, url, body, status):
    response = client.request(method, url, json=body, headers=teacher.headers)
    assert response.status_code == status, response.text
    assert response.json()["success"] is False


def test_unknown_action_names_the_valid_ones(client, teacher):
    response = client.get("/h5p/ajax?action=nope", headers=teacher.headers)
    assert "libraries, library, translations" in response.json()["error"]
    posted = client.post("/h5p/ajax?action=nope", headers=teacher.headers, json={})
    assert posted.status_code == 400
    assert "libraries, files, filter" in posted.json()["error"]


def test_malformed_and_deeply_nested_json_is_400(client, teacher, multichoice):
    headers = {**teacher.headers, "Content-Type": "application/json"}
    broken = client.post("/h5p/ajax?action=filter", headers=headers, content=b"{")
    assert broken.status_code == 400
    deep = b'{"libraryParameters": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert client.post("/h5p/ajax?action=filter", headers=headers, content=deep).status_code == 400


def test_filter_returns_filtered_params(client, teacher, multichoice):
    params = {
        **MULTICHOICE_PARAMS,
        "question": "<p onclick='x()'>Q<script>x</script></p>",
        "extra": 1,
    }
    response = client.post(
        "/h5p/ajax?action=filter",
        headers=teacher.headers,
        json={
            "libraryParameters": {
                "library": "H5P.MultiChoice 1.14",
                "params": params,
                "metadata": {"title": "Quiz", "authors": [{"name": "Ada", "role": "Author"}]},
            }
        },
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["params"]["question"] == "<p>Q</p>" and "extra" not in data["params"]
    assert data["metadata"]["title"] == "Quiz"
    assert data["metadata"]["authors"] == [{"name": "Ada", "role": "Author"}]


def test_filter_refusal_is_422_with_field_details(client, teacher, multichoice):
    params = {
        **MULTICHOICE_PARAMS,
        "answers": [{"text": "a", "correct": True}, {"text": "b", "correct": "yes"}],
    }
    body = {"libraryParameters": {"library": "H5P.MultiChoice 1.14", "params": params}}
    response = client.post("/h5p/ajax?action=filter", headers=teacher.headers, json=body)
    assert response.status_code == 422
    assert response.json()["details"] == {
        "field": "answers[1].correct",
        "reason": "must be true or false",
    }
    as_string = client.post(
        "/h5p/ajax?action=filter",
        headers=teacher.headers,
        json={"libraryParameters": __import__("json").dumps(body["libraryParameters"])},
    )
    assert as_string.status_code == 422


def test_cookie_callers_need_the_csrf_header_on_post(client, teacher, multichoice):
    client.cookies.set("learnloop_token", teacher.token)
    try:
        body = {"libraries": ["H5P.MultiChoice 1.14"]}
        assert client.post("/h5p/ajax?action=libraries", json=body).status_code == 403
        assert client.get("/h5p/ajax?action=libraries").status_code == 200
    finally:
        client.cookies.clear()
