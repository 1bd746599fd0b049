import json
from urllib.parse import urlsplit

import orjson
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.cmi5.vocabulary import (
    CATEGORY_CMI5,
    EXT_LAUNCH_MODE,
    EXT_LAUNCH_URL,
    EXT_MASTERY_SCORE,
    EXT_MOVE_ON,
    EXT_SESSION_ID,
    VERB_ABANDONED,
    VERB_LAUNCHED,
)
from learnloop.xapi.agents import agent_key
from learnloop.xapi.document_store import DocumentContext, DocumentResource, get_document
from tests.cmi5.conftest import AU1, AU2, launch, register, statements_with_verb
from tests.conftest import Account


def test_launch_url_carries_the_five_cmi5_parameters_merged_with_the_aus_query(
    client: TestClient, teacher: Account, learner: Account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU1)
    parts = urlsplit(launched.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://aus.example.test/one"
    assert launched.params["lang"] == "en"
    assert launched.params["endpoint"] == "http://testserver/xapi"
    assert launched.params["fetch"].startswith("http://testserver/api/cmi5/fetch/")
    assert launched.params["registration"] == registration["id"]
    actor = json.loads(launched.params["actor"])
    assert actor == {
        "objectType": "Agent",
        "account": {"homePage": "http://testserver", "name": learner.id},
    }
    # The activityId is LMS-generated, never the publisher's AU id.
    assert launched.params["activityId"] != AU1
    assert launched.params["activityId"].startswith("http://testserver/cmi5/activities/")
    # Each value is URL-encoded: no raw ':' or '/' of the values leaks into the query.
    assert "endpoint=http%3A%2F%2Ftestserver%2Fxapi&" in parts.query


def test_activity_id_is_stable_per_au_and_registration(
    client: TestClient, teacher: Account, learner: Account, make_account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    first = launch(client, learner, registration["id"], AU1)
    again = launch(client, learner, registration["id"], AU1)
    other_au = launch(client, learner, registration["id"], AU2)
    assert first.params["activityId"] == again.params["activityId"]
    assert other_au.params["activityId"] != first.params["activityId"]
    other_learner = make_account("learner")
    other_registration = register(client, teacher, course["id"], other_learner)
    other = launch(client, other_learner, other_registration["id"], AU1)
    assert other.params["activityId"] != first.params["activityId"]


def test_launch_writes_lms_launch_data_before_returning(
    client: TestClient, teacher: Account, learner: Account, course, session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU1)
    actor = json.loads(launched.params["actor"])
    document = get_document(
        session,
        DocumentContext(
            DocumentResource.STATE,
            activity_id=launched.params["activityId"],
            agent_key=agent_key(actor) or "",
            registration=registration["id"],
        ),
        "LMS.LaunchData",
    )
    assert document is not None
    assert document.content_type == "application/json"
    data = orjson.loads(document.content)
    assert data["contextTemplate"]["extensions"][EXT_SESSION_ID] == launched.session_id
    assert data["contextTemplate"]["contextActivities"]["grouping"][0]["id"] == AU1
    assert data["launchMode"] == "Normal"
    assert data["moveOn"] == "Passed"
    assert data["masteryScore"] == 0.8


def test_launch_records_launched_with_its_context_extensions(
    client: TestClient, teacher: Account, learner: Account, course, session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU1)
    [statement] = statements_with_verb(session, VERB_LAUNCHED, registration["id"])
    assert statement["object"]["id"] == launched.params["activityId"]
    context = statement["context"]
    assert context["registration"] == registration["id"]
    assert {"id": CATEGORY_CMI5, "objectType": "Activity"} in context["contextActivities"][
        "category"
    ]
    assert context["contextActivities"]["grouping"][0]["id"] == AU1
    extensions = context["extensions"]
    assert extensions[EXT_SESSION_ID] == launched.session_id
    assert extensions[EXT_LAUNCH_MODE] == "Normal"
    assert extensions[EXT_MOVE_ON] == "Passed"
    assert extensions[EXT_MASTERY_SCORE] == 0.8
    assert extensions[EXT_LAUNCH_URL] == "https://aus.example.test/one?lang=en"


def test_launching_again_abandons_the_open_session_with_a_duration(
    client: TestClient, teacher: Account, learner: Account, course, session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    first = launch(client, learner, registration["id"], AU1)
    second = launch(client, learner, registration["id"], AU1)
    [abandoned] = statements_with_verb(session, VERB_ABANDONED, registration["id"])
    assert abandoned["context"]["extensions"][EXT_SESSION_ID] == first.session_id
    assert abandoned["result"]["duration"].startswith("PT")
    assert second.session_id != first.session_id
    status = client.get(f"/api/cmi5/sessions/{registration['id']}", headers=learner.headers)
    assert status.json()["data"]["sessionId"] == second.session_id
    assert status.json()["data"]["status"] == "launched"


def test_only_the_learner_owner_or_admin_may_launch(
    client: TestClient, teacher: Account, learner: Account, make_account, admin: Account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    stranger = make_account("learner")
    other_teacher = make_account("teacher")
    path = f"/api/cmi5/launch/{registration['id']}"
    assert client.get(path, headers=stranger.headers).status_code == 404
    assert client.get(path, headers=other_teacher.headers).status_code == 404
    assert client.get(path, headers=teacher.headers).status_code == 200
    assert client.get(path, headers=admin.headers).status_code == 200
    assert client.get(path).status_code == 401


def test_launch_of_an_unknown_au_is_404(
    client: TestClient, teacher: Account, learner: Account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    response = client.get(
        f"/api/cmi5/launch/{registration['id']}",
        headers=learner.headers,
        params={"auId": "https://example.test/aus/none"},
    )
    assert response.status_code == 404


def test_relative_au_urls_launch_from_learnloops_file_serving(
    client: TestClient, teacher: Account, learner: Account
) -> None:
    from tests.cmi5.conftest import import_xml  # noqa: F401
    from tests.cmi5.course_files import Au, course_xml, course_zip

    xml = course_xml([Au("https://example.test/aus/z", "au/index.html?a=b")])
    response = client.post(
        "/api/cmi5/courses",
        headers=teacher.headers,
        files={"file": ("c.zip", course_zip(xml, {"au/index.html": b"<p>x"}), "application/zip")},
    )
    course_id = response.json()["data"]["id"]
    registration = register(client, teacher, course_id, learner)
    launched = launch(client, learner, registration["id"])
    assert launched.url.startswith(
        f"http://testserver/cmi5/courses/{course_id}/files/au/index.html?a=b&"
    )


def test_launch_page_honours_launch_method(
    client: TestClient, teacher: Account, learner: Account
) -> None:
    from tests.cmi5.conftest import import_xml
    from tests.cmi5.course_files import Au, course_xml

    course = import_xml(
        client,
        teacher,
        course_xml(
            [
                Au(
                    "https://example.test/aus/own",
                    "https://aus.example.test/own",
                    launch_method="OwnWindow",
                ),
                Au("https://example.test/aus/any", "https://aus.example.test/any"),
            ]
        ),
    )
    registration = register(client, teacher, course["id"], learner)
    own = client.get(
        f"/cmi5/launch/{registration['id']}",
        params={"auId": "https://example.test/aus/own", "token": learner.token},
    )
    assert own.status_code == 200
    assert 'data-launch-method="OwnWindow"' in own.text
    assert "window.location.replace(" in own.text
    anywhere = client.get(
        f"/cmi5/launch/{registration['id']}",
        params={"auId": "https://example.test/aus/any", "token": learner.token},
    )
    assert "<iframe" in anywhere.text
    assert "https://aus.example.test/any?endpoint=" in anywhere.text
