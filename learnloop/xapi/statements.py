"""Storing statements: validate a batch, set the LRS properties, insert it in bulk, void,
and publish it to the on-stored hooks, all inside the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import cast as type_cast

import orjson
from sqlalchemy import Table, Text, bindparam, cast, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from learnloop.db import utcnow
from learnloop.xapi.agents import agent_key
from learnloop.xapi.callers import XapiCaller
from learnloop.xapi.errors import (
    BatchTooLarge,
    InsufficientScope,
    InvalidStatement,
    StatementConflict,
)
from learnloop.xapi.hooks import StatementBatch, StatementHooks, StoredStatement
from learnloop.xapi.models import StatementActivity, StatementAgent, StatementRow
from learnloop.xapi.statement_shapes import (
    format_timestamp,
    index_entries,
    normalise_context_activities,
    same_statement,
    truncate_to_milliseconds,
)
from learnloop.xapi.validation import VOIDED_VERB, validate_batch
from learnloop.xapi.validation_primitives import parse_timestamp
from learnloop.xapi.versions import XapiVersion


@dataclass(frozen=True)
class StoreLimits:
    max_statements: int


@dataclass
class _Prepared:
    statement_id: str  # lowercased: the key the index and duplicate checks use
    document: dict[str, Any]
    received: dict[str, Any]


def store_statements(
    session: Session,
    payload: Sequence[Any],
    *,
    caller: XapiCaller,
    version: XapiVersion,
    hooks: StatementHooks,
    limits: StoreLimits,
) -> list[str]:
    """Store a batch atomically; return the statement ids in request order.

    A statement whose id is already stored with the same content is acknowledged and not
    stored again; with different content the batch is refused with 409
    (xAPI-Communication 2.1.1 / 2.1.2).
    """
    if not payload:
        raise InvalidStatement("statement: the request holds no statement")
    if len(payload) > limits.max_statements:
        raise BatchTooLarge(
            f"A batch may hold at most {limits.max_statements} statements, "
            f"this one has {len(payload)}"
        )
    statements = validate_batch(payload, version)
    caller.require_write()
    stored_at = truncate_to_milliseconds(utcnow())
    prepared = [_prepare(statement, caller, version, stored_at) for statement in statements]
    _check_attachments_have_urls(prepared)
    if caller.is_learner:
        _check_own_actor(prepared, caller)

    existing = _existing_documents(session, [p.statement_id for p in prepared])
    fresh: list[_Prepared] = []
    for index, item in enumerate(prepared):
        known = existing.get(item.statement_id)
        if known is None:
            fresh.append(item)
        elif not same_statement(known, item.received):
            raise StatementConflict(
                f"statement[{index}]: a different statement with id {item.statement_id} "
                "is already stored; statements are immutable (xAPI-Data 2.3.1)"
            )
    if not fresh:
        return [str(p.document["id"]) for p in prepared]

    targets = _check_voiding(session, fresh, caller)
    hooks.run_checks(
        session,
        StatementBatch(
            statements=[p.document for p in fresh],
            authority=caller.authority,
            user_id=caller.user_id,
        ),
    )
    stored = _insert(session, fresh, stored_at)
    _apply_voiding(session, targets, [p.statement_id for p in fresh])
    hooks.publish_stored(session, stored)
    return [str(p.document["id"]) for p in prepared]


def _prepare(
    statement: dict[str, Any], caller: XapiCaller, version: XapiVersion, stored_at: datetime
) -> _Prepared:
    received = statement
    document = dict(statement)
    statement_id = str(document.get("id") or uuid.uuid4())
    document["id"] = statement_id
    normalise_context_activities(document)
    document["stored"] = format_timestamp(stored_at)  # xAPI-Data 2.4.8: always overwritten
    if "timestamp" not in document:
        document["timestamp"] = document["stored"]  # xAPI-Data 2.4.7
    # xAPI-Data 2.4.9: the authority is set from the credentials, overwriting any sent.
    document["authority"] = caller.authority
    if "version" not in document:
        # xAPI-Data 2.4.10: "If they lack a version, the version MUST be set to 1.0.0".
        document["version"] = "2.0.0" if version.is_2 else "1.0.0"
    return _Prepared(statement_id=statement_id.lower(), document=document, received=received)


def _check_attachments_have_urls(prepared: list[_Prepared]) -> None:
    for index, item in enumerate(prepared):
        for attachment in item.document.get("attachments") or []:
            if "fileUrl" not in attachment:
                raise InvalidStatement(
                    f"statement[{index}].attachments: an attachment without fileUrl needs its "
                    "data sent as multipart/mixed (xAPI-Communication 1.5.2), which this LRS "
                    "does not accept yet; send a fileUrl"
                )


def _check_own_actor(prepared: list[_Prepared], caller: XapiCaller) -> None:
    for index, item in enumerate(prepared):
        if agent_key(item.document["actor"]) not in caller.own_actor_keys:
            raise InsufficientScope(
                f"statement[{index}].actor: a learner may only send statements about themselves"
            )


def _existing_documents(session: Session, ids: list[str]) -> dict[str, dict[str, Any]]:
    rows = session.execute(
        select(StatementRow.statement_id, _json_text()).where(StatementRow.statement_id.in_(ids))
    )
    return {statement_id: orjson.loads(text) for statement_id, text in rows}


def _json_text() -> Any:
    return cast(StatementRow.statement, Text).label("statement_json")


def _check_voiding(session: Session, fresh: list[_Prepared], caller: XapiCaller) -> list[str]:
    """The ids the batch voids. xAPI-Data 2.3.2: a voiding statement cannot be voided."""
    targets: list[str] = []
    batch_verbs = {p.statement_id: p.document["verb"]["id"] for p in fresh}
    for index, item in enumerate(fresh):
        if item.document["verb"]["id"] != VOIDED_VERB:
            continue
        target = str(item.document["object"]["id"]).lower()
        if batch_verbs.get(target) == VOIDED_VERB:
            raise InvalidStatement(
                f"statement[{index}].object: {target} is a voiding statement, which cannot "
                "be voided (xAPI-Data 2.3.2)"
            )
        targets.append(target)
    if not targets:
        return targets
    known = session.execute(
        select(StatementRow.statement_id, StatementRow.verb_id, StatementRow.actor_key).where(
            StatementRow.statement_id.in_(targets)
        )
    ).all()
    for statement_id, verb_id, actor in known:
        if verb_id == VOIDED_VERB:
            raise InvalidStatement(
                f"statement: {statement_id} is a voiding statement, which cannot be voided "
                "(xAPI-Data 2.3.2)"
            )
        # xAPI-Data 2.3.2: refuse (403) a void from a source not authorised to void it.
        if caller.is_learner and actor not in caller.own_actor_keys:
            raise InsufficientScope(f"statement: you may not void statement {statement_id}")
    return targets


def _row_values(item: _Prepared, stored_at: datetime) -> dict[str, Any]:
    document = item.document
    actor = document["actor"]
    obj = document["object"]
    object_type = obj.get("objectType", "Activity")
    context = document.get("context") or {}
    account = actor.get("account") if isinstance(actor.get("account"), dict) else None
    timestamp = parse_timestamp(document["timestamp"]) or stored_at
    return {
        "statement_id": item.statement_id,
        "actor_key": agent_key(actor),
        "actor_account_name": account.get("name") if account else None,
        "verb_id": document["verb"]["id"],
        "object_type": object_type,
        "object_activity_id": obj["id"] if object_type == "Activity" else None,
        "object_statement_ref": str(obj["id"]).lower() if object_type == "StatementRef" else None,
        "registration": str(context["registration"]).lower() if "registration" in context else None,
        "timestamp": timestamp,
        "stored": stored_at,
        "authority_key": agent_key(document["authority"]),
        "voided": False,
        "version": document["version"],
        "statement_json": orjson.dumps(document).decode(),
    }


def _insert(session: Session, fresh: list[_Prepared], stored_at: datetime) -> list[StoredStatement]:
    """One multi-row INSERT for the statements (RETURNING their seq), one per side table."""
    table = type_cast(Table, StatementRow.__table__)
    is_postgresql = session.get_bind().dialect.name == "postgresql"
    # Serialised once with orjson; PostgreSQL casts the text to JSONB, SQLite keeps the text.
    json_value = (
        cast(bindparam("statement_json", type_=Text), JSONB)
        if is_postgresql
        else bindparam("statement_json", type_=Text)
    )
    rows = [_row_values(item, stored_at) for item in fresh]
    statement = (
        insert(table)
        .values(statement=json_value)
        .returning(table.c.seq, table.c.statement_id, sort_by_parameter_order=True)
    )
    returned = session.execute(statement, rows).all()
    seq_by_id = {statement_id: seq for seq, statement_id in returned}

    agent_rows: list[dict[str, Any]] = []
    activity_rows: list[dict[str, Any]] = []
    stored: list[StoredStatement] = []
    for item, row in zip(fresh, rows, strict=True):
        seq = seq_by_id[item.statement_id]
        agents, activities = index_entries(item.document)
        # A key both direct and related is stored once per flag: both filters find it.
        agent_rows.extend(
            {"statement_seq": seq, "agent_key": key, "direct": direct} for key, direct in agents
        )
        activity_rows.extend({"statement_seq": seq, "activity_id": a} for a in activities)
        stored.append(
            StoredStatement(
                statement_id=str(item.document["id"]),
                seq=seq,
                statement=item.document,
                actor_key=row["actor_key"],
                verb_id=row["verb_id"],
                object_activity_id=row["object_activity_id"],
                registration=row["registration"],
                authority_key=row["authority_key"],
            )
        )
    if agent_rows:
        session.execute(insert(type_cast(Table, StatementAgent.__table__)), agent_rows)
    if activity_rows:
        session.execute(insert(type_cast(Table, StatementActivity.__table__)), activity_rows)
    return stored


def _apply_voiding(session: Session, targets: list[str], fresh_ids: list[str]) -> None:
    """Mark voided statements (xAPI-Data 2.3.2): targets of the new voiding statements, and
    new statements that an earlier voiding statement already targets."""
    already_targeted = list(
        session.scalars(
            select(StatementRow.object_statement_ref).where(
                StatementRow.verb_id == VOIDED_VERB,
                StatementRow.object_statement_ref.in_(fresh_ids),
            )
        )
    )
    to_void = set(targets) | {t for t in already_targeted if t is not None}
    if to_void:
        session.execute(
            update(StatementRow)
            .where(StatementRow.statement_id.in_(to_void), StatementRow.verb_id != VOIDED_VERB)
            .values(voided=True)
        )
