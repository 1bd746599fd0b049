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
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Select, Table, bindparam, select, update
from sqlalchemy.orm import Session

from learnloop.db import dialect_insert, dialect_name, in_json_list, json_list, utcnow
from learnloop.xapi.activity_models import XapiActivity
from learnloop.xapi.hooks import StoredStatement

LANGUAGE_MAP_PROPERTIES = ("name", "description")
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")
ACTIVITIES: Table = XapiActivity.__table__  # type: ignore[assignment]


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


def _add_activities(found: list[dict[str, Any]], statement: Mapping[str, Any]) -> None:
    """Append every Activity object of a statement to ``found``: its object, the context
    activities, and the same inside a SubStatement. (Parsed JSON: ``dict`` checks.)"""
    target = statement.get("object")
    if isinstance(target, dict):
        object_type = target.get("objectType", "Activity")
        if object_type == "Activity":
            if "id" in target:
                found.append(target)
        elif object_type == "SubStatement":
            _add_activities(found, target)
    context = statement.get("context")
    activities = context.get("contextActivities") if isinstance(context, dict) else None
    if isinstance(activities, dict):
        for kind in CONTEXT_ACTIVITY_KINDS:
            entries = activities.get(kind)
            if entries is None:
                continue
            for entry in entries if isinstance(entries, list) else (entries,):
                if isinstance(entry, dict) and "id" in entry:
                    found.append(entry)


def collect_definitions(statements: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Activity id → the definition merged over ``statements`` in order (ids without any
    definition are included with an empty one, so the activity becomes known)."""
    found: list[dict[str, Any]] = []
    for statement in statements:
        _add_activities(found, statement)
    collected: dict[str, dict[str, Any]] = {}
    for activity in found:
        activity_id = str(activity["id"])
        definition = activity.get("definition")
        current = collected.get(activity_id)
        if not isinstance(definition, dict) or not definition:
            if current is None:
                collected[activity_id] = {}
        elif not current:
            collected[activity_id] = dict(definition)  # what merging into {} gives
        elif definition != current:  # a repeat changes nothing: skip merging it
            collected[activity_id] = merge_definitions(current, definition)
    return collected


# Built once per dialect: building and compiling a query per batch costs more than running it.
@cache
def _last_merged_query(dialect: str) -> Select[str, str | None]:
    return select(ACTIVITIES.c.id_hash, ACTIVITIES.c.last_merged_hash).where(
        in_json_list(ACTIVITIES.c.id_hash, "keys", dialect)
    )


@cache
def _locked_definitions_query(dialect: str) -> Select[str, dict[str, Any], datetime]:
    # Locked in a fixed order so two batches touching the same activities cannot deadlock.
    return (
        select(ACTIVITIES.c.id_hash, ACTIVITIES.c.definition, ACTIVITIES.c.updated)
        .where(in_json_list(ACTIVITIES.c.id_hash, "keys", dialect))
        .order_by(ACTIVITIES.c.id_hash)
        .with_for_update()
    )


def definition_hash(definition: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(definition, option=orjson.OPT_SORT_KEYS)).hexdigest()


def record_definitions(session: Session, definitions: Mapping[str, Mapping[str, Any]]) -> None:
    """Fold ``definitions`` (activity id → definition) into the canonical ones.

    Most statements repeat the definition their activity had last time. Merging is
    idempotent, so each row keeps the hash of the definition merged in last, and only rows
    whose hash differs are locked, read and written; the others cost one short read.
    Skipping on a read without a lock is what a serial order would do too: re-merging the
    definition merged last changes nothing, before or after a concurrent merge.
    """
    if not definitions:
        return
    connection = session.connection()
    dialect = dialect_name(connection)
    ids_by_key = {activity_hash(activity_id): activity_id for activity_id in definitions}
    keys = sorted(ids_by_key)
    last_merged: dict[str, str | None] = {
        key: digest
        for key, digest in connection.execute(
            _last_merged_query(dialect), {"keys": json_list(keys)}
        )
    }
    now = utcnow()
    missing = [key for key in keys if key not in last_merged]
    if missing:
        # A concurrent transaction may create the same activity: do nothing on conflict
        # rather than fail and roll the statements back. Sorted keys: no deadlock between
        # two batches creating the same activities.
        connection.execute(
            dialect_insert(dialect, ACTIVITIES).on_conflict_do_nothing(),
            [
                {"id_hash": key, "activity_id": ids_by_key[key], "definition": {}, "updated": now}
                for key in missing
            ],
        )
    # An empty definition adds nothing (the activity is known now); neither does the one
    # merged in last.
    digests = {
        key: definition_hash(definition)
        for key in keys
        if (definition := definitions[ids_by_key[key]])
    }
    to_merge = [key for key, digest in digests.items() if last_merged.get(key) != digest]
    if not to_merge:
        return
    locked = connection.execute(_locked_definitions_query(dialect), {"keys": json_list(to_merge)})
    updates = []
    for key, current, updated in locked:
        merged = merge_definitions(current, definitions[ids_by_key[key]])
        # Remember the hash even when nothing changed, so the next repeat skips the row;
        # ``updated`` moves only with the definition.
        changed = merged != current
        updates.append(
            {
                "key": key,
                "merged": merged,
                "digest": digests[key],
                "at": now if changed else updated,
            }
        )
    if updates:
        connection.execute(
            update(ACTIVITIES)
            .where(ACTIVITIES.c.id_hash == bindparam("key"))
            .values(
                definition=bindparam("merged"),
                last_merged_hash=bindparam("digest"),
                updated=bindparam("at"),
            ),
            updates,
        )


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
