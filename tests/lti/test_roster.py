"""Names and Role Provisioning Services: an instructor's launch queues a roster sync;
the job reads every page of the real test platform's membership service and adds the
active learners to the context's class, including those who never launched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics.models import ClassMember
from learnloop.jobs.models import Job
from learnloop.lti.models import LtiContextClass, LtiUserLink
from learnloop.lti.roster import ROSTER_SYNC_JOB
from learnloop.main import build_worker
from tests.lti.conftest import TOOL_BASE_URL, platform_launch
from tests.lti.platform import INSTRUCTOR, LEARNER, Person, TestPlatform

pytestmark = pytest.mark.usefixtures("registered")

COURSE = "roster-course"


@pytest.fixture(autouse=True)
def course_roster(client: TestClient, lti_platform: TestPlatform) -> Iterator[None]:
    lti_platform.tool_jwks = client.get("/lti/jwks").json()
    lti_platform.people["roster-teacher"] = Person([INSTRUCTOR], "Rita Roster", COURSE)
    lti_platform.roster.update(
        {
            "roster-a": Person([LEARNER], "Ada", COURSE),
            "roster-b": Person([LEARNER], "Ben", COURSE),
            "roster-c": Person([LEARNER], "Cem", COURSE),
            "roster-ta": Person([INSTRUCTOR], "Tom Assistant", COURSE),
            "elsewhere": Person([LEARNER], "Eve", "another-course"),
        }
    )
    yield
    lti_platform.roster.clear()
    lti_platform.tool_jwks = None


def _subjects_in_class(session: Session, class_id: str) -> set[str]:
    rows = session.execute(
        select(LtiUserLink.subject)
        .join(ClassMember, ClassMember.user_id == LtiUserLink.user_id)
        .where(ClassMember.class_id == class_id)
    )
    return {subject for (subject,) in rows}


def test_instructor_launch_syncs_the_roster_into_the_class(
    client: TestClient, app: FastAPI, lti_platform: TestPlatform, session: Session
) -> None:
    launch = platform_launch(client, lti_platform, "roster-teacher", TOOL_BASE_URL + "/lti/launch")
    assert client.post("/lti/launch", data=launch.form(), follow_redirects=False).status_code == 303
    jobs = list(session.scalars(select(Job).where(Job.kind == ROSTER_SYNC_JOB)))
    assert len(jobs) == 1
    context = session.scalars(
        select(LtiContextClass).where(LtiContextClass.context_id == COURSE)
    ).one()
    assert context.memberships_url == f"{lti_platform.issuer}/contexts/{COURSE}/memberships"

    build_worker(app.state.services).run_until_idle()

    session.expire_all()
    assert _subjects_in_class(session, context.class_id) == {"roster-a", "roster-b", "roster-c"}
    job = session.scalars(select(Job).where(Job.kind == ROSTER_SYNC_JOB)).one()
    assert job.status == "done"


def test_a_learner_of_the_roster_who_launches_later_is_the_same_account(
    client: TestClient, app: FastAPI, lti_platform: TestPlatform, session: Session
) -> None:
    launch = platform_launch(client, lti_platform, "roster-teacher", TOOL_BASE_URL + "/lti/launch")
    client.post("/lti/launch", data=launch.form(), follow_redirects=False)
    build_worker(app.state.services).run_until_idle()
    lti_platform.people["roster-a"] = lti_platform.roster["roster-a"]
    try:
        learner = platform_launch(
            client, lti_platform, "roster-a", TOOL_BASE_URL + "/lti/content/anything"
        )
        response = client.post("/lti/launch", data=learner.form(), follow_redirects=False)
        assert response.status_code == 303
    finally:
        del lti_platform.people["roster-a"]
    session.expire_all()
    links = session.scalars(select(LtiUserLink).where(LtiUserLink.subject == "roster-a")).all()
    assert len(links) == 1
