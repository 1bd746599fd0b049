from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.cmi5.errors import StatementRuleViolation
from learnloop.cmi5.vocabulary import EXT_SESSION_ID, VERB_SATISFIED, VERB_WAIVED
from learnloop.xapi.models import StatementRow
from tests.cmi5.au_statements import (
    COMPLETED,
    FAILED,
    INITIALIZED,
    PASSED,
    TERMINATED,
    AuSession,
    start,
)
from tests.cmi5.conftest import AU1, AU2, launch, register
from tests.conftest import Account


@pytest.fixture
def au1(
    client: TestClient, app: FastAPI, session: Session, teacher: Account, learner: Account, course
) -> AuSession:
    registration = register(client, teacher, course["id"], learner)
    return start(client, app, session, launch(client, learner, registration["id"], AU1), AU1)


@pytest.fixture
def au2(
    client: TestClient, app: FastAPI, session: Session, teacher: Account, learner: Account, course
) -> AuSession:
    registration = register(client, teacher, course["id"], learner)
    return start(client, app, session, launch(client, learner, registration["id"], AU2), AU2)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StatementRow)) or 0


def _refused(session: Session, au: AuSession, *statements: dict[str, Any]) -> str:
    before = _count(session)
    with pytest.raises(StatementRuleViolation) as raised:
        au.send(session, *statements)
    session.rollback()
    assert _count(session) == before
    assert raised.value.status_code == 403
    return raised.value.message


DURATION = {"duration": "PT1M"}


def test_a_normal_session_is_accepted(au1: AuSession, session: Session) -> None:
    au1.send(session, au1.statement(INITIALIZED))
    au1.send(
        session,
        au1.statement(
            PASSED, result={"success": True, "duration": "PT1M", "score": {"scaled": 0.9}}
        ),
    )
    au1.send(session, au1.statement(TERMINATED, result=DURATION))


def test_the_first_statement_must_be_initialized(au1: AuSession, session: Session) -> None:
    assert "Initialized" in _refused(
        session, au1, au1.statement(COMPLETED, result={"completion": True, **DURATION})
    )
    assert "Initialized" in _refused(
        session, au1, au1.statement("http://adlnet.gov/expapi/verbs/experienced", cmi5=False)
    )


def test_nothing_is_accepted_after_terminated(au1: AuSession, session: Session) -> None:
    au1.send(session, au1.statement(INITIALIZED), au1.statement(TERMINATED, result=DURATION))
    assert "terminated" in _refused(
        session, au1, au1.statement("http://adlnet.gov/expapi/verbs/experienced", cmi5=False)
    )


def test_a_batch_is_judged_statement_by_statement(au1: AuSession, session: Session) -> None:
    message = _refused(
        session,
        au1,
        au1.statement(INITIALIZED),
        au1.statement(TERMINATED, result=DURATION),
        au1.statement("http://adlnet.gov/expapi/verbs/experienced", cmi5=False),
    )
    assert message.startswith("statement[2]")


def test_initialized_only_once(au1: AuSession, session: Session) -> None:
    au1.send(session, au1.statement(INITIALIZED))
    assert "only once" in _refused(session, au1, au1.statement(INITIALIZED))


@pytest.mark.parametrize(
    ("verb", "result", "move_on", "reason"),
    [
        (COMPLETED, {"completion": True}, True, "duration"),
        (COMPLETED, {"duration": "PT1M"}, True, "completion true"),
        (COMPLETED, {"completion": True, "success": True, "duration": "PT1M"}, True, "success"),
        (
            COMPLETED,
            {"completion": True, "score": {"scaled": 1}, "duration": "PT1M"},
            True,
            "score",
        ),
        (COMPLETED, {"completion": True, "duration": "PT1M"}, False, "moveOn category"),
        (PASSED, {"success": False, "duration": "PT1M"}, True, "success true"),
        (PASSED, {"success": True, "completion": True, "duration": "PT1M"}, True, "completion"),
        (
            PASSED,
            {"success": True, "duration": "PT1M", "score": {"scaled": 0.5}},
            True,
            "masteryScore",
        ),
        (
            FAILED,
            {"success": False, "duration": "PT1M", "score": {"scaled": 0.95}},
            True,
            "masteryScore",
        ),
        (FAILED, {"success": True, "duration": "PT1M"}, True, "success false"),
        (TERMINATED, {}, False, "duration"),
        (TERMINATED, {"duration": "PT1M"}, True, "moveOn category"),
        (TERMINATED, {"duration": "PT1M", "score": {"scaled": 1}}, False, "score"),
        (VERB_SATISFIED, None, False, "only the LMS"),
        (VERB_WAIVED, None, False, "only the LMS"),
        ("http://adlnet.gov/expapi/verbs/experienced", None, False, "not a cmi5 defined verb"),
    ],
)
def test_cmi5_defined_statements_follow_the_result_and_category_rules(
    au1: AuSession,
    session: Session,
    verb: str,
    result: dict[str, Any] | None,
    move_on: bool,
    reason: str,
) -> None:
    au1.send(session, au1.statement(INITIALIZED))
    assert reason in _refused(session, au1, au1.statement(verb, result=result, move_on=move_on))


def test_completed_is_accepted_once_per_au_and_registration(
    au2: AuSession, session: Session
) -> None:
    au2.send(session, au2.statement(INITIALIZED))
    au2.send(session, au2.statement(COMPLETED, result={"completion": True, **DURATION}))
    assert "already used in this session (cmi5 9.3.0.0-2)" in _refused(
        session, au2, au2.statement(COMPLETED, result={"completion": True, **DURATION})
    )


