from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.cmi5.models import Cmi5AuStatus
from learnloop.cmi5.satisfaction import au_satisfied
from learnloop.cmi5.vocabulary import EXT_SESSION_ID, VERB_SATISFIED
from tests.cmi5.au_statements import COMPLETED, INITIALIZED, PASSED, TERMINATED, start
from tests.cmi5.conftest import AU1, AU2, BLOCK, import_xml, launch, register, statements_with_verb
from tests.cmi5.course_files import Au, Block, course_xml
from tests.conftest import Account

DURATION = {"duration": "PT1M"}


def _status(**flags: bool) -> Cmi5AuStatus:
    return Cmi5AuStatus(
        completed=flags.get("completed", False),
        passed=flags.get("passed", False),
        failed=False,
        waived=flags.get("waived", False),
    )


def test_move_on_criteria() -> None:
    assert au_satisfied("NotApplicable", None)
    assert not au_satisfied("Passed", None)
    assert au_satisfied("Passed", _status(passed=True))
    assert not au_satisfied("Passed", _status(completed=True))
    assert au_satisfied("Completed", _status(completed=True))
    assert not au_satisfied("CompletedAndPassed", _status(completed=True))
    assert au_satisfied("CompletedAndPassed", _status(completed=True, passed=True))
    assert au_satisfied("CompletedOrPassed", _status(passed=True))
    assert au_satisfied("CompletedOrPassed", _status(completed=True))
    assert not au_satisfied("CompletedOrPassed", _status())
    assert au_satisfied("CompletedAndPassed", _status(waived=True))


def test_block_then_course_are_satisfied_once_each_in_order(
    client: TestClient, app: FastAPI, session: Session, teacher: Account, learner: Account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    reg_id = registration["id"]
    au1 = start(client, app, session, launch(client, learner, reg_id, AU1), AU1)
    au1.send(session, au1.statement(INITIALIZED))
    au1.send(
        session,
        au1.statement(PASSED, result={"success": True, "score": {"scaled": 0.9}, **DURATION}),
    )
    au1.send(session, au1.statement(TERMINATED, result=DURATION))
    assert statements_with_verb(session, VERB_SATISFIED, reg_id) == []

    au2 = start(client, app, session, launch(client, learner, reg_id, AU2), AU2)
    au2.send(session, au2.statement(INITIALIZED))
    au2.send(session, au2.statement(COMPLETED, result={"completion": True, **DURATION}))
    satisfied = statements_with_verb(session, VERB_SATISFIED, reg_id)
    groupings = [s["context"]["contextActivities"]["grouping"][0]["id"] for s in satisfied]
    assert groupings == [BLOCK, "https://example.test/courses/c1"]
    # LMS-generated object ids, never the publisher's ids.
    assert all(
        s["object"]["id"].startswith("http://testserver/cmi5/activities/") for s in satisfied
    )
    assert satisfied[0]["object"]["id"] != satisfied[1]["object"]["id"]
    assert all(
        s["context"]["extensions"][EXT_SESSION_ID] == au2.launched.session_id for s in satisfied
    )
    au2.send(session, au2.statement(TERMINATED, result=DURATION))
    assert len(statements_with_verb(session, VERB_SATISFIED, reg_id)) == 2

    state = client.get(f"/api/cmi5/sessions/{reg_id}", headers=learner.headers).json()["data"]
    assert state["status"] == "terminated"
    assert state["sessionState"] == "terminated"
    assert state["score"] == {"scaled": 0.9}
    assert state["satisfied"] is True
    assert [(a["passed"], a["completed"], a["satisfied"]) for a in state["aus"]] == [
        (True, False, True),
        (False, True, True),
        (False, False, True),
    ]


def test_a_course_of_not_applicable_aus_is_satisfied_at_registration(
    client: TestClient, session: Session, teacher: Account, learner: Account
) -> None:
    course = import_xml(
        client,
        teacher,
        course_xml(
            [
                Block(
                    "https://example.test/blocks/na",
                    [Au("https://example.test/aus/na", "https://a.test/", move_on="NotApplicable")],
                )
            ]
        ),
    )
    registration = register(client, teacher, course["id"], learner)
    satisfied = statements_with_verb(session, VERB_SATISFIED, registration["id"])
    assert [s["context"]["contextActivities"]["grouping"][0]["id"] for s in satisfied] == [
        "https://example.test/blocks/na",
        "https://example.test/courses/c1",
    ]
    register(client, teacher, course["id"], learner)
    assert len(statements_with_verb(session, VERB_SATISFIED, registration["id"])) == 2


def test_waiving_the_missing_aus_satisfies_block_and_course(
    client: TestClient, session: Session, teacher: Account, learner: Account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    reg_id = registration["id"]
    for au in (AU1, AU2):
        response = client.post(
            f"/api/cmi5/registrations/{reg_id}/aus/{au}/waive",
            headers=teacher.headers,
            json={"reason": "Administrative"},
        )
        assert response.status_code == 201
    assert len(statements_with_verb(session, VERB_SATISFIED, reg_id)) == 2


def test_nested_blocks_are_satisfied_innermost_first(
    client: TestClient, app: FastAPI, session: Session, teacher: Account, learner: Account
) -> None:
    course = import_xml(
        client,
        teacher,
        course_xml(
            [
                Block(
                    "https://example.test/blocks/outer",
                    [
                        Block(
                            "https://example.test/blocks/inner",
                            [Au(AU1, "https://a.test/", move_on="Completed")],
                        )
                    ],
                )
            ]
        ),
    )
    registration = register(client, teacher, course["id"], learner)
    au = start(client, app, session, launch(client, learner, registration["id"], AU1), AU1)
    au.send(
        session,
        au.statement(INITIALIZED),
        au.statement(COMPLETED, result={"completion": True, **DURATION}),
    )
    satisfied = statements_with_verb(session, VERB_SATISFIED, registration["id"])
    assert [s["context"]["contextActivities"]["grouping"][0]["id"] for s in satisfied] == [
        "https://example.test/blocks/inner",
        "https://example.test/blocks/outer",
        "https://example.test/courses/c1",
    ]
