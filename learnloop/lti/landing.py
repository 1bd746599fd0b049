"""Where a validated launch lands (LTI Core 1.3 §5.4.4 target_link_uri).

Resource links point at ``<base>/lti/content/<content id>``: the launch opens that
content's player in the launch frame. An instructor's launch assigns the content to the
context's class (when the instructor owns it), so the context's learners may play it
even when it is not public. Other links open the library for instructors. The player is
reached with a LearnLoop token of the launched user in its URL: cookies of a site shown in
another site's iframe are third-party cookies, which browsers increasingly withhold.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from learnloop.analytics import access, classes
from learnloop.auth.models import User
from learnloop.auth.tokens import issue_token
from learnloop.config import Settings
from learnloop.lti import accounts, deep_linking, grades, roster
from learnloop.lti.errors import InvalidLaunch
from learnloop.lti.launch import ValidLaunch
from learnloop.lti.links import linked_content_id
from learnloop.lti.vocabulary import DEEP_LINKING_REQUEST

# The token in the player URL lives as long as a lesson, not a whole working day.
LAUNCH_TOKEN_TTL_SECONDS = 4 * 3600


@dataclass(frozen=True)
class Landing:
    user: User
    redirect_url: str
    token: str


def land(session: Session, settings: Settings, launch: ValidLaunch) -> Landing:
    user = accounts.user_for_launch(session, launch)
    learner_class = accounts.class_for_launch(session, launch, user)
    if learner_class is not None and accounts.is_instructor(launch.roles):
        context = accounts.context_link_of_class(session, launch.platform.id, learner_class.id)
        if context is not None:
            roster.request_sync(session, context)
    token, _ = issue_token(settings, user, ttl_seconds=LAUNCH_TOKEN_TTL_SECONDS)
    if launch.message_type == DEEP_LINKING_REQUEST:
        if not user.is_teacher:
            raise InvalidLaunch("Only instructors pick content for a link")
        ticket = deep_linking.issue_ticket(settings, launch, user)
        return Landing(user, "/lti/deep-linking?" + urlencode({"ticket": ticket}), token)
    content_id = linked_content_id(settings.base_url, launch.target_link_uri)
    if content_id is None:
        if not user.is_teacher:
            raise InvalidLaunch("This link names no content")
        return Landing(user, "/library?" + urlencode({"token": token}), token)
    # Grades are the learners'; an instructor trying the content sends none.
    if not accounts.is_instructor(launch.roles):
        grades.bind_line_item(session, launch, user.id, content_id)
    if learner_class is not None and user.is_teacher:
        visible = access.teacher_content_ids(session, user.id)
        if user.is_admin or content_id in visible:
            classes.assign_content(session, user, learner_class, [content_id], visible)
    return Landing(
        user, f"/h5p/embed/{quote(content_id, safe='')}?" + urlencode({"token": token}), token
    )
