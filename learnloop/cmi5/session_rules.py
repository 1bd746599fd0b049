"""cmi5 statement rules for statements an AU sends with its auth token (cmi5 9.x), as a
statement check of the LRS: a statement breaking one is refused with 403 and the reason,
and nothing of its batch is stored.

The batch is checked in order against the session as it will be after each statement,
so ``[initialized, completed]`` in one POST is judged like two POSTs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.cmi5.au_auth import auth_key_of_authority
from learnloop.cmi5.errors import StatementRuleViolation
from learnloop.cmi5.models import (
    SESSION_LAUNCHED,
    SESSION_PREFERENCES_READ,
    Cmi5Au,
    Cmi5AuStatus,
    Cmi5Registration,
    Cmi5Session,
)
from learnloop.cmi5.registrations import actor_for
from learnloop.cmi5.satisfaction import is_cmi5_defined
from learnloop.cmi5.vocabulary import (
    AU_VERBS,
    CATEGORY_MOVE_ON,
    EXT_MASTERY_SCORE,
    EXT_SESSION_ID,
    LMS_VERBS,
    VERB_COMPLETED,
    VERB_FAILED,
    VERB_INITIALIZED,
    VERB_PASSED,
    VERB_TERMINATED,
)
from learnloop.xapi.agents import agent_key
from learnloop.xapi.hooks import StatementBatch
from learnloop.xapi.models import StatementRow

JUDGING_VERBS = frozenset({VERB_COMPLETED, VERB_PASSED, VERB_FAILED})
VERB_VOIDED = "http://adlnet.gov/expapi/verbs/voided"
# xAPI timestamps are ISO 8601; UTC is "Z" or a zero offset (cmi5 9.7.0.0-2). xAPI
# itself forbids the "-00:00" offset.
_UTC_SUFFIX = re.compile(r"(?:[Zz]|\+00(?::?00)?)$")


@dataclass
class _SessionView:
    state: str
    completed: bool
    passed: bool
    # cmi5 defined verbs already used in this session (9.3.0.0-2, 9.3.0.0-3).
    verbs_used: set[str] = field(default_factory=set)


# A session in these states has not sent Initialized yet.
BEFORE_INITIALIZED = (SESSION_LAUNCHED, SESSION_PREFERENCES_READ)


def _refuse(index: int, reason: str) -> StatementRuleViolation:
    return StatementRuleViolation(f"statement[{index}]: {reason}")


def _context(statement: dict[str, Any]) -> dict[str, Any]:
    context = statement.get("context")
    return context if isinstance(context, dict) else {}


def _activity_ids(statement: dict[str, Any], kind: str) -> set[str]:
    entries = (_context(statement).get("contextActivities") or {}).get(kind) or []
    if isinstance(entries, dict):
        entries = [entries]
    return {str(e.get("id")) for e in entries if isinstance(e, dict)}


def _defined_verbs_of_session(session: Session, authority: dict[str, Any]) -> set[str]:
    """The cmi5 defined verbs the AU of this session (its authority names the session's
    auth key) has already had stored."""
    key = agent_key(authority)
    rows = session.execute(
        select(StatementRow.verb_id, StatementRow.statement).where(
            StatementRow.authority_key == key, StatementRow.verb_id.in_(AU_VERBS)
        )
    )
    return {verb for verb, statement in rows if is_cmi5_defined(statement)}


def check_au_statements(session: Session, batch: StatementBatch) -> None:
    """The LRS statement check (registered in ``main.py``)."""
    key = auth_key_of_authority(dict(batch.authority))
    if key is None:
        return
    cmi5_session = session.scalar(
        select(Cmi5Session).where(Cmi5Session.auth_key == key).with_for_update()
    )
    if cmi5_session is None:
        raise StatementRuleViolation("These credentials belong to no cmi5 session")
    registration = session.get(Cmi5Registration, cmi5_session.registration_id)
    au = session.get(Cmi5Au, cmi5_session.au_id)
    assert registration is not None and au is not None
    status = session.scalar(
        select(Cmi5AuStatus).where(
            Cmi5AuStatus.registration_id == registration.id, Cmi5AuStatus.au_id == au.id
        )
    )
    view = _SessionView(
        state=cmi5_session.state,
        completed=bool(status and status.completed),
        passed=bool(status and status.passed),
        verbs_used=_defined_verbs_of_session(session, dict(batch.authority)),
    )
    actor_key = agent_key(actor_for(registration))
    received = list(batch.received) or list(batch.statements)
    for index, statement in enumerate(batch.statements):
        _check_ended(index, view)
        if index in batch.already_stored:
            continue  # a repeat: acknowledged without being stored again
        _check_received(index, received[index])
        _check_one(index, statement, view, cmi5_session, registration, au, actor_key)


def _check_ended(index: int, view: _SessionView) -> None:
    if view.state in ("terminated", "abandoned"):
        raise _refuse(
            index,
            f"the session has been {view.state}; no statement may follow, not even one "
            "sent before (cmi5 9.3.0.0-5, 9.3.8 Terminated, 9.3.6 Abandoned)",
        )


def _check_received(index: int, received: dict[str, Any]) -> None:
    """Rules about what the AU itself sent, before the LRS fills properties in."""
    if not received.get("id"):
        raise _refuse(index, "an AU statement MUST have an id (cmi5 9.1.0.0-1)")
    timestamp = received.get("timestamp")
    if not timestamp:
        raise _refuse(index, "an AU statement MUST have a timestamp (cmi5 9.7.0.0-1)")
    if not _UTC_SUFFIX.search(str(timestamp)):
        raise _refuse(index, "the timestamp MUST be recorded in UTC (cmi5 9.7.0.0-2)")


def _check_one(
    index: int,
    statement: dict[str, Any],
    view: _SessionView,
    cmi5_session: Cmi5Session,
    registration: Cmi5Registration,
    au: Cmi5Au,
    actor_key: str | None,
) -> None:
    verb = str(statement["verb"]["id"])
    if verb == VERB_VOIDED:
        raise _refuse(index, "an AU's credentials may not void statements (cmi5 6.3.0.0-1)")
    defined = is_cmi5_defined(statement)
    actor = statement["actor"]
    if defined and isinstance(actor, dict) and actor.get("objectType") == "Group":
        raise _refuse(
            index, "the actor of a cmi5 defined statement MUST be an Agent (cmi5 9.2.0.0-2)"
        )
    if agent_key(actor) != actor_key:
        raise _refuse(index, "actor is not the learner of this launch (cmi5 9.2 Actor)")
    registration_value = str(_context(statement).get("registration", "")).lower()
    if registration_value != registration.id:
        raise _refuse(
            index, "context.registration is not the registration of this launch (cmi5 9.6.1)"
        )
    extensions = _context(statement).get("extensions") or {}
    if extensions.get(EXT_SESSION_ID) != cmi5_session.id:
        raise _refuse(
            index,
            "the session id extension is missing or not the session of this launch; cmi5 "
            "defined and allowed statements carry it (cmi5 9.6.3.1-4)",
        )
    score = (statement.get("result") or {}).get("score") or {}
    if "raw" in score and not ("min" in score and "max" in score):
        raise _refuse(index, "score.raw MUST come with score.min and score.max (cmi5 9.5.1.0-3)")
    if view.state in BEFORE_INITIALIZED and not (defined and verb == VERB_INITIALIZED):
        raise _refuse(
            index,
            "the first statement of a session MUST be a cmi5 defined Initialized statement "
            "(cmi5 9.3.2)",
        )
    has_move_on = CATEGORY_MOVE_ON in _activity_ids(statement, "category")
    if not defined:
        if has_move_on:
            raise _refuse(
                index,
                "the moveOn category belongs only on cmi5 defined statements (cmi5 9.6.2.2-2)",
            )
        return  # cmi5 allowed statement (9.6.2.1)
    if verb in LMS_VERBS:
        raise _refuse(index, f"only the LMS records {verb} statements (cmi5 9.3)")
    if verb not in AU_VERBS:
        raise _refuse(
            index, f"{verb} is not a cmi5 defined verb; drop the cmi5 category (cmi5 9.6.2.1)"
        )
    obj = statement.get("object") or {}
    if obj.get("id") != cmi5_session.launch_activity_id:
        raise _refuse(index, "object.id is not the activityId of the launch URL (cmi5 9.4.2)")
    if au.publisher_id not in _activity_ids(statement, "grouping"):
        raise _refuse(
            index,
            "contextActivities.grouping must hold the AU's publisher id from "
            "LMS.LaunchData's contextTemplate (cmi5 10.2.1)",
        )
    if verb in view.verbs_used and verb not in (VERB_INITIALIZED, VERB_TERMINATED):
        raise _refuse(index, f"{verb} was already used in this session (cmi5 9.3.0.0-2)")
    if verb in (VERB_PASSED, VERB_FAILED) and view.verbs_used & {VERB_PASSED, VERB_FAILED}:
        raise _refuse(
            index,
            "only one of Passed and Failed may be sent in a session (cmi5 9.3.0.0-3)",
        )
    if verb in JUDGING_VERBS:
        _check_judging(index, verb, statement, view, cmi5_session, au, has_move_on)
    else:
        _check_lifecycle(index, verb, statement, view, has_move_on)
    view.verbs_used.add(verb)


def _check_lifecycle(
    index: int, verb: str, statement: dict[str, Any], view: _SessionView, has_move_on: bool
) -> None:
    result = statement.get("result") or {}
    if has_move_on:
        raise _refuse(
            index, "the moveOn category belongs only on Completed, Passed and Failed (cmi5 9.6.2.2)"
        )
    for name in ("success", "completion", "score"):
        if name in result:
            raise _refuse(index, f"result.{name} is not allowed on {verb} (cmi5 9.5)")
    if verb == VERB_INITIALIZED:
        if view.state not in BEFORE_INITIALIZED:
            raise _refuse(index, "Initialized may be sent only once per session (cmi5 9.3.2)")
        if view.state != SESSION_PREFERENCES_READ:
            raise _refuse(
                index,
                "the AU MUST retrieve the cmi5LearnerPreferences agent profile document "
                "before Initialized (cmi5 11.0.0.0-3)",
            )
        view.state = "initialized"
    elif verb == VERB_TERMINATED:
        if "duration" not in result:
            raise _refuse(index, "Terminated MUST include result.duration (cmi5 9.5.4.1)")
        view.state = "terminated"


def _check_judging(
    index: int,
    verb: str,
    statement: dict[str, Any],
    view: _SessionView,
    cmi5_session: Cmi5Session,
    au: Cmi5Au,
    has_move_on: bool,
) -> None:
    result = statement.get("result") or {}
    name = verb.rsplit("/", 1)[-1].title()
    if cmi5_session.launch_mode != "Normal":
        raise _refuse(
            index,
            f"{name} may only be sent in Normal launch mode, this launch is "
            f"{cmi5_session.launch_mode} (cmi5 10.2.2)",
        )
    if not has_move_on:
        raise _refuse(index, f"{name} MUST carry the moveOn category (cmi5 9.6.2.2)")
    if "duration" not in result:
        raise _refuse(index, f"{name} MUST include result.duration (cmi5 9.5.4.1)")
    if verb == VERB_COMPLETED:
        if result.get("completion") is not True:
            raise _refuse(index, "Completed MUST have result.completion true (cmi5 9.5.3)")
        for forbidden in ("success", "score"):
            if forbidden in result:
                raise _refuse(index, f"Completed MUST NOT include result.{forbidden} (cmi5 9.5)")
        if view.completed:
            raise _refuse(
                index, "Completed was already recorded for this AU and registration (cmi5 9.3.3)"
            )
        view.completed = True
        return
    expected = verb == VERB_PASSED
    if result.get("success") is not expected:
        raise _refuse(
            index, f"{name} MUST have result.success {str(expected).lower()} (cmi5 9.5.2)"
        )
    if "completion" in result:
        raise _refuse(index, f"{name} MUST NOT include result.completion (cmi5 9.5.3)")
    if view.passed:
        what = "Passed was already recorded" if expected else "Failed may not follow Passed"
        raise _refuse(index, f"{what} for this AU and registration (cmi5 9.3.4, 9.3.5)")
    mastery = (_context(statement).get("extensions") or {}).get(EXT_MASTERY_SCORE)
    if (
        au.mastery_score is not None
        and "score" in result
        and (not isinstance(mastery, int | float) or float(mastery) != au.mastery_score)
    ):
        raise _refuse(
            index,
            f"{name} with a score MUST carry the masteryScore extension with the AU's "
            f"masteryScore {au.mastery_score} (cmi5 9.6.3.2-2)",
        )
    scaled = (result.get("score") or {}).get("scaled")
    if au.mastery_score is not None and isinstance(scaled, int | float):
        # cmi5 9.5.1: a reported score MUST be consistent with masteryScore.
        if expected and scaled < au.mastery_score:
            raise _refuse(index, "Passed with a scaled score below masteryScore (cmi5 9.5.1)")
        if not expected and scaled >= au.mastery_score:
            raise _refuse(index, "Failed with a scaled score at or above masteryScore (cmi5 9.5.1)")
    if expected:
        view.passed = True
