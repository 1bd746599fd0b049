"""Storing statements: validate a batch, set the LRS properties, insert it in bulk, void,
and publish it to the on-stored hooks, all inside the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Select, Text, and_, cast, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learnloop.db import dialect_name, in_json_list, json_list, utcnow
from learnloop.xapi.agents import agent_key
from learnloop.xapi.callers import XapiCaller
from learnloop.xapi.errors import (
    BatchTooLarge,
    InsufficientScope,
    InvalidStatement,
    StatementConflict,
)
from learnloop.xapi.hooks import StatementBatch, StatementHooks, StoredStatement
from learnloop.xapi.models import StatementRow
from learnloop.xapi.statement_shapes import (
    format_timestamp,
    index_entries,
    normalise_context_activities,
    same_statement,
    truncate_to_milliseconds,
)
from learnloop.xapi.statement_writes import write_statement_rows
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
    accept_received: Callable[[Sequence[dict[str, Any]]], None] | None = None,
) -> list[str]:
    """Store a batch atomically; return the statement ids in request order.

    ``accept_received`` sees the validated statements as received, before anything is
    written (attachment data and signatures, statement_attachments); without it, every
    attachment needs a ``fileUrl``.

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
    stored_text = format_timestamp(stored_at)
    prepared = [_prepare(statement, caller, version, stored_text) for statement in statements]
    if accept_received is not None:
        accept_received(statements)
    else:
        _check_attachments_have_urls(prepared)
    if caller.is_signed_in_user:
        _check_own_actor(prepared, caller)

    known = _lookup(session, prepared)
    fresh: list[_Prepared] = []
    for index, item in enumerate(prepared):
        stored_document = known.documents.get(item.statement_id)
        if stored_document is None:
            fresh.append(item)
        elif not same_statement(stored_document, item.received):
            raise StatementConflict(
                f"statement[{index}]: a different statement with id {item.statement_id} "
                "is already stored; statements are immutable (xAPI-Data 2.3.1)"
            )
    if hooks.checks:
        # Before the duplicate short-cut: a check may refuse even a statement sent again
        # (cmi5 9.3.0.0-5: nothing after Terminated, not even a repeat).
        hooks.run_checks(
            session,
            StatementBatch(
                statements=[p.document for p in prepared],
                authority=caller.authority,
                user_id=caller.user_id,
                received=[p.received for p in prepared],
                already_stored=frozenset(
                    index for index, p in enumerate(prepared) if p.statement_id in known.documents
                ),
            ),
        )
    if not fresh:
        return [str(p.document["id"]) for p in prepared]

    targets = _check_voiding(fresh, known, caller)
    try:
        stored = _insert(session, fresh, stored_at)
    except IntegrityError as exc:
        # Another request stored one of these ids between the lookup and the insert; the
        # request's transaction is rolled back with this error.
        raise StatementConflict(
            "A statement with one of these ids was stored at the same moment; send it again"
        ) from exc
    fresh_ids = {p.statement_id for p in fresh}
    _apply_voiding(session, set(targets) | (known.targeted_by_voids & fresh_ids))
    hooks.publish_stored(session, stored)
    return [str(p.document["id"]) for p in prepared]


def _prepare(
    statement: dict[str, Any], caller: XapiCaller, version: XapiVersion, stored_text: str
) -> _Prepared:
    received = statement
    document = dict(statement)
    statement_id = str(document.get("id") or uuid.uuid4())
    document["id"] = statement_id
    normalise_context_activities(document)
    document["stored"] = stored_text  # xAPI-Data 2.4.8: always overwritten
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
    """A user signed in with their token speaks only for themselves, whatever their role:
    otherwise a teacher could write any learner's progress. Tools that record statements
    for others use LRS client credentials with scopes (xAPI-Communication 4.2)."""
    for index, item in enumerate(prepared):
        if agent_key(item.document["actor"]) not in caller.own_actor_keys:
            raise InsufficientScope(
                f"statement[{index}].actor: with a user's token, statements must have that "
                "user as actor; tools that record statements for others use LRS client "
                "credentials"
            )


