"""Names and Role Provisioning Services 2.0: the context's roster into its class.

An instructor's launch from a context whose platform offers the membership service
queues a sync job. The job reads every page of the membership container (NRPS 2.0 §2.2,
pages linked by ``Link: rel="next"`` §2.4.2, followed only on the same origin as the
service URL), creates the accounts of members not seen yet, and adds the active learners
to the class, so the gradebook lists learners who have not launched anything yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session

from learnloop.analytics import classes
from learnloop.analytics.models import LearnerClass
from learnloop.auth.models import Role
from learnloop.jobs.queue import enqueue
from learnloop.jobs.worker import JobContext, JobRegistry
from learnloop.lti import platforms
from learnloop.lti.accounts import is_instructor, linked_user
from learnloop.lti.models import LtiContextClass
from learnloop.lti.service_tokens import ServiceCallFailed, access_token
from learnloop.lti.vocabulary import NRPS_SCOPE

ROSTER_SYNC_JOB = "lti.sync_roster"
MEMBERSHIP_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 100
MAX_SUBJECT_LENGTH = 255


def request_sync(session: Session, context_class: LtiContextClass) -> None:
    if context_class.memberships_url is not None:
        enqueue(session, ROSTER_SYNC_JOB, {"context_class": context_class.id})


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _active_learner_ids(session: Session, platform_id: str, members: list[Any]) -> list[str]:
    learner_ids: list[str] = []
    for member in members:
        if not isinstance(member, Mapping) or member.get("status", "Active") != "Active":
            continue
        subject = member.get("user_id")
        roles = member.get("roles")
        if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT_LENGTH:
            continue
        if not isinstance(roles, list) or is_instructor([str(role) for role in roles]):
            continue
        name = member.get("name")
        display_name = name if isinstance(name, str) and name.strip() else subject
        user = linked_user(session, platform_id, subject, display_name, [str(r) for r in roles])
        if user.role == Role.LEARNER.value and user.is_active:
            learner_ids.append(user.id)
    return learner_ids


def sync_roster(session: Session, http: httpx.Client, payload: Mapping[str, Any]) -> int:
    """Read the roster and add its learners; returns how many were added."""
    link = session.get(LtiContextClass, str(payload["context_class"]))
    if link is None or link.memberships_url is None:
        return 0
    platform = platforms.get_platform(session, link.platform_id)
    token = access_token(session, http, platform, [NRPS_SCOPE])
    origin = _origin(link.memberships_url)
    url: str | None = link.memberships_url
    learner_ids: list[str] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        response = http.get(
            url, headers={"Authorization": f"Bearer {token}", "Accept": MEMBERSHIP_MEDIA_TYPE}
        )
        if response.status_code != 200:
            raise ServiceCallFailed(f"membership service answered {response.status_code}")
        body = response.json()
        members = body.get("members") if isinstance(body, Mapping) else None
        learner_ids.extend(
            _active_learner_ids(session, platform.id, members if isinstance(members, list) else [])
        )
        following = response.links.get("next", {}).get("url")
        url = following if following and _origin(following) == origin else None
    learner_class = session.get(LearnerClass, link.class_id)
    if learner_class is None:
        return 0
    return len(classes.add_members(session, learner_class, learner_ids, []).added)


def register_roster_jobs(registry: JobRegistry, http: httpx.Client) -> None:
    def run(context: JobContext, payload: dict[str, Any]) -> None:
        sync_roster(context.session, http, payload)

    registry.register(ROSTER_SYNC_JOB, run)
