"""The one place the Statement resource calls for attachments and signatures.

* ``PUT``/``POST /xapi/statements``: :func:`read_statement_body` instead of a plain JSON
  decode, then — after the statements are validated and before they are inserted —
  :func:`accept_statement_attachments` with the statements as received.
* ``GET /xapi/statements?attachments=true``: :func:`multipart_statements_response`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from learnloop.safe_json import MAX_JSON_DEPTH, nesting_depth_exceeds
from learnloop.storage import FileStorage
from learnloop.xapi.attachments import (
    StatementRequest,
    build_multipart_response,
    check_attachment_data,
    load_attachment_parts,
    parse_statement_request,
    store_attachment_parts,
)
from learnloop.xapi.errors import InvalidStatement
from learnloop.xapi.signatures import verify_signed_statements


def read_statement_body(content_type: str | None, body: bytes) -> StatementRequest:
    """``application/json`` or ``multipart/mixed`` (xAPI-Communication 1.5) → statements
    JSON and attachment parts; 400/415 for anything malformed."""
    request = parse_statement_request(content_type, body)
    if request.multipart:
        # The request guard reads JSON bodies only; the statement part of a multipart body
        # gets the same two checks here (issue 12 item 12).
        if nesting_depth_exceeds(request.payload):
            raise InvalidStatement(f"statement: JSON nested deeper than {MAX_JSON_DEPTH} levels")
        if b"\\u0000" in orjson.dumps(request.payload):
            raise InvalidStatement("statement: NUL characters (\\u0000) are not allowed")
    return request


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
