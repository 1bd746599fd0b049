"""The document services behind the State, Activity Profile and Agent Profile resources
(xAPI-Communication 2.2, 2.3, 2.6, 2.7): get, list ids, PUT, POST (JSON merge), DELETE, with
the ETag preconditions and concurrency rules of Communication 3.1.

Services only flush; the request's session commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learnloop.db import new_uuid, utcnow
from learnloop.errors import BadRequest, Conflict, PreconditionFailed
from learnloop.xapi.document_models import XapiDocument

JSON_MEDIA_TYPE = "application/json"
DEFAULT_CONTENT_TYPE = "application/octet-stream"


class DocumentResource(StrEnum):
    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"


class DocumentConflict(Conflict):
    code = "document_conflict"


class DocumentPreconditionFailed(PreconditionFailed):
    code = "document_precondition_failed"


class DocumentPreconditionRequired(BadRequest):
    code = "document_precondition_required"


class DocumentNotMergeable(BadRequest):
    code = "document_not_mergeable"


@dataclass(frozen=True)
class DocumentContext:
    """Where documents live: the resource and the parameters that scope it. Parts a
    resource does not have are empty strings (a profile has no registration)."""

    resource: DocumentResource
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""

    @property
    def context_hash(self) -> str:
        return _digest(self.resource.value, self.activity_id, self.agent_key, self.registration)

    def address_hash(self, document_id: str) -> str:
        return _digest(self.context_hash, document_id)


@dataclass(frozen=True)
class Preconditions:
    """The raw ``If-Match`` / ``If-None-Match`` header values, when sent."""

    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def present(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


@dataclass(frozen=True)
class StoredDocument:
    document_id: str
    content: bytes
    content_type: str
    etag: str
    updated: datetime


@dataclass(frozen=True)
class DocumentIds:
    ids: list[str]
    # The newest ``updated`` among the listed documents (Last-Modified), None when empty.
    last_modified: datetime | None


def _digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8")
        # Length-prefixed so that ("ab", "c") and ("a", "bc") never collide.
        hasher.update(len(encoded).to_bytes(8, "big"))
        hasher.update(encoded)
    return hasher.hexdigest()


def content_etag(content: bytes) -> str:
    """xAPI-Communication 3.1: "the SHA-1 digest of the contents", lowercase hex."""
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def is_json_media_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == JSON_MEDIA_TYPE


def _etag_values(header: str) -> list[str]:
    """``"a", W/"b"`` → ``["a", "b"]``; ``*`` stays ``*``. A bare unquoted tag is accepted
    too, since some clients send the ETag without its quotes."""
    values = []
    for raw in header.split(","):
        item = raw.strip()
        if item.startswith("W/"):
            item = item[2:]
        if len(item) >= 2 and item[0] == item[-1] == '"':
            item = item[1:-1]
        if item:
            values.append(item)
    return values


def check_preconditions(existing: XapiDocument | None, preconditions: Preconditions) -> None:
    """RFC 7232 If-Match / If-None-Match against the current document (Communication 3.1):
    412 when they fail, nothing changed."""
    if preconditions.if_match is not None:
        wanted = _etag_values(preconditions.if_match)
        if existing is None:
            raise DocumentPreconditionFailed(
                "If-Match: the document does not exist, so no ETag can match"
            )
        if "*" not in wanted and existing.etag.lower() not in (tag.lower() for tag in wanted):
            raise DocumentPreconditionFailed(
                "If-Match: the document has changed since that ETag was read; "
                "GET it again and retry with its current ETag"
            )
    if preconditions.if_none_match is not None and existing is not None:
        unwanted = _etag_values(preconditions.if_none_match)
        if "*" in unwanted or existing.etag.lower() in (tag.lower() for tag in unwanted):
            raise DocumentPreconditionFailed(
                "If-None-Match: a document already exists at this address"
            )


def _find(session: Session, context: DocumentContext, document_id: str) -> XapiDocument | None:
    query = select(XapiDocument).where(
        XapiDocument.address_hash == context.address_hash(document_id)
    )
    # Serialise concurrent writers on the row so precondition checks see the latest ETag
    # (SQLite already serialises writers with BEGIN IMMEDIATE).
    return session.scalar(query.with_for_update())


def _snapshot(row: XapiDocument) -> StoredDocument:
    return StoredDocument(
        document_id=row.document_id,
        content=row.content,
        content_type=row.content_type,
        etag=row.etag,
        updated=row.updated,
    )


def get_document(
    session: Session, context: DocumentContext, document_id: str
) -> StoredDocument | None:
    row = session.scalar(
        select(XapiDocument).where(XapiDocument.address_hash == context.address_hash(document_id))
    )
    return None if row is None else _snapshot(row)


def list_document_ids(
    session: Session, context: DocumentContext, since: datetime | None = None
) -> DocumentIds:
    """The ids in a context, oldest update first; with ``since``, only those updated after
    it (exclusive, Communication 2.3 "Multiple Document GET")."""
    query = select(XapiDocument.document_id, XapiDocument.updated).where(
        XapiDocument.context_hash == context.context_hash
    )
    if since is not None:
        query = query.where(XapiDocument.updated > since)
    rows = session.execute(query.order_by(XapiDocument.updated, XapiDocument.document_id)).all()
    ids = [row.document_id for row in rows]
    last = max((row.updated for row in rows), default=None)
    return DocumentIds(ids=ids, last_modified=last)


def _insert(
    session: Session,
    context: DocumentContext,
    document_id: str,
    content: bytes,
    content_type: str,
) -> StoredDocument:
    document = StoredDocument(
        document_id=document_id,
        content=content,
        content_type=content_type,
        etag=content_etag(content),
        updated=utcnow(),
    )
    # ON CONFLICT DO NOTHING: a concurrent request that created the same document first
    # leaves this insert without a row, which is a conflict, without aborting the
    # transaction (and cheaper than a SAVEPOINT around an ORM flush).
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = session.execute(
        insert(XapiDocument)
        .values(
            id=new_uuid(),
            resource=context.resource.value,
            activity_id=context.activity_id,
            agent_key=context.agent_key,
            registration=context.registration,
            document_id=document_id,
            address_hash=context.address_hash(document_id),
            context_hash=context.context_hash,
            content_type=content_type,
            content=content,
            etag=document.etag,
            updated=document.updated,
        )
        .on_conflict_do_nothing()
        .returning(XapiDocument.id)
    )
    # RETURNING, not rowcount: an ORM-enabled INSERT does not report rowcount reliably.
    if result.first() is None:
        raise DocumentConflict(
            "The document was created by another request at the same time; "
            "GET it and retry with If-Match"
        )
    return document


def _replace(row: XapiDocument, content: bytes, content_type: str) -> None:
    row.content = content
    row.content_type = content_type
    row.etag = content_etag(content)
    row.updated = utcnow()


def put_document(
    session: Session,
    context: DocumentContext,
    document_id: str,
    content: bytes,
    content_type: str | None,
    preconditions: Preconditions,
    *,
    require_precondition: bool,
    precondition_required_to_create: bool = False,
) -> StoredDocument:
    """Store ``content`` byte-exact, replacing any document at the address.

    ``require_precondition``: a PUT without If-Match / If-None-Match on an existing
    document is refused with 409 (Communication 3.1). ``precondition_required_to_create``:
    such a PUT is refused with 400 when there is no document either ("A Client making a PUT
    request to either the Agent Profile Resource or Activity Profile Resource MUST include
    the If-Match header or the If-None-Match header", Communication 3.1).
    """
    existing = _find(session, context, document_id)
    check_preconditions(existing, preconditions)
    if not preconditions.present:
        if existing is not None and require_precondition:
            raise DocumentConflict(
                "A document already exists at this address and the PUT carried neither "
                "If-Match nor If-None-Match. Check the current state of the document (GET "
                "it), then set If-Match to its current ETag to replace it "
                "(xAPI-Communication 3.1)."
            )
        if existing is None and precondition_required_to_create:
            raise DocumentPreconditionRequired(
                "A PUT to a profile resource must carry If-Match or If-None-Match; to create "
                "a document, send If-None-Match: * (xAPI-Communication 3.1)"
            )
    stored_type = content_type or DEFAULT_CONTENT_TYPE
    if existing is None:
        return _insert(session, context, document_id, content, stored_type)
    _replace(existing, content, stored_type)
    session.flush()
    return _snapshot(existing)


def _json_object(content: bytes, which: str) -> dict[str, Any]:
    try:
        value = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise DocumentNotMergeable(
            f"The {which} document is not valid JSON, so the two cannot be merged "
            "(xAPI-Communication 2.2 JSON Procedure)"
        ) from exc
    if not isinstance(value, dict):
        raise DocumentNotMergeable(
            f"The {which} document is not a JSON object, so the two cannot be merged "
            "(xAPI-Communication 2.2 JSON Procedure)"
        )
    return value


def post_document(
    session: Session,
    context: DocumentContext,
    document_id: str,
    content: bytes,
    content_type: str | None,
    preconditions: Preconditions,
) -> StoredDocument:
    """Merge a JSON object into the existing JSON document (top-level properties of the
    posted object replace those of the stored one), or store it as a PUT would when there
    is no document yet (Communication 2.2 "JSON Procedure with Requirements").

    When either side is not ``application/json`` or not a JSON object: 400, nothing changed.
    A posted ``application/json`` body that is not a JSON object is refused even when there
    is nothing to merge with (ADL conformance XAPI-00314).
    """
    existing = _find(session, context, document_id)
    check_preconditions(existing, preconditions)
    stored_type = content_type or DEFAULT_CONTENT_TYPE
    posted_json = is_json_media_type(content_type)
    posted = _json_object(content, "posted") if posted_json else None
    if existing is None:
        return _insert(session, context, document_id, content, stored_type)
    if posted is None:
        raise DocumentNotMergeable(
            "POST merges JSON documents: the posted document must have Content-Type "
            "application/json (xAPI-Communication 2.2)"
        )
    if not is_json_media_type(existing.content_type):
        raise DocumentNotMergeable(
            "POST merges JSON documents: the stored document is "
            f"{existing.content_type}, not application/json; replace it with PUT"
        )
    merged = _json_object(existing.content, "stored")
    merged.update(posted)
    _replace(existing, orjson.dumps(merged), JSON_MEDIA_TYPE)
    session.flush()
    return _snapshot(existing)


def delete_document(
    session: Session,
    context: DocumentContext,
    document_id: str,
    preconditions: Preconditions,
) -> bool:
    """Delete one document; True when there was one. Deleting a missing document is not an
    error (the result is the same), unless an If-Match says the client expected one."""
    existing = _find(session, context, document_id)
    check_preconditions(existing, preconditions)
    if existing is None:
        return False
    session.delete(existing)
    session.flush()
    return True


def delete_documents(session: Session, context: DocumentContext) -> int:
    """Delete every document of a context (State "Multiple Document DELETE", Communication
    2.3); return how many were deleted."""
    result = session.execute(
        delete(XapiDocument).where(XapiDocument.context_hash == context.context_hash)
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
