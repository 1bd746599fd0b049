"""Refuse NUL bytes and over-deep JSON in requests before any handler sees them
(issue 12 item 12).

PostgreSQL text and JSONB columns cannot hold U+0000: a NUL in a class name, an IRI, an
email or a query filter reached the database and came back as a 500. Python's JSON parser
and recursive walkers fail on deeply nested input the same way. One guard for every route
answers both with a 400 instead:

* a NUL in the path or the query string (``%00`` or raw);
* a NUL in a JSON body (the ``\\u0000`` escape; a raw NUL is not JSON at all) or in a
  form body (``%00``), and JSON nested deeper than ``safe_json.MAX_JSON_DEPTH``.

Bodies of other types (multipart uploads, binary xAPI documents) pass through unread:
their fields are checked where they are parsed.
"""

from __future__ import annotations

import re

from starlette.types import Scope

from learnloop.safe_json import MAX_JSON_DEPTH, body_nests_too_deep

# A ``\u0000`` escape that is not itself escaped: an even number of backslashes before it.
_JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM_NUL = re.compile(rb"%00|\x00")


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers") or ():
        if name == b"content-type":
            text: str = value.decode("latin-1")
            return text.split(";", 1)[0].strip().lower()
    return ""


def _is_json(content_type: str) -> bool:
    # The reference's /api/xapi/statements and the xAPI alternate syntax read JSON sent
    # as text/plain or without a type, so those are checked as JSON too.
    return content_type in ("", "application/json", "text/plain") or content_type.endswith("+json")


def query_or_path_has_nul(scope: Scope) -> bool:
    if "\x00" in scope.get("path", ""):
        return True
    query: bytes = scope.get("query_string", b"")
    return b"%00" in query or b"\x00" in query


def body_problem(content_type: str, body: bytes) -> str | None:
    if content_type == "application/x-www-form-urlencoded":
        return "NUL characters are not allowed" if _FORM_NUL.search(body) else None
    if b"\\u0000" in body and _JSON_NUL_ESCAPE.search(body):
        return "NUL characters (\\u0000) are not allowed in JSON strings"
    if body_nests_too_deep(body):
        return f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted"
    return None


def checked_content_type(scope: Scope) -> str | None:
    """The request's media type when its body is to be checked, else None."""
    if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = _content_type(scope)
    if _is_json(content_type) or content_type == "application/x-www-form-urlencoded":
        return content_type
    return None
