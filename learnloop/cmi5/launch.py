"""Launching an AU (cmi5 8 "Content Launch Mechanisms", 10 "xAPI State Data Model"):
abandon the registration's open session, open a new one, write ``LMS.LaunchData``, record
``launched``, and build the launch URL with the five cmi5 parameters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.cmi5.errors import AuNotFound
from learnloop.cmi5.fetch import issue_fetch_token, new_auth_key
from learnloop.cmi5.lms_statements import LmsWriter, cmi5_statement, iso_duration
from learnloop.cmi5.models import (
    OPEN_SESSION_STATES,
    Cmi5Au,
    Cmi5Course,
    Cmi5Registration,
    Cmi5Session,
)
from learnloop.cmi5.packages import course_aus, files_prefix, get_course
from learnloop.cmi5.registrations import actor_for, au_status
from learnloop.cmi5.vocabulary import (
    EXT_LAUNCH_MODE,
    EXT_LAUNCH_PARAMETERS,
    EXT_LAUNCH_URL,
    EXT_MASTERY_SCORE,
    EXT_MOVE_ON,
    EXT_SESSION_ID,
    LAUNCH_DATA_STATE_ID,
    LEARNER_PREFERENCES_PROFILE_ID,
    VERB_ABANDONED,
    VERB_LAUNCHED,
)
from learnloop.db import utcnow
from learnloop.xapi.agents import agent_key
from learnloop.xapi.document_store import (
    DocumentContext,
    DocumentResource,
    Preconditions,
    get_document,
    put_document,
)

OPEN_STATES = OPEN_SESSION_STATES


@dataclass(frozen=True)
class Launch:
    url: str
    session_id: str
    au_id: str
    launch_method: str
    abandoned_session_ids: list[str]


def au_file_url(base_url: str, course: Cmi5Course, au: Cmi5Au) -> str:
    """The AU's URL as the browser opens it, without the cmi5 launch parameters."""
    if not au.url_is_relative:
        return au.url
    return f"{base_url.rstrip('/')}/{files_prefix(course.id)}/{au.url}"


def build_launch_url(au_url: str, parameters: dict[str, str]) -> str:
    """Merge the cmi5 parameters (8.1) into the AU URL's own query, each value
    URL-encoded (no character left unescaped but the unreserved ones)."""
    parts = urlsplit(au_url)
    pairs = parse_qsl(parts.query, keep_blank_values=True) + list(parameters.items())
    query = urlencode(pairs, quote_via=quote, safe="")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def choose_au(session: Session, course: Cmi5Course, au_ref: str | None) -> Cmi5Au:
    aus = course_aus(session, course.id)
    if not aus:
        raise AuNotFound("The course has no AU")
    if au_ref is None:
        return aus[0]
    # An AU by its position in the course (0-based, document order): ids are IRIs or
    # UUIDs, never bare numbers, so a number cannot be mistaken for one.
    if au_ref.isascii() and au_ref.isdigit():
        index = int(au_ref)
        if index < len(aus):
            return aus[index]
        raise AuNotFound(f"The course has {len(aus)} AUs; there is no AU at index {index}")
    for au in aus:
        if au_ref in (au.id, au.publisher_id):
            return au
    raise AuNotFound(f"The course has no AU {au_ref}")


def abandon_open_sessions(
    session: Session, registration: Cmi5Registration, writer: LmsWriter
) -> list[str]:
    """Record ``abandoned`` (cmi5 9.3.6) for every open session of the registration, with
    the session's duration (launch to last AU activity, 9.5.4.2); return their ids."""
    open_sessions = list(
        session.scalars(
            select(Cmi5Session)
            .where(
                Cmi5Session.registration_id == registration.id,
                Cmi5Session.state.in_(OPEN_STATES),
            )
            .order_by(Cmi5Session.launched_at)
            .with_for_update()
        )
    )
    if not open_sessions:
        return []
    now = utcnow()
    statements = []
    for cmi5_session in open_sessions:
        au = session.get(Cmi5Au, cmi5_session.au_id)
        assert au is not None
        last = cmi5_session.last_activity_at or cmi5_session.launched_at
        statements.append(
            cmi5_statement(
                actor=actor_for(registration),
                verb_id=VERB_ABANDONED,
                activity_id=cmi5_session.launch_activity_id,
                registration_id=registration.id,
                session_id=cmi5_session.id,
                publisher_id=au.publisher_id,
                timestamp=now,
                result={"duration": iso_duration(last - cmi5_session.launched_at)},
            )
        )
        cmi5_session.state = "abandoned"
        cmi5_session.ended_at = now
    registration.status = "abandoned"
    session.flush()
    writer.store(session, statements)
    return [s.id for s in open_sessions]


