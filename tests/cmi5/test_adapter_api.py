"""The API an LMS adapter uses: list, get and delete courses (with their files), look a
registration up and abandon it by session id, launch and waive by AU id or index,
register again, stable JSON error codes, and both multipart field names."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.cmi5.models import Cmi5Au, Cmi5Course, Cmi5Registration, Cmi5Session
from learnloop.cmi5.vocabulary import VERB_ABANDONED, VERB_WAIVED
from learnloop.storage import LocalFileStorage
from tests.cmi5.conftest import AU2, AU3, launch, register, statements_with_verb
from tests.cmi5.course_files import Au, course_xml, course_zip
from tests.conftest import Account

PAGE = b"<!doctype html><title>AU</title>"


def _zip_course(client: TestClient, account: Account, field: str = "file") -> dict[str, Any]:
    xml = course_xml([Au("https://example.test/aus/z1", "au/index.html")])
    response = client.post(
        "/api/cmi5/courses",
        headers=account.headers,
        files={field: ("course.zip", course_zip(xml, {"au/index.html": PAGE}), "application/zip")},
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_a_package_is_accepted_under_the_field_names_file_and_cmi5(
    client: TestClient, teacher: Account
) -> None:
    assert _zip_course(client, teacher, "file")["auCount"] == 1
    assert _zip_course(client, teacher, "cmi5")["auCount"] == 1
    response = client.post(
        "/api/cmi5/courses", headers=teacher.headers, files={"package": ("c.zip", b"PK")}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "cmi5.invalid_course"


def test_an_invalid_package_is_answered_with_a_stable_code_and_the_rule(
    client: TestClient, teacher: Account
) -> None:
    response = client.post(
        "/api/cmi5/courses",
        headers=teacher.headers,
        files={"file": ("c.zip", course_zip(b"<x/>", {}).replace(b"cmi5.xml", b"other.xm"))},
    )
    assert response.status_code == 400
    body = response.json()
    assert body == {
        "success": False,
        "error": body["error"],
        "code": "cmi5.invalid_course",
        "rule": "14.1",
    }
    invalid_xml = client.post(
        "/api/cmi5/courses",
        headers=teacher.headers,
        files={"file": ("cmi5.xml", b"<courseStructure/>", "application/xml")},
    )
    assert invalid_xml.status_code == 400
    assert invalid_xml.json()["code"] == "cmi5.invalid_course"
    assert invalid_xml.json()["rule"] == "13.2"


def test_missing_things_have_their_own_codes(client: TestClient, teacher: Account) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/api/cmi5/courses/{missing}", headers=teacher.headers).json()["code"] == (
        "cmi5.course_not_found"
    )
    assert client.get(f"/api/cmi5/sessions/{missing}", headers=teacher.headers).json()["code"] == (
        "cmi5.registration_not_found"
    )


def test_courses_are_listed_for_their_owner_and_all_for_an_admin(
    client: TestClient, teacher: Account, make_account, admin: Account, learner: Account
) -> None:
    other = make_account("teacher")
    mine = _zip_course(client, teacher)
    theirs = _zip_course(client, other)
    listed = client.get("/api/cmi5/courses", headers=teacher.headers).json()["data"]
    assert [c["id"] for c in listed] == [mine["id"]]
    everything = client.get("/api/cmi5/courses", headers=admin.headers).json()["data"]
    assert {mine["id"], theirs["id"]} <= {c["id"] for c in everything}
    assert client.get("/api/cmi5/courses", headers=learner.headers).status_code == 403
    assert client.get("/api/cmi5/courses").status_code == 401
    got = client.get(f"/api/cmi5/courses/{mine['id']}", headers=teacher.headers).json()["data"]
    assert got["aus"][0]["url"] == "au/index.html"


def test_deleting_a_course_removes_its_rows_registrations_and_files(
    client: TestClient,
    teacher: Account,
    learner: Account,
    make_account,
    session: Session,
    storage: LocalFileStorage,
) -> None:
    course = _zip_course(client, teacher)
    registration = register(client, teacher, course["id"], learner)
    launch(client, learner, registration["id"])
    path = f"/api/cmi5/courses/{course['id']}"
    assert storage.list_keys(f"cmi5/courses/{course['id']}/")
    # Someone else's course looks missing; learners may not delete at all.
    assert client.delete(path, headers=make_account("teacher").headers).status_code == 404
    assert client.delete(path, headers=learner.headers).status_code == 403
    assert client.delete(path).status_code == 401
    assert session.get(Cmi5Course, course["id"]) is not None
    response = client.delete(path, headers=teacher.headers)
    assert response.status_code == 200
    assert response.json()["data"] == {"id": course["id"], "deleted": True}
    session.expire_all()
    assert session.get(Cmi5Course, course["id"]) is None
    for model in (Cmi5Au, Cmi5Registration, Cmi5Session):
        assert session.scalar(select(func.count()).select_from(model)) == 0
    assert storage.list_keys(f"cmi5/courses/{course['id']}/") == []
    assert client.get(f"/cmi5/courses/{course['id']}/files/au/index.html").status_code == 404
    assert client.delete(path, headers=teacher.headers).status_code == 404


def test_a_registration_is_found_and_abandoned_by_its_session_id(
    client: TestClient,
    teacher: Account,
    learner: Account,
    make_account,
    course: dict[str, Any],
    session: Session,
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"])
    path = f"/api/cmi5/au-sessions/{launched.session_id}"
    found = client.get(path, headers=teacher.headers)
    assert found.status_code == 200
    assert found.json()["data"]["id"] == registration["id"]
    assert client.get(path, headers=learner.headers).status_code == 200
    assert client.get(path, headers=make_account("teacher").headers).status_code == 404
    assert client.get("/api/cmi5/au-sessions/x%00y", headers=teacher.headers).status_code == 400
    assert client.post(f"{path}/abandon", headers=learner.headers).status_code == 403
    abandoned = client.post(f"{path}/abandon", headers=teacher.headers)
    assert abandoned.json()["data"]["abandonedSessionIds"] == [launched.session_id]
    assert len(statements_with_verb(session, VERB_ABANDONED, registration["id"])) == 1
    again = client.post(f"{path}/abandon", headers=teacher.headers)
    assert again.json()["data"]["abandonedSessionIds"] == []


def test_launch_and_waive_by_au_index(
    client: TestClient, teacher: Account, learner: Account, course: dict[str, Any], session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    aus = client.get(f"/api/cmi5/courses/{course['id']}", headers=teacher.headers).json()["data"][
        "aus"
    ]
    launched = client.get(
        f"/api/cmi5/launch/{registration['id']}", headers=learner.headers, params={"auIndex": 2}
    ).json()["data"]
    assert launched["auId"] == aus[2]["id"]
    assert aus[2]["publisherId"] == AU3
    by_id = client.get(
        f"/api/cmi5/launch/{registration['id']}",
        headers=learner.headers,
        params={"auId": aus[1]["id"]},
    ).json()["data"]
    assert by_id["auId"] == aus[1]["id"]
    out_of_range = client.get(
        f"/api/cmi5/launch/{registration['id']}", headers=learner.headers, params={"auIndex": 3}
    )
    assert out_of_range.status_code == 404
    assert out_of_range.json()["code"] == "cmi5.au_not_found"
    waived = client.post(
        f"/api/cmi5/registrations/{registration['id']}/aus/1/waive",
        headers=teacher.headers,
        json={"reason": "Administrative"},
    )
    assert waived.status_code == 201
    [statement] = statements_with_verb(session, VERB_WAIVED, registration["id"])
    assert statement["context"]["contextActivities"]["grouping"][0]["id"] == AU2


def test_registering_again_answers_the_existing_registration(
    client: TestClient, teacher: Account, learner: Account, course: dict[str, Any]
) -> None:
    first = register(client, teacher, course["id"], learner)
    launch(client, learner, first["id"])
    again = register(client, teacher, course["id"], learner)
    assert again["id"] == first["id"]
    assert again["status"] == "launched"
