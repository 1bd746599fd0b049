"""Canonical Activity definitions (xAPI-Data 2.4.4.1.1, xAPI-Communication 2.5).

"The Activity Object must contain all available information about an activity from any
statements who target the same activityId" (ADL conformance, Communication 2.5): definitions
seen in stored statements are merged into one per activity id. Language maps and extensions
are merged key by key, a newer value winning; interaction components are merged by their
id; other properties (type, moreInfo, interactionType, correctResponsesPattern) take the
newest value.

:func:`record_statement_activities` is an on-stored subscriber (learnloop.xapi.hooks): it
runs in the statement's transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learnloop.db import utcnow
from learnloop.xapi.activity_models import XapiActivity
from learnloop.xapi.hooks import StoredStatement

LANGUAGE_MAP_PROPERTIES = ("name", "description")
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")


def activity_hash(activity_id: str) -> str:
    return hashlib.sha256(activity_id.encode("utf-8")).hexdigest()


def _merge_components(old: Any, new: Any) -> Any:
    if not isinstance(old, list) or not isinstance(new, list):
        return new
    by_id = {item.get("id"): item for item in old if isinstance(item, Mapping) and "id" in item}
    merged = []
    for item in new:
        previous = by_id.get(item.get("id")) if isinstance(item, Mapping) else None
        if isinstance(previous, Mapping) and isinstance(item, Mapping):
            description = {**previous.get("description", {}), **item.get("description", {})}
            merged_item = {**previous, **item}
            if description:
                merged_item["description"] = description
            merged.append(merged_item)
        else:
            merged.append(item)
    return merged


def merge_definitions(current: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in incoming.items():
        previous = merged.get(key)
        if key in (*LANGUAGE_MAP_PROPERTIES, "extensions") and isinstance(previous, Mapping):
            merged[key] = {**previous, **value} if isinstance(value, Mapping) else value
        elif key in COMPONENT_LISTS:
            merged[key] = _merge_components(previous, value)
        else:
            merged[key] = value
    return merged


def _activities_of(statement: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every Activity object in a statement: its object, the context activities, and the
    same inside a SubStatement."""
    target = statement.get("object")
    if isinstance(target, Mapping):
        object_type = target.get("objectType", "Activity")
        if object_type == "Activity" and "id" in target:
            yield target
        elif object_type == "SubStatement":
            yield from _activities_of(target)
    context = statement.get("context")
    activities = context.get("contextActivities") if isinstance(context, Mapping) else None
    if isinstance(activities, Mapping):
        for kind in CONTEXT_ACTIVITY_KINDS:
            entries = activities.get(kind)
            if isinstance(entries, Mapping):
                entries = [entries]
            if isinstance(entries, list):
                for entry in entries:
                    if isinstance(entry, Mapping) and "id" in entry:
                        yield entry


def collect_definitions(statements: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Activity id → the definition merged over ``statements`` in order (ids without any
    definition are included with an empty one, so the activity becomes known)."""
    collected: dict[str, dict[str, Any]] = {}
    for statement in statements:
        for activity in _activities_of(statement):
            activity_id = str(activity["id"])
            definition = activity.get("definition")
            current = collected.setdefault(activity_id, {})
            if isinstance(definition, Mapping):
                collected[activity_id] = merge_definitions(current, definition)
    return collected


def record_definitions(session: Session, definitions: Mapping[str, Mapping[str, Any]]) -> None:
    if not definitions:
        return
    now = utcnow()
    hashes = {activity_hash(activity_id): activity_id for activity_id in definitions}
    rows = [
        {"id_hash": key, "activity_id": activity_id, "definition": {}, "updated": now}
        for key, activity_id in sorted(hashes.items())
    ]
    # Create missing rows first without conflicting with a concurrent transaction that
    # creates the same activity: a failure here would roll the statements back.
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # executemany of one cached statement: a multi-row VALUES would be compiled anew for
    # every batch, which costs more than the insert itself.
    session.connection().execute(insert(XapiActivity).on_conflict_do_nothing(), rows)
    # Lock in a fixed order so two batches touching the same activities cannot deadlock.
    existing = session.scalars(
        select(XapiActivity)
        .where(XapiActivity.id_hash.in_(sorted(hashes)))
        .order_by(XapiActivity.id_hash)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for row in existing:
        incoming = definitions[row.activity_id]
        merged = merge_definitions(row.definition, incoming)
        # Most statements repeat a definition the LRS already has: write only changes.
        if merged != row.definition:
            row.definition = merged
            row.updated = now
    session.flush()


def record_statement_activities(session: Session, stored: Sequence[StoredStatement]) -> None:
    """On-stored subscriber: fold the batch's activity definitions into the canonical ones."""
    record_definitions(session, collect_definitions([item.statement for item in stored]))


def canonical_activity(session: Session, activity_id: str) -> dict[str, Any]:
    """The Activity object to return for ``activity_id``; with no definition known, still an
    Activity object (Communication 2.5: "SHOULD* still return an Activity Object")."""
    row = session.get(XapiActivity, activity_hash(activity_id))
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if row is not None and row.definition:
        activity["definition"] = row.definition
    return activity