def launch_data(
    au: Cmi5Au, session_id: str, launch_mode: str, return_url: str | None
) -> dict[str, Any]:
    """The ``LMS.LaunchData`` document (cmi5 10.2)."""
    document: dict[str, Any] = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"id": au.publisher_id, "objectType": "Activity"}]},
            "extensions": {EXT_SESSION_ID: session_id},
        },
        "launchMode": launch_mode,
        "moveOn": au.move_on,
    }
    if au.mastery_score is not None:
        document["masteryScore"] = au.mastery_score
    if au.launch_parameters:
        document["launchParameters"] = au.launch_parameters
    if au.entitlement_key:
        document["entitlementKey"] = {"courseStructure": au.entitlement_key}
    if return_url:
        document["returnURL"] = return_url
    return document


# LearnLoop keeps no per-learner language or audio preference; these are its player's
# defaults (English, audio on), in the shape of cmi5 11.1 and 11.2.
DEFAULT_LEARNER_PREFERENCES = {"languagePreference": "en", "audioPreference": "on"}


def ensure_learner_preferences(session: Session, actor: dict[str, Any]) -> None:
    """Write the learner's ``cmi5LearnerPreferences`` agent profile document when there is
    none (cmi5 11.0: the LMS MAY write it). The AU MUST read it before Initialized
    (11.0.0.0-3); with the document present that read is a 200 whose request commits, so
    the LMS can record it (``xapi_access.record_preferences_read``). A document the
    learner, an AU or another LMS wrote is left as it is."""
    context = DocumentContext(DocumentResource.AGENT_PROFILE, agent_key=agent_key(actor) or "")
    if get_document(session, context, LEARNER_PREFERENCES_PROFILE_ID) is not None:
        return
    put_document(
        session,
        context,
        LEARNER_PREFERENCES_PROFILE_ID,
        orjson.dumps(DEFAULT_LEARNER_PREFERENCES),
        "application/json",
        Preconditions(),
        require_precondition=False,
    )


def launch(
    session: Session,
    registration: Cmi5Registration,
    *,
    au_ref: str | None,
    base_url: str,
    writer: LmsWriter,
    return_url: str | None = None,
    launch_mode: str | None = None,
) -> Launch:
    base = base_url.rstrip("/")
    course = get_course(session, registration.course_id)
    au = choose_au(session, course, au_ref)
    abandoned = abandon_open_sessions(session, registration, writer)
    status = au_status(session, registration, au.id, base)
    # cmi5 10.2.2: Normal by default; Browse and Review launch the AU without tracking
    # completion (the statement rules then refuse Completed/Passed/Failed).
    launch_mode = launch_mode or registration.launch_mode
    actor = actor_for(registration)
    cmi5_session = Cmi5Session(
        id=str(uuid.uuid4()),
        registration_id=registration.id,
        au_id=au.id,
        launch_activity_id=status.launch_activity_id,
        launch_mode=launch_mode,
        auth_key=new_auth_key(),
        launched_at=utcnow(),
    )
    session.add(cmi5_session)
    session.flush()
    token = issue_fetch_token(session, cmi5_session)

    # cmi5 10.0: the LMS writes LMS.LaunchData before launching the AU; one document per
    # activity, agent and registration (a PUT replaces the previous session's).
    put_document(
        session,
        DocumentContext(
            DocumentResource.STATE,
            activity_id=status.launch_activity_id,
            agent_key=agent_key(actor) or "",
            registration=registration.id,
        ),
        LAUNCH_DATA_STATE_ID,
        orjson.dumps(launch_data(au, cmi5_session.id, launch_mode, return_url)),
        "application/json",
        Preconditions(),
        require_precondition=False,
    )
    ensure_learner_preferences(session, actor)

    au_url = au_file_url(base, course, au)
    # cmi5 9.6.3: the launched statement carries the launch context extensions.
    extensions: dict[str, Any] = {
        EXT_LAUNCH_MODE: launch_mode,
        EXT_LAUNCH_URL: au_url,
        EXT_MOVE_ON: au.move_on,
    }
    if au.launch_parameters:
        extensions[EXT_LAUNCH_PARAMETERS] = au.launch_parameters
    if au.mastery_score is not None:
        extensions[EXT_MASTERY_SCORE] = au.mastery_score
    writer.store(
        session,
        [
            cmi5_statement(
                actor=actor,
                verb_id=VERB_LAUNCHED,
                activity_id=status.launch_activity_id,
                registration_id=registration.id,
                session_id=cmi5_session.id,
                publisher_id=au.publisher_id,
                timestamp=cmi5_session.launched_at,
                extensions=extensions,
                activity_type=au.activity_type,
            )
        ],
    )
    registration.status = "launched"
    registration.session_id = cmi5_session.id
    registration.updated_at = utcnow()
    session.flush()

    url = build_launch_url(
        au_url,
        {
            "endpoint": f"{base}/xapi",
            "fetch": f"{base}/api/cmi5/fetch/{token}",
            "actor": orjson.dumps(actor).decode(),
            "registration": registration.id,
            "activityId": status.launch_activity_id,
        },
    )
    return Launch(
        url=url,
        session_id=cmi5_session.id,
        au_id=au.id,
        launch_method=au.launch_method,
        abandoned_session_ids=abandoned,
    )
