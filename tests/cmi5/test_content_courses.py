from fastapi.testclient import TestClient

from learnloop.cmi5.vocabulary import VERB_LAUNCHED
from tests.cmi5.conftest import AU1, launch, register
from tests.conftest import Account

VERSION = {"X-Experience-API-Version": "1.0.3"}


def test_a_course_of_h5p_content_has_one_au_per_item(
    client: TestClient, admin: Account, learner: Account
) -> None:
    response = client.post(
        "/api/cmi5/courses/from-content",
        headers=admin.headers,
        json={"title": "Unit 1", "contentIds": ["c-1", "c-2", "c-3"]},
    )
    assert response.status_code == 201, response.text
    course = response.json()["data"]
    assert course["auCount"] == 3
    aus = client.get(f"/api/cmi5/courses/{course['id']}", headers=admin.headers).json()["data"][
        "aus"
    ]
    assert [a["url"] for a in aus] == [f"http://testserver/cmi5/h5p/c-{n}" for n in (1, 2, 3)]
    assert [a["publisherId"] for a in aus] == [
        f"http://testserver/h5p/content/c-{n}" for n in (1, 2, 3)
    ]
    registration = register(client, admin, course["id"], learner)
    launched = launch(client, learner, registration["id"], "http://testserver/h5p/content/c-2")
    assert launched.url.startswith("http://testserver/cmi5/h5p/c-2?endpoint=")


def test_a_teacher_may_only_build_courses_from_their_own_content(
    client: TestClient, teacher: Account
) -> None:
    response = client.post(
        "/api/cmi5/courses/from-content",
        headers=teacher.headers,
        json={"title": "Unit 1", "contentIds": ["someone-elses"]},
    )
    assert response.status_code == 403


def test_a_content_course_request_is_validated(
    client: TestClient, admin: Account, learner: Account
) -> None:
    for body in (
        {"title": "x", "contentIds": []},
        {"title": "", "contentIds": ["a"]},
        {"title": "x", "contentIds": ["a", "a"]},
    ):
        response = client.post("/api/cmi5/courses/from-content", headers=admin.headers, json=body)
        assert response.status_code == 400, body
    assert (
        client.post(
            "/api/cmi5/courses/from-content",
            headers=learner.headers,
            json={"title": "x", "contentIds": ["a"]},
        ).status_code
        == 403
    )


def test_the_course_owner_reads_the_cmi5_statements_of_their_course(
    client: TestClient, teacher: Account, learner: Account, make_account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launch(client, learner, registration["id"], AU1)
    params = {"registration": registration["id"], "verb": VERB_LAUNCHED}
    own = client.get("/xapi/statements", headers={**teacher.headers, **VERSION}, params=params)
    assert own.status_code == 200, own.text
    assert len(own.json()["statements"]) == 1
    other = make_account("teacher")
    theirs = client.get("/xapi/statements", headers={**other.headers, **VERSION}, params=params)
    assert theirs.status_code == 200
    assert theirs.json()["statements"] == []
