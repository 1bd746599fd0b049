"""Assignment and Grade Services 2.0: a learner's score goes to the line item of the
resource link they launched.

* At launch, a learner's resource-link launch that carries the AGS endpoint claim with a
  ``lineitem`` and the score scope binds (learner, content) to that line item.
* When an answered (about the content itself), completed, passed or failed statement with
  a score about that content is stored,
  the on-stored subscriber writes a job row in the statement's transaction.
* The job posts the score (AGS §3.4: ``scoreGiven``, ``scoreMaximum``, ``activityProgress``,
  ``gradingProgress``, ``timestamp``, ``userId``); a failure raises and the worker retries
  with backoff. With the "best" policy a lower score than one already posted is not sent;
  with "last" every scored attempt is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics.activities import content_activity
from learnloop.analytics.learners import LearnerResolver
from learnloop.db import utcnow
from learnloop.jobs.queue import enqueue
from learnloop.jobs.worker import JobContext, JobRegistry
from learnloop.lti import platforms
from learnloop.lti.launch import ValidLaunch
from learnloop.lti.models import LtiGradeBinding
from learnloop.lti.service_tokens import ServiceCallFailed, access_token
from learnloop.lti.vocabulary import AGS_ENDPOINT, AGS_SCORE_SCOPE
from learnloop.xapi.hooks import StoredStatement

POST_SCORE_JOB = "lti.post_score"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
XAPI_VERBS = "http://adlnet.gov/expapi/verbs/"
# A single-question H5P content (True/False, Multiple Choice, …) finishes an attempt with
# "answered" about the content itself; compound content ends with "completed". Answers
# about a sub-question (``?subContentId=``) are never sent.
SCORED_VERBS = frozenset(
    {
        XAPI_VERBS + "answered",
        XAPI_VERBS + "completed",
        XAPI_VERBS + "passed",
        XAPI_VERBS + "failed",
    }
)
MAX_CONTENT_ID = 100


def bind_line_item(session: Session, launch: ValidLaunch, user_id: str, content_id: str) -> None:
    endpoint = launch.claims.get(AGS_ENDPOINT)
    if not isinstance(endpoint, dict):
        return
    lineitem = endpoint.get("lineitem")
    scopes = endpoint.get("scope")
    if not isinstance(lineitem, str) or not isinstance(scopes, list):
        return
    if AGS_SCORE_SCOPE not in scopes or urlsplit(lineitem).scheme not in ("http", "https"):
        return
    if len(content_id) > MAX_CONTENT_ID:
        return
    binding = session.scalar(
        select(LtiGradeBinding).where(
            LtiGradeBinding.user_id == user_id, LtiGradeBinding.lineitem_url == lineitem
        )
    )
    if binding is None:
        session.add(
            LtiGradeBinding(
                platform_id=launch.platform.id,
                user_id=user_id,
                content_id=content_id,
                lineitem_url=lineitem,
                platform_user_id=launch.subject,
            )
        )
        session.flush()


def _score(statement: Mapping[str, Any]) -> tuple[float, float] | None:
    """(given, maximum) from result.score: raw and max when both are there, else scaled."""
    result = statement.get("result")
    score = result.get("score") if isinstance(result, Mapping) else None
    if not isinstance(score, Mapping):
        return None
    raw, maximum, scaled = score.get("raw"), score.get("max"), score.get("scaled")
    numbers = (int, float)
    if isinstance(raw, numbers) and isinstance(maximum, numbers) and maximum > 0:
        return float(max(raw, 0)), float(maximum)
    if isinstance(scaled, numbers):
        return max(float(scaled), 0.0) * 100.0, 100.0
    return None


class GradePassback:
    """The on-stored subscriber: one job per scored statement with a line item to go to."""

    def __init__(self, base_url: str) -> None:
        self.resolver = LearnerResolver(base_url)

    def __call__(self, session: Session, stored: Sequence[StoredStatement]) -> None:
        candidates: list[tuple[StoredStatement, str, tuple[float, float]]] = []
        for item in stored:
            if item.verb_id not in SCORED_VERBS or item.object_activity_id is None:
                continue
            activity = content_activity(item.object_activity_id)
            score = _score(item.statement)
            if activity is None or activity.question_id is not None or score is None:
                continue
            candidates.append((item, activity.content_id, score))
        if not candidates:
            return
        content_ids = {content_id for _, content_id, _ in candidates}
        bindings = list(
            session.scalars(
                select(LtiGradeBinding).where(LtiGradeBinding.content_id.in_(content_ids))
            )
        )
        if not bindings:
            return
        learners = self.resolver.resolve(
            session, [item.statement["actor"] for item, _, _ in candidates]
        )
        for (item, content_id, (given, maximum)), learner_id in zip(
            candidates, learners, strict=True
        ):
            for binding in bindings:
                if binding.user_id == learner_id and binding.content_id == content_id:
                    enqueue(
                        session,
                        POST_SCORE_JOB,
                        {
                            "binding": binding.id,
                            "statement": item.statement_id,
                            "given": given,
                            "maximum": maximum,
                            "timestamp": str(item.statement.get("timestamp") or ""),
                        },
                    )


def scores_url(lineitem_url: str) -> str:
    # AGS §3.4: the score service is the line item URL with /scores added to its path.
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def post_score(
    session: Session, http: httpx.Client, policy: str, payload: Mapping[str, Any]
) -> None:
    binding = session.get(LtiGradeBinding, str(payload["binding"]))
    if binding is None:
        return  # the platform (and its bindings) was removed meanwhile
    given, maximum = float(payload["given"]), float(payload["maximum"])
    fraction = given / maximum
    if policy == "best" and binding.best_posted is not None and fraction < binding.best_posted:
        return
    platform = platforms.get_platform(session, binding.platform_id)
    token = access_token(session, http, platform, [AGS_SCORE_SCOPE])
    response = http.post(
        scores_url(binding.lineitem_url),
        json={
            "userId": binding.platform_user_id,
            "scoreGiven": given,
            "scoreMaximum": maximum,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": payload.get("timestamp") or utcnow().isoformat(),
        },
        headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE},
    )
    if response.status_code not in (200, 201, 202, 204):
        raise ServiceCallFailed(f"score service answered {response.status_code}")
    if binding.best_posted is None or fraction > binding.best_posted:
        binding.best_posted = fraction
    session.flush()


def register_grade_jobs(registry: JobRegistry, http: httpx.Client) -> None:
    def run(context: JobContext, payload: dict[str, Any]) -> None:
        post_score(context.session, http, context.settings.lti_grade_policy, payload)

    registry.register(POST_SCORE_JOB, run)
