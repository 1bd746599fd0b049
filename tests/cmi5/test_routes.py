from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.cmi5.vocabulary import EXT_REASON, VERB_ABANDONED, VERB_WAIVED
from tests.cmi5.conftest import AU1, AU2, launch, register, statements_with_verb
from tests.conftest import Account

ACCOUNT = {"homePage": "https://lms.example.com", "name": "user-12345"}


def test_register_content_answers_the_reference_shape(client: TestClient, teacher: Account) -> None:
    response = client.post(
        "/api/cmi5/register",
        headers=teacher.headers,
        json={
            "contentId": "h5p-content-abc123",
            "learnerId": "user-12345",
            "actorAccount": ACCOUNT,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert data["contentId"] == "h5p-content-abc123"
    assert data["learnerId"] == "user-12345"
    assert data["actorAccount"] == ACCOUNT
    assert (data["status"], data["sessionId"], data["score"], data["launchMode"]) == (
        "initialized",
        None,
        None,
        "Normal",
    )
    assert data["createdAt"].endswith("Z") and len(data["createdAt"]) == 24


def test_registering_the_same_pair_again_is_an_upsert(
    client: TestClient, teacher: Account, learner: Account, course
) -> None:
    body = {"contentId": "c-1", "learnerId": "user-1", "actorAccount": ACCOUNT}
    first = client.post("/api/cmi5/register", headers=teacher.headers, json=body).json()["data"]
    second = client.post("/api/cmi5/register", headers=teacher.headers, json=body).json()["data"]
    assert first["id"] == second["id"]
    assert second["updatedAt"] >= first["updatedAt"]
    a = register(client, teacher, course["id"], learner)
    b = register(client, teacher, course["id"], learner)
    assert a["id"] == b["id"]


def test_a_content_registration_launches_the_player_page(
    client: TestClient, teacher: Account
) -> None:
    registration = client.post(
        "/api/cmi5/register",
        headers=teacher.headers,
        json={"contentId": "abc123", "learnerId": "user-1", "actorAccount": ACCOUNT},
    ).json()["data"]
    launched = launch(client, teacher, registration["id"])
    assert launched.url.startswith("http://testserver/cmi5/h5p/abc123?endpoint=")
    assert launched.params["actor"] == (
        '{"objectType":"Agent","account":{"homePage":"https://lms.example.com","name":"user-12345"}}'
    )


def test_register_validates_its_body(client: TestClient, teacher: Account) -> None:
    cases = [
        {"learnerId": "u"},
        {"contentId": "", "learnerId": "u", "actorAccount": ACCOUNT},
        {
            "contentId": "c",
            "learnerId": "u",
            "actorAccount": {"homePage": "not a url", "name": "x"},
        },
        {"contentId": "c", "learnerId": "u"},
        {"contentId": "c", "courseId": "x", "learnerId": "u", "actorAccount": ACCOUNT},
        {"contentId": "c" * 501, "learnerId": "u", "actorAccount": ACCOUNT},
    ]
    for body in cases:
        response = client.post("/api/cmi5/register", headers=teacher.headers, json=body)
        assert response.status_code == 400, body
        assert response.json()["error"].startswith("Validation error")
    assert (
        client.post("/api/cmi5/register", headers=teacher.headers, content=b"{").status_code == 400
    )


def test_a_learner_may_register_only_themselves(
    client: TestClient, learner: Account, make_account, course
) -> None:
    other = make_account("learner")
    assert register(client, learner, course["id"], learner)["learnerId"] == learner.id
    response = client.post(
        "/api/cmi5/register",
        headers=learner.headers,
        json={"courseId": course["id"], "learnerId": other.id},
    )
    assert response.status_code == 403


def test_a_teacher_may_not_register_learners_into_someone_elses_course(
    client: TestClient, make_account, learner: Account, course
) -> None:
    other_teacher = make_account("teacher")
    response = client.post(
        "/api/cmi5/register",
        headers=other_teacher.headers,
        json={"courseId": course["id"], "learnerId": learner.id},
    )
    assert response.status_code == 403


def test_cmi5_endpoints_are_behind_the_cmi5_launch_feature(
    client: TestClient, teacher: Account, learner: Account, course, session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    user = session.get(User, learner.id)
    assert user is not None
    user.plan_id = "free"
    session.commit()
    for response in (
        client.get(f"/api/cmi5/launch/{registration['id']}", headers=learner.headers),
        client.get(f"/api/cmi5/sessions/{registration['id']}", headers=learner.headers),
        client.post(
            "/api/cmi5/register",
            headers=learner.headers,
            json={"courseId": course["id"], "learnerId": learner.id},
        ),
    ):
        assert response.status_code == 403
        assert response.json()["error"] == "Feature not available"


def test_sessions_get_and_put_are_limited_to_learner_owner_and_admin(
    client: TestClient, teacher: Account, learner: Account, make_account, admin: Account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    path = f"/api/cmi5/sessions/{registration['id']}"
    stranger = make_account("learner")
    other_teacher = make_account("teacher")
    update = {"status": "completed", "score": {"scaled": 0.85, "raw": 85, "min": 0, "max": 100}}
    for account in (stranger, other_teacher):
        assert client.get(path, headers=account.headers).status_code == 404
        assert client.put(path, headers=account.headers, json=update).status_code == 404
    for account in (learner, teacher, admin):
        assert client.get(path, headers=account.headers).status_code == 200
    assert client.put(path, json=update).status_code == 401
    assert client.put(path, headers=learner.headers, json=update).status_code == 403
    response = client.put(path, headers=teacher.headers, json=update)
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "completed"
    assert response.json()["data"]["score"] == {"scaled": 0.85, "raw": 85, "min": 0, "max": 100}


def test_put_session_merges_the_score_and_validates(
    client: TestClient, teacher: Account, learner: Account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    path = f"/api/cmi5/sessions/{registration['id']}"
    client.put(
        path, headers=teacher.headers, json={"status": "passed", "score": {"scaled": 0.9, "raw": 9}}
    )
    merged = client.put(
        path, headers=teacher.headers, json={"status": "passed", "score": {"raw": 10}}
    )
    assert merged.json()["data"]["score"] == {"scaled": 0.9, "raw": 10}
    assert client.put(path, headers=teacher.headers, json={"status": "done"}).status_code == 400
    assert (
        client.put(
            path, headers=teacher.headers, json={"status": "passed", "score": {"scaled": 2}}
        ).status_code
        == 400
    )
    unchanged = client.get(path, headers=teacher.headers).json()["data"]
    assert unchanged["score"] == {"scaled": 0.9, "raw": 10}


def test_get_session_of_unknown_registration_is_404(client: TestClient, admin: Account) -> None:
    response = client.get(
        "/api/cmi5/sessions/00000000-0000-0000-0000-000000000000", headers=admin.headers
    )
    assert response.status_code == 404
    assert response.json()["error"].startswith("Registration not found")


def test_teacher_abandons_the_open_session_with_a_statement(
    client: TestClient, teacher: Account, learner: Account, course, session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU1)
    path = f"/api/cmi5/sessions/{registration['id']}/abandon"
    assert client.post(path, headers=learner.headers).status_code == 403
    response = client.post(path, headers=teacher.headers)
    assert response.status_code == 200
    assert response.json()["data"]["abandonedSessionIds"] == [launched.session_id]
    assert len(statements_with_verb(session, VERB_ABANDONED, registration["id"])) == 1
    assert client.post(path, headers=teacher.headers).json()["data"]["abandonedSessionIds"] == []
    state = client.get(f"/api/cmi5/sessions/{registration['id']}", headers=teacher.headers).json()
    assert state["data"]["status"] == "abandoned"
    assert state["data"]["sessionState"] == "abandoned"


def test_waive_records_waived_with_its_reason_once(
    client: TestClient, teacher: Account, learner: Account, make_account, course, session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    path = f"/api/cmi5/registrations/{registration['id']}/aus/{AU2}/waive"
    body = {"reason": "Tested Out"}
    assert client.post(path, headers=learner.headers, json=body).status_code == 403
    assert client.post(path, headers=make_account("teacher").headers, json=body).status_code == 404
    assert client.post(path, headers=teacher.headers, json={"reason": "Because"}).status_code == 400
    response = client.post(path, headers=teacher.headers, json=body)
    assert response.status_code == 201
    [waived] = statements_with_verb(session, VERB_WAIVED, registration["id"])
    assert waived["id"] == response.json()["data"]["statementId"]
    assert waived["result"]["extensions"][EXT_REASON] == "Tested Out"
    assert waived["result"]["success"] is True
    assert client.post(path, headers=teacher.headers, json=body).status_code == 409
    aus = client.get(f"/api/cmi5/sessions/{registration['id']}", headers=teacher.headers).json()[
        "data"
    ]["aus"]
    assert [a["waived"] for a in aus] == [False, True, False]


def test_the_actor_home_page_is_kept_exactly_as_sent(client: TestClient, teacher: Account) -> None:
    account = {"homePage": "https://lms.example.com/learners/", "name": "u-1"}
    data = client.post(
        "/api/cmi5/register",
        headers=teacher.headers,
        json={"contentId": "c-home", "learnerId": "u-1", "actorAccount": account},
    ).json()["data"]
    assert data["actorAccount"] == account
