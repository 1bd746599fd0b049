"""Statement attachments (xAPI-Data 2.4.11, xAPI-Communication 1.5.2): the
``multipart/mixed`` transmission format in requests and responses, matching raw data to
attachment objects by SHA-2, and keeping the bytes in ``FileStorage``.

The Statement resource uses it in three steps:

1. :func:`parse_statement_request` turns a PUT/POST body into the statements' JSON and the
   attachment parts (``application/json`` bodies have no parts);
2. after validating the statements, :func:`check_attachment_data` (every attachment without
   a ``fileUrl`` has its data, every part belongs to an attachment), the signature check of
   :mod:`learnloop.xapi.signatures`, then :func:`store_attachment_parts`;
3. for ``GET ...?attachments=true``, :func:`load_attachment_parts` and
   :func:`build_multipart_response`.

Bytes are content-addressed under ``attachments/<sha2>``: the same attachment sent twice is
stored once, and a file is never rewritten with other content. Files are written before
the statements' transaction commits; a rolled-back request can leave an unreferenced file,
never a statement without its attachment.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from typing import Any

import orjson

from learnloop.errors import BadRequest
from learnloop.storage import FileStorage

SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"
HASH_HEADER = "x-experience-api-hash"
STORAGE_PREFIX = "attachments"
DEFAULT_PART_TYPE = "application/octet-stream"
# xAPI-Communication 1.5.2: SHA-256, SHA-384 or SHA-512, hex encoded.
_HASHES = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
_HEX = re.compile(r"^[0-9a-f]+$")


class InvalidAttachments(BadRequest):
    code = "invalid_attachments"


@dataclass(frozen=True)
class AttachmentPart:
    sha2: str  # lowercase hex, as declared in X-Experience-API-Hash and verified
    content_type: str
    content: bytes


@dataclass(frozen=True)
class StatementRequest:
    """A PUT/POST body of the Statement resource: the parsed JSON of the statement(s) and
    the attachment data by SHA-2 (empty for ``application/json``)."""

    payload: Any
    parts: dict[str, AttachmentPart]
    multipart: bool


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _digest_of(sha2: str, content: bytes) -> str | None:
    algorithm = _HASHES.get(len(sha2))
    return None if algorithm is None else algorithm(content).hexdigest()


def normalise_sha2(value: str) -> str | None:
    """Lowercase hex of a known SHA-2 length, else None (also keeps storage keys safe)."""
    text = value.strip().lower()
    if len(text) not in _HASHES or not _HEX.match(text):
        return None
    return text


def _boundary(content_type: str) -> str:
    message = Message()
    message["content-type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise InvalidAttachments(
            "multipart/mixed needs a boundary parameter in Content-Type (RFC 2046)"
        )
    return boundary


def _split_parts(body: bytes, boundary: str) -> list[bytes]:
    """The body parts between the delimiters (RFC 2046 5.1.1); preamble and epilogue are
    dropped. A delimiter is CRLF "--" boundary, except at the very start of the body."""
    delimiter = b"--" + boundary.encode("latin-1")
    if body.startswith(delimiter):
        position = len(delimiter)
    else:
        first = body.find(b"\r\n" + delimiter)
        if first < 0:
            raise InvalidAttachments("The multipart body has no part with the declared boundary")
        position = first + 2 + len(delimiter)
    parts: list[bytes] = []
    while True:
        if body[position : position + 2] == b"--":
            return parts
        line_end = body.find(b"\r\n", position)
        if line_end < 0 or body[position:line_end].strip(b" \t"):
            raise InvalidAttachments("Malformed multipart delimiter line (RFC 2046)")
        start = line_end + 2
        end = body.find(b"\r\n" + delimiter, start)
        if end < 0:
            raise InvalidAttachments("The multipart body is not closed by its boundary")
        parts.append(body[start:end])
        position = end + 2 + len(delimiter)


def _part_headers(part: bytes) -> tuple[dict[str, str], bytes]:
    if part.startswith(b"\r\n"):
        return {}, part[2:]
    head, separator, content = part.partition(b"\r\n\r\n")
    if not separator:
        raise InvalidAttachments("A multipart part has no blank line after its headers")
    headers: dict[str, str] = {}
    for line in head.decode("latin-1").split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise InvalidAttachments(f"Malformed multipart part header {line!r}")
        headers[name.strip().lower()] = value.strip()
    return headers, content


def parse_multipart(content_type: str, body: bytes) -> tuple[bytes, dict[str, AttachmentPart]]:
    """The first part (the statements, ``application/json``) and the attachment parts.

    Each further part needs ``X-Experience-API-Hash`` equal to the SHA-2 of its raw bytes,
    and a ``Content-Transfer-Encoding`` of ``binary`` when it has one (Communication 1.5.2;
    the LRS "SHOULD assume" binary when it is absent).
    """
    raw_parts = _split_parts(body, _boundary(content_type))
    if not raw_parts:
        raise InvalidAttachments("The multipart body has no statement part")
    first_headers, first_content = _part_headers(raw_parts[0])
    if media_type(first_headers.get("content-type")) != "application/json":
        raise InvalidAttachments(
            "The first part of a multipart/mixed statement request must be the statements "
            "with Content-Type application/json (xAPI-Communication 1.5.2)"
        )
    attachments: dict[str, AttachmentPart] = {}
    for index, raw in enumerate(raw_parts[1:], start=2):
        headers, content = _part_headers(raw)
        encoding = headers.get("content-transfer-encoding")
        if encoding is not None and encoding.lower() != "binary":
            raise InvalidAttachments(
                f"Part {index}: Content-Transfer-Encoding must be binary, not {encoding!r}"
            )
        declared = headers.get(HASH_HEADER)
        if declared is None:
            raise InvalidAttachments(
                f"Part {index} has no X-Experience-API-Hash header (xAPI-Communication 1.5.2)"
            )
        sha2 = normalise_sha2(declared)
        if sha2 is None:
            raise InvalidAttachments(
                f"Part {index}: X-Experience-API-Hash is not a hex SHA-256/384/512 digest"
            )
        if _digest_of(sha2, content) != sha2:
            raise InvalidAttachments(
                f"Part {index}: its data does not hash to its X-Experience-API-Hash {sha2}"
            )
        attachments.setdefault(
            sha2,
            AttachmentPart(sha2, headers.get("content-type") or DEFAULT_PART_TYPE, content),
        )
    return first_content, attachments


def parse_statement_request(content_type: str | None, body: bytes) -> StatementRequest:
    """Decode a PUT/POST body of the Statement resource (``application/json`` or
    ``multipart/mixed``); any other content type is a 400 (Data 2.4.11, XAPI-00127)."""
    kind = media_type(content_type) or "application/json"
    if kind == "multipart/mixed":
        statements_json, parts = parse_multipart(content_type or "", body)
        multipart = True
    elif kind == "application/json":
        statements_json, parts, multipart = body, {}, False
    else:
        # xAPI-Data 2.4.11 / ADL XAPI-00127: any other content type is a 400.
        raise InvalidAttachments(
            f"Statements are sent as application/json or multipart/mixed, not {kind}"
        )
    try:
        payload = orjson.loads(statements_json)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"The statements are not valid JSON: {exc}") from exc
    return StatementRequest(payload=payload, parts=parts, multipart=multipart)


def attachment_objects(statements: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for statement in statements:
        attachments = statement.get("attachments")
        if isinstance(attachments, list):
            for attachment in attachments:
                if isinstance(attachment, Mapping):
                    yield attachment


def check_attachment_data(
    statements: Sequence[Mapping[str, Any]], parts: Mapping[str, AttachmentPart]
) -> None:
    """Every attachment object without a ``fileUrl`` has its data among ``parts``, matched
    by SHA-2 only; every part belongs to some attachment object (Communication 1.5.2:
    reject attachments that "neither contain a fileUrl nor match a received Attachment part",
    and excess parts, XAPI-00128)."""
    declared: set[str] = set()
    for attachment in attachment_objects(statements):
        sha2 = normalise_sha2(str(attachment.get("sha2", "")))
        if sha2 is not None:
            declared.add(sha2)
        if "fileUrl" in attachment:
            continue
        if sha2 is None or sha2 not in parts:
            raise InvalidAttachments(
                f"Attachment with sha2 {attachment.get('sha2')!r} has no fileUrl and no "
                "multipart part with that X-Experience-API-Hash (xAPI-Data 2.4.11)"
            )
    excess = sorted(set(parts) - declared)
    if excess:
        raise InvalidAttachments(
            f"Multipart part {excess[0]} matches no attachment's sha2 (xAPI-Communication 1.5.2)"
        )


def storage_key(sha2: str) -> str:
    return f"{STORAGE_PREFIX}/{sha2}"


def store_attachment_parts(storage: FileStorage, parts: Mapping[str, AttachmentPart]) -> None:
    for sha2, part in parts.items():
        key = storage_key(sha2)
        if not storage.exists(key):
            storage.put_bytes(key, part.content)


def load_attachment_parts(
    storage: FileStorage, statements: Sequence[Mapping[str, Any]]
) -> list[AttachmentPart]:
    """The stored data of the statements' attachments, once per SHA-2, in order of
    appearance. Attachments known only by ``fileUrl`` have no data here."""
    loaded: dict[str, AttachmentPart] = {}
    for attachment in attachment_objects(statements):
        sha2 = normalise_sha2(str(attachment.get("sha2", "")))
        if sha2 is None or sha2 in loaded or not storage.exists(storage_key(sha2)):
            continue
        content_type = str(attachment.get("contentType") or DEFAULT_PART_TYPE)
        loaded[sha2] = AttachmentPart(sha2, content_type, storage.get_bytes(storage_key(sha2)))
    return list(loaded.values())


def build_multipart_response(
    statements_json: bytes, parts: Sequence[AttachmentPart]
) -> tuple[bytes, str]:
    """The body and Content-Type of a ``multipart/mixed`` response: the statement(s) first,
    then each attachment's raw bytes (Communication 1.5.2, 2.1.3 ``attachments``)."""
    while True:
        boundary = secrets.token_hex(24)
        marker = boundary.encode("ascii")
        if marker not in statements_json and all(marker not in p.content for p in parts):
            break
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode("ascii"),
        statements_json,
    ]
    for part in parts:
        chunks.append(
            (
                f"\r\n--{boundary}\r\nContent-Type: {part.content_type}\r\n"
                "Content-Transfer-Encoding: binary\r\n"
                f"X-Experience-API-Hash: {part.sha2}\r\n\r\n"
            ).encode("latin-1")
        )
        chunks.append(part.content)
    chunks.append(f"\r\n--{boundary}--\r\n".encode("ascii"))
    return b"".join(chunks), f"multipart/mixed; boundary={boundary}"