def test_passed_is_accepted_once_and_failed_may_not_follow_it(
    au1: AuSession, session: Session, client: TestClient, app: FastAPI, learner: Account
) -> None:
    au1.send(session, au1.statement(INITIALIZED))
    au1.send(session, au1.statement(PASSED, result={"success": True, **DURATION}))
    au1.send(session, au1.statement(TERMINATED, result=DURATION))
    # A new session of the same AU and registration still knows Passed was recorded.
    again = start(
        client, app, session, launch(client, learner, au1.launched.registration_id, AU1), AU1
    )
    again.send(session, again.statement(INITIALIZED))
    assert "already recorded" in _refused(
        session, again, again.statement(PASSED, result={"success": True, **DURATION})
    )
    assert "may not follow Passed" in _refused(
        session, again, again.statement(FAILED, result={"success": False, **DURATION})
    )


def test_passed_after_failed_waits_for_a_new_session(
    au1: AuSession, session: Session, client: TestClient, app: FastAPI, learner: Account
) -> None:
    """cmi5 9.3.0.0-3 (d): no Passed or Failed after the first one of a session; a later
    session of the same registration may pass."""
    au1.send(session, au1.statement(INITIALIZED))
    au1.send(
        session,
        au1.statement(FAILED, result={"success": False, "score": {"scaled": 0.2}, **DURATION}),
    )
    passed = {"success": True, "score": {"scaled": 0.8}, **DURATION}
    assert "9.3.0.0-3" in _refused(session, au1, au1.statement(PASSED, result=passed))
    failed_again = {"success": False, "score": {"scaled": 0.1}, **DURATION}
    assert "9.3.0.0-2" in _refused(session, au1, au1.statement(FAILED, result=failed_again))
    au1.send(session, au1.statement(TERMINATED, result=DURATION))
    again = start(
        client, app, session, launch(client, learner, au1.launched.registration_id, AU1), AU1
    )
    again.send(session, again.statement(INITIALIZED))
    again.send(session, again.statement(PASSED, result=passed))


def test_actor_registration_session_and_grouping_must_match_the_launch(
    au1: AuSession, session: Session
) -> None:
    au1.send(session, au1.statement(INITIALIZED))
    other_actor = au1.statement(COMPLETED, result={"completion": True, **DURATION})
    other_actor["actor"] = {"mbox": "mailto:someone@example.test"}
    assert "actor" in _refused(session, au1, other_actor)
    other_registration = au1.statement(COMPLETED, result={"completion": True, **DURATION})
    other_registration["context"]["registration"] = "6f7d7f37-0000-4000-8000-000000000000"
    assert "registration" in _refused(session, au1, other_registration)
    other_session = au1.statement(COMPLETED, result={"completion": True, **DURATION})
    other_session["context"]["extensions"][EXT_SESSION_ID] = "another"
    assert "session id" in _refused(session, au1, other_session)
    no_grouping = au1.statement(COMPLETED, result={"completion": True, **DURATION})
    del no_grouping["context"]["contextActivities"]["grouping"]
    assert "grouping" in _refused(session, au1, no_grouping)
    publisher_object = au1.statement(COMPLETED, result={"completion": True, **DURATION})
    publisher_object["object"]["id"] = AU1
    assert "activityId" in _refused(session, au1, publisher_object)


def test_an_abandoned_session_accepts_nothing(
    client: TestClient, au1: AuSession, session: Session, learner: Account
) -> None:
    au1.send(session, au1.statement(INITIALIZED))
    launch(client, learner, au1.launched.registration_id, AU1)
    assert "abandoned" in _refused(
        session, au1, au1.statement("http://adlnet.gov/expapi/verbs/experienced", cmi5=False)
    )


def test_judging_verbs_need_normal_launch_mode(au1: AuSession, session: Session) -> None:
    from learnloop.cmi5.models import Cmi5Session

    au1.send(session, au1.statement(INITIALIZED))
    row = session.get(Cmi5Session, au1.launched.session_id)
    assert row is not None
    row.launch_mode = "Review"
    session.commit()
    assert "Normal launch mode" in _refused(
        session, au1, au1.statement(COMPLETED, result={"completion": True, **DURATION})
    )


def test_cmi5_allowed_statements_pass_after_initialized(au1: AuSession, session: Session) -> None:
    au1.send(session, au1.statement(INITIALIZED))
    au1.send(
        session,
        au1.statement(
            "http://adlnet.gov/expapi/verbs/answered", cmi5=False, result={"success": True}
        ),
    )


def test_a_review_launch_refuses_judging_statements_over_http_launch_mode(
    client: TestClient, app: FastAPI, session: Session, teacher: Account, learner: Account, course
) -> None:
    registration = register(client, teacher, course["id"], learner)
    response = client.get(
        f"/api/cmi5/launch/{registration['id']}",
        headers=learner.headers,
        params={"auId": AU2, "launchMode": "Review"},
    )
    assert response.status_code == 200
    from urllib.parse import parse_qs, urlsplit

    from tests.cmi5.conftest import Launched

    data = response.json()["data"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(data["launchUrl"]).query).items()}
    au = start(
        client,
        app,
        session,
        Launched(registration["id"], data["launchUrl"], params, data["sessionId"]),
        AU2,
    )
    au.send(session, au.statement(INITIALIZED))
    assert "Normal launch mode" in _refused(
        session, au, au.statement(COMPLETED, result={"completion": True, **DURATION})
    )
    bad = client.get(
        f"/api/cmi5/launch/{registration['id']}",
        headers=learner.headers,
        params={"launchMode": "Sometimes"},
    )
    assert bad.status_code == 400