@dataclass
class _Known:
    """What the database already holds about a batch, read in one query."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Void targets: their verb and actor.
    targets: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    # Ids of the batch that an already stored voiding statement targets.
    targeted_by_voids: set[str] = field(default_factory=set)


def _void_target(document: dict[str, Any]) -> str | None:
    if document["verb"]["id"] != VOIDED_VERB:
        return None
    return str(document["object"]["id"]).lower()


@cache
def _lookup_query(dialect: str) -> Select[str, str, str | None, str | None, str]:
    """Stored statements with one of the ``ids`` (the batch and its void targets), and the
    voiding statements that target one of the ``refs`` (the batch). Built once per dialect:
    building and compiling it per request costs more than running it."""
    return select(
        StatementRow.statement_id,
        StatementRow.verb_id,
        StatementRow.actor_key,
        StatementRow.object_statement_ref,
        cast(StatementRow.statement, Text),
    ).where(
        or_(
            in_json_list(StatementRow.statement_id, "ids", dialect),
            and_(
                StatementRow.verb_id == VOIDED_VERB,
                in_json_list(StatementRow.object_statement_ref, "refs", dialect),
            ),
        )
    )


def _lookup(session: Session, prepared: list[_Prepared]) -> _Known:
    ids = [p.statement_id for p in prepared]
    targets = [t for p in prepared if (t := _void_target(p.document)) is not None]
    rows = session.connection().execute(
        _lookup_query(dialect_name(session)),
        {"ids": json_list([*ids, *targets]), "refs": json_list(ids)},
    )
    known = _Known()
    id_set, target_set = set(ids), set(targets)
    for statement_id, verb_id, actor_key, ref, text in rows:
        if statement_id in id_set:
            known.documents[statement_id] = orjson.loads(text)
        if statement_id in target_set:
            known.targets[statement_id] = (verb_id, actor_key)
        if verb_id == VOIDED_VERB and ref in id_set:
            known.targeted_by_voids.add(ref)
    return known


def _check_voiding(fresh: list[_Prepared], known: _Known, caller: XapiCaller) -> list[str]:
    """The ids the batch voids. xAPI-Data 2.3.2: a voiding statement cannot be voided."""
    targets: list[str] = []
    batch_verbs: dict[str, str] | None = None
    for index, item in enumerate(fresh):
        target = _void_target(item.document)
        if target is None:
            continue
        if batch_verbs is None:
            batch_verbs = {p.statement_id: p.document["verb"]["id"] for p in fresh}
        if batch_verbs.get(target) == VOIDED_VERB:
            raise InvalidStatement(
                f"statement[{index}].object: {target} is a voiding statement, which cannot "
                "be voided (xAPI-Data 2.3.2)"
            )
        stored = known.targets.get(target)
        if stored is not None:
            verb_id, actor = stored
            if verb_id == VOIDED_VERB:
                raise InvalidStatement(
                    f"statement[{index}].object: {target} is a voiding statement, which cannot "
                    "be voided (xAPI-Data 2.3.2)"
                )
            # xAPI-Data 2.3.2: refuse (403) a void from a source not authorised to void it.
            if not caller.may_void_for_others and actor not in caller.own_actor_keys:
                raise InsufficientScope(f"statement[{index}]: you may not void statement {target}")
        targets.append(target)
    return targets


def _row_values(item: _Prepared, stored_at: datetime, authority_key: str | None) -> dict[str, Any]:
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
        "authority_key": authority_key,
        "voided": False,
        "version": document["version"],
        "statement": document,
    }


def _insert(session: Session, fresh: list[_Prepared], stored_at: datetime) -> list[StoredStatement]:
    # Every statement of a batch gets the same authority (_prepare).
    authority_key = agent_key(fresh[0].document["authority"])
    rows = [_row_values(item, stored_at, authority_key) for item in fresh]
    entries = [index_entries(item.document) for item in fresh]
    # A key both direct and related is stored once per flag: both filters find it.
    seqs = write_statement_rows(
        session.connection(),
        rows,
        [sorted(agents) for agents, _ in entries],
        [sorted(activities) for _, activities in entries],
    )
    return [
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
        for item, row, seq in zip(fresh, rows, seqs, strict=True)
    ]


def _apply_voiding(session: Session, to_void: set[str]) -> None:
    """Mark voided statements (xAPI-Data 2.3.2): targets of the new voiding statements, and
    new statements that an earlier voiding statement already targets. A voiding statement
    itself is never marked."""
    if to_void:
        session.execute(
            update(StatementRow)
            .where(StatementRow.statement_id.in_(to_void), StatementRow.verb_id != VOIDED_VERB)
            .values(voided=True)
        )
