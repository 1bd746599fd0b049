"""The Track API: a partner's ``started`` / ``in_progress`` / ``completed`` events,
stored as xAPI statements through the LRS's own path so progress and analytics see them.

Mapping (docs/partners.md "Track API → xAPI"):

=============== ============================================ ==========================
status          verb                                         result
=============== ============================================ ==========================
started         http://adlnet.gov/expapi/verbs/attempted     progress extension
in_progress     http://adlnet.gov/expapi/verbs/progressed    progress extension
completed       http://adlnet.gov/expapi/verbs/completed     ``completion: true``
=============== ============================================ ==========================

``completion_percentage`` goes into the cmi5 progress extension (an integer 0-100, cmi5
9.6.2.4 ``https://w3id.org/xapi/cmi5/result/extensions/progress``), ``duration_spent``
into ``result.duration`` (ISO 8601, xAPI-Data 4.6), ``event_date`` into ``timestamp``.
A non-completion event carries no ``result.completion`` at all, so an event that arrives
after the completion never reads as "not completed".
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import quote

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learnloop.auth.models import Role, User
from learnloop.auth.users import create_user
from learnloop.db import dialect_insert, dialect_name, new_uuid, utcnow
from learnloop.partners.errors import (
    DuplicateTrackEvent,
    TrackFieldError,
    TrackUserUnknown,
)
from learnloop.partners.ingest import PartnerIngest
from learnloop.partners.models import (
    UNKNOWN_USER_CREATE,
    PartnerCatalogItem,
    PartnerProgress,
    PartnerTrackEvent,
    PartnerUserLink,
)
from learnloop.partners.oauth import PartnerCaller
from learnloop.xapi.callers import user_identities

STATUS_VERBS = {
    "started": ("http://adlnet.gov/expapi/verbs/attempted", "attempted"),
    "in_progress": ("http://adlnet.gov/expapi/verbs/progressed", "progressed"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
}
STATUS_RANK = {"started": 0, "in_progress": 1, "completed": 2}
PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
TRACK_NAMESPACE = uuid.UUID("6f1b8a52-3b53-4f0e-9a55-2a4b1d0c7e11")
MAX_CONTENT_ID_LENGTH = 500
MAX_USER_LENGTH = 320
MAX_TITLE_LENGTH = 500
MAX_DURATION_SECONDS = 10 * 365 * 24 * 3600
CATALOG_TABLE: Table = cast(Table, PartnerCatalogItem.__table__)
PROGRESS_TABLE: Table = cast(Table, PartnerProgress.__table__)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class TrackEvent:
    content_id: str
    user: str
    status: str
    event_date: datetime
    completion_percentage: int
    duration_spent: int | None
    title: str | None


@dataclass(frozen=True)
class TrackOutcome:
    statement_id: str
    user_id: str
    progress: PartnerProgress
    catalog_item: PartnerCatalogItem


def _text(body: dict[str, Any], field: str, max_length: int, *, required: bool) -> str | None:
    value = body.get(field)
    if value is None:
        if required:
            raise TrackFieldError(field, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise TrackFieldError(field, "must be a non-empty string")
    if len(value) > max_length:
        raise TrackFieldError(field, f"must be at most {max_length} characters")
    if "\x00" in value:
        raise TrackFieldError(field, "must not contain NUL characters")
    return value.strip()


def _number(body: dict[str, Any], field: str, low: int, high: int) -> int | None:
    value = body.get(field)
    if value is None:
        return None
    # bool is an int in Python, not a number in JSON.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TrackFieldError(field, "must be a number")
    if value != value or not low <= value <= high:
        raise TrackFieldError(field, f"must be between {low} and {high}")
    return round(value)


def parse_event_date(value: Any) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise TrackFieldError("event_date", "is required as an ISO 8601 UTC timestamp")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise TrackFieldError("event_date", f"{value!r} is not an ISO 8601 timestamp") from exc
    if parsed.tzinfo is None:
        raise TrackFieldError("event_date", "needs a time zone (e.g. 'Z' for UTC)")
    return parsed.astimezone(UTC)


def parse_track_event(body: Any) -> TrackEvent:
    if not isinstance(body, dict):
        raise TrackFieldError("body", "must be a JSON object")
    content_id = _text(body, "content_id", MAX_CONTENT_ID_LENGTH, required=True)
    user = _text(body, "user", MAX_USER_LENGTH, required=True)
    status = body.get("status")
    if status not in STATUS_VERBS:
        raise TrackFieldError("status", "must be one of started, in_progress, completed")
    event_date = parse_event_date(body.get("event_date"))
    percentage = _number(body, "completion_percentage", 0, 100)
    if percentage is None:
        percentage = 100 if status == "completed" else 0
    duration = _number(body, "duration_spent", 0, MAX_DURATION_SECONDS)
    title = _text(body, "title", MAX_TITLE_LENGTH, required=False)
    assert content_id is not None and user is not None  # required above
    return TrackEvent(
        content_id=content_id,
        user=user,
        status=str(status),
        event_date=event_date,
        completion_percentage=percentage,
        duration_spent=duration,
        title=title,
    )


def resolve_user(session: Session, caller: PartnerCaller, user: str) -> User:
    """The partner's own id for the user (a link), a LearnLoop user UUID, or an email; an
    unknown one is created when the partner allows it (then linked when not an email)."""
    found = _find_user(session, caller, user)
    if found is not None:
        return found
    if caller.unknown_users != UNKNOWN_USER_CREATE:
        raise TrackUserUnknown(f"user: no LearnLoop user is known as {user!r}")
    try:
        with session.begin_nested():
            return _create_user(session, caller, user)
    except IntegrityError:
        # Another request created the same user at the same moment (the email is
        # unique, also the placeholder one): theirs is committed now.
        found = _find_user(session, caller, user)
        if found is None:
            raise
        return found


def _find_user(session: Session, caller: PartnerCaller, user: str) -> User | None:
    linked = session.scalar(
        select(User)
        .join(PartnerUserLink, PartnerUserLink.user_id == User.id)
        .where(
            PartnerUserLink.partner_id == caller.partner_id,
            PartnerUserLink.external_user_id == user,
        )
    )
    if linked is not None:
        return linked
    lowered = user.lower()
    if _UUID.match(lowered):
        by_id = session.get(User, lowered)
        if by_id is not None:
            return by_id
    is_email = bool(_EMAIL.match(user))
    if is_email:
        by_email = session.scalar(select(User).where(User.email == lowered))
        if by_email is not None:
            return by_email
    return None


def _create_user(session: Session, caller: PartnerCaller, user: str) -> User:
    lowered = user.lower()
    is_email = bool(_EMAIL.match(user))
    if is_email:
        email, name = lowered, user
    else:
        # A placeholder address in a reserved domain (RFC 2606): the account is reached
        # through the partner link, never by mail.
        email = f"{uuid.uuid5(TRACK_NAMESPACE, user).hex}@{caller.partner_name}.partner.invalid"
        name = f"{user} ({caller.partner_display_name})"
    created = create_user(session, email=email, display_name=name, role=Role.LEARNER, password=None)
    if not is_email:
        session.add(
            PartnerUserLink(partner_id=caller.partner_id, external_user_id=user, user_id=created.id)
        )
        session.flush()
    return created


def catalog_activity_id(base_url: str, partner_name: str, content_id: str) -> str:
    return f"{base_url.rstrip('/')}/v1/partners/{partner_name}/content/{quote(content_id, safe='')}"


def catalog_item_for(
    session: Session, caller: PartnerCaller, base_url: str, content_id: str, title: str | None
) -> PartnerCatalogItem:
    # INSERT … ON CONFLICT DO NOTHING: two first events for one content at the same moment
    # both find the item instead of one failing on the unique key.
    session.execute(
        dialect_insert(dialect_name(session), CATALOG_TABLE)
        .values(
            id=new_uuid(),
            partner_id=caller.partner_id,
            content_id=content_id,
            title=title or content_id,
            activity_id=catalog_activity_id(base_url, caller.partner_name, content_id),
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["partner_id", "content_id"])
    )
    item = session.scalars(
        select(PartnerCatalogItem)
        .where(
            PartnerCatalogItem.partner_id == caller.partner_id,
            PartnerCatalogItem.content_id == content_id,
        )
        .execution_options(populate_existing=True)
    ).one()
    if title and item.title == item.content_id:
        # The title of the first event that names one.
        item.title = title
        session.flush()
    return item


def register_catalog_item(
    session: Session, caller: PartnerCaller, base_url: str, body: Any
) -> tuple[PartnerCatalogItem, bool]:
    """The optional catalog call: a partner names its content before (or after) events
    arrive. Returns the item and whether it is new; a known item takes the new title."""
    caller.require("track:write")
    if not isinstance(body, dict):
        raise TrackFieldError("body", "must be a JSON object")
    content_id = _text(body, "content_id", MAX_CONTENT_ID_LENGTH, required=True)
    title = _text(body, "title", MAX_TITLE_LENGTH, required=True)
    assert content_id is not None and title is not None  # required above
    existing = session.scalar(
        select(PartnerCatalogItem.id).where(
            PartnerCatalogItem.partner_id == caller.partner_id,
            PartnerCatalogItem.content_id == content_id,
        )
    )
    item = catalog_item_for(session, caller, base_url, content_id, title)
    item.title = title
    session.flush()
    return item, existing is None


def _format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def track_statement(
    event: TrackEvent,
    statement_id: str,
    actor: dict[str, Any],
    item: PartnerCatalogItem,
    caller: PartnerCaller,
    base_url: str,
) -> dict[str, Any]:
    verb_id, verb_display = STATUS_VERBS[event.status]
    result: dict[str, Any] = {
        "extensions": {PROGRESS_EXTENSION: event.completion_percentage},
    }
    if event.status == "completed":
        result["completion"] = True
    if event.duration_spent is not None:
        result["duration"] = f"PT{event.duration_spent}S"
    extensions: dict[str, Any] = {
        f"{base_url.rstrip('/')}/v1/partners/extensions/content-id": event.content_id,
    }
    if caller.org_id is not None:
        extensions[f"{base_url.rstrip('/')}/v1/partners/extensions/organization"] = caller.org_id
    return {
        "id": statement_id,
        "actor": actor,
        "verb": {"id": verb_id, "display": {"en-US": verb_display}},
        "object": {
            "objectType": "Activity",
            "id": item.activity_id,
            "definition": {"name": {"und": item.title}, "type": COURSE_TYPE},
        },
        "result": result,
        "context": {"platform": caller.partner_display_name, "extensions": extensions},
        "timestamp": _format_timestamp(event.event_date),
    }


def _update_progress(
    session: Session, caller: PartnerCaller, user_id: str, event: TrackEvent
) -> PartnerProgress:
    dialect = dialect_name(session)
    session.execute(
        dialect_insert(dialect, PROGRESS_TABLE)
        .values(
            partner_id=caller.partner_id,
            content_id=event.content_id,
            user_id=user_id,
            status=event.status,
            completion_percentage=event.completion_percentage,
            duration_seconds=event.duration_spent or 0,
            completed_at=event.event_date if event.status == "completed" else None,
            last_event_date=event.event_date,
        )
        .on_conflict_do_nothing(index_elements=["partner_id", "content_id", "user_id"])
    )
    query = (
        select(PartnerProgress)
        .where(
            PartnerProgress.partner_id == caller.partner_id,
            PartnerProgress.content_id == event.content_id,
            PartnerProgress.user_id == user_id,
        )
        .execution_options(populate_existing=True)
    )
    if dialect == "postgresql":
        # Concurrent events of one learner on one content update the row one at a time,
        # so no maximum is lost.
        query = query.with_for_update()
    progress = session.scalars(query).one()
    # Events may arrive out of order: the standing only moves forward. (For a new row
    # these are no-ops.)
    if STATUS_RANK[event.status] > STATUS_RANK[progress.status]:
        progress.status = event.status
    if event.status == "completed" and (
        progress.completed_at is None or event.event_date < progress.completed_at
    ):
        progress.completed_at = event.event_date
    progress.completion_percentage = max(
        progress.completion_percentage, event.completion_percentage
    )
    progress.duration_seconds = max(progress.duration_seconds, event.duration_spent or 0)
    progress.last_event_date = max(progress.last_event_date, event.event_date)
    session.flush()
    return progress


def record_track_event(
    session: Session, caller: PartnerCaller, ingest: PartnerIngest, event: TrackEvent
) -> TrackOutcome:
    caller.require("track:write")
    user = resolve_user(session, caller, event.user)
    duplicate = session.scalar(
        select(PartnerTrackEvent.id).where(
            PartnerTrackEvent.partner_id == caller.partner_id,
            PartnerTrackEvent.content_id == event.content_id,
            PartnerTrackEvent.user_id == user.id,
            PartnerTrackEvent.status == event.status,
            PartnerTrackEvent.event_date == event.event_date,
        )
    )
    if duplicate is not None:
        raise DuplicateTrackEvent(
            "This event (partner, content_id, user, status, event_date) was already recorded"
        )
    statement_id = str(
        uuid.uuid5(
            TRACK_NAMESPACE,
            f"{caller.partner_id}|{event.content_id}|{user.id}|{event.status}|"
            f"{event.event_date.isoformat()}",
        )
    )
    try:
        with session.begin_nested():
            session.add(
                PartnerTrackEvent(
                    partner_id=caller.partner_id,
                    organization_id=caller.organization_id,
                    content_id=event.content_id,
                    user_id=user.id,
                    status=event.status,
                    event_date=event.event_date,
                    statement_id=statement_id,
                )
            )
            session.flush()
    except IntegrityError as exc:
        # The same event sent twice at the same moment.
        raise DuplicateTrackEvent("This event was already recorded") from exc
    item = catalog_item_for(session, caller, ingest.base_url, event.content_id, event.title)
    actor, _ = user_identities(user, ingest.base_url)
    statement = track_statement(event, statement_id, actor, item, caller, ingest.base_url)
    ingest.store(session, caller, [statement])
    progress = _update_progress(session, caller, user.id, event)
    return TrackOutcome(
        statement_id=statement_id, user_id=user.id, progress=progress, catalog_item=item
    )
