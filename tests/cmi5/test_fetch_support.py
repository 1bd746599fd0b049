"""Committed launch data for tests that use several connections or processes."""

from __future__ import annotations

from learnloop.auth import users as user_service
from learnloop.auth.models import Role
from learnloop.cmi5.course_structure import parse_course_structure
from learnloop.cmi5.fetch import issue_fetch_token, new_auth_key
from learnloop.cmi5.models import Cmi5Session
from learnloop.cmi5.packages import course_aus, save_course
from learnloop.cmi5.registrations import au_status, register_course
from learnloop.db import Database, new_uuid
from tests.cmi5.course_files import Au, course_xml


def make_launched_session(database: Database) -> str:
    """A course, a registration and an open session; return a raw fetch token for it."""
    with database.transaction() as session:
        teacher = user_service.create_user(
            session,
            email=f"t{new_uuid()[:8]}@example.test",
            display_name="T",
            role=Role.TEACHER,
            password="correct horse battery",
        )
        parsed = parse_course_structure(
            course_xml([Au("https://example.test/aus/1", "https://a.test/")])
        )
        course = save_course(session, parsed, owner_id=teacher.id)
        registration, _ = register_course(
            session,
            teacher,
            course_id=course.id,
            learner_id=teacher.id,
            actor_account=None,
            base_url="http://testserver",
        )
        au = course_aus(session, course.id)[0]
        status = au_status(session, registration, au.id, "http://testserver")
        cmi5_session = Cmi5Session(
            registration_id=registration.id,
            au_id=au.id,
            launch_activity_id=status.launch_activity_id,
            auth_key=new_auth_key(),
        )
        session.add(cmi5_session)
        session.flush()
        return issue_fetch_token(session, cmi5_session)
