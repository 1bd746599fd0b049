"""The one place the Statement resource calls for attachments and signatures.

* ``PUT``/``POST /xapi/statements``: :func:`read_statement_body` instead of a plain JSON
  decode, then — after the statements are validated and before they are inserted —
  :func:`accept_statement_attachments` with the statements as received.
* ``GET /xapi/statements?attachments=true``: :func:`multipart_statements_response`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from learnloop.storage import FileStorage
from learnloop.xapi.attachments import (
    StatementRequest,
    build_multipart_response,
    check_attachment_data,
    load_attachment_parts,
    parse_statement_request,
    store_attachment_parts,
)
from learnloop.xapi.signatures import verify_signed_statements


def read_statement_body(content_type: str | None, body: bytes) -> StatementRequest:
    """``application/json`` or ``multipart/mixed`` (xAPI-Communication 1.5) → statements
    JSON and attachment parts; 400/415 for anything malformed."""
    return parse_statement_request(content_type, body)


def accept_statement_attachments(
    storage: FileStorage,
    statements: Sequence[Mapping[str, Any]],
    request: StatementRequest,
) -> None:
    """Every attachment has a fileUrl or its data (matched by sha2), no part is left over,
    every signature is well formed (xAPI-Data 2.4.11, 2.6); then the data is stored."""
    check_attachment_data(statements, request.parts)
    verify_signed_statements(statements, request.parts)
    store_attachment_parts(storage, request.parts)


def multipart_statements_response(
    storage: FileStorage, statements: Sequence[Mapping[str, Any]], payload: bytes
) -> tuple[bytes, str]:
    """Body and Content-Type for ``attachments=true``: ``payload`` (the serialized
    statement or StatementResult) first, then the data of every attachment of
    ``statements`` that the LRS holds (xAPI-Communication 2.1.3)."""
    return build_multipart_response(payload, load_attachment_parts(storage, statements))
