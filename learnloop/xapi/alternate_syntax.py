"""Alternate Request Syntax (xAPI-Communication 1.3), as an ASGI middleware for ``/xapi``.

Clients that cannot send custom headers or methods (old cross-domain browser APIs) send
``POST /xapi/<resource>?method=PUT`` with an ``application/x-www-form-urlencoded`` body:

* the form fields Authorization, X-Experience-API-Version, Content-Type, Content-Length,
  If-Match and If-None-Match are headers;
* ``content`` is the request body (UTF-8 text);
* every other field is a query string parameter.

The request is rewritten into the equivalent one before routing, so every resource applies
its usual rules. Requests breaking the syntax (not a POST, other query parameters next to
``method``, a body that is not form-encoded) are answered 400.

xAPI 2.0 (IEEE 9274.1.1) removed the syntax: a request speaking 2.0 (by its header or its
form field) that uses it is answered 400, as the ADL 2.0 conformance suite expects.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.types import Receive, Scope

from learnloop.xapi.versions import response_version

XAPI_PREFIX = "/xapi/"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
ALLOWED_METHODS = frozenset({"GET", "PUT", "POST", "DELETE"})
# Communication 1.3: form parameters that are treated as headers (not
# Content-Transfer-Encoding). Content-Length is recomputed from ``content``.
HEADER_FIELDS = frozenset(
    {
        "authorization",
        "x-experience-api-version",
        "content-type",
        "if-match",
        "if-none-match",
    }
)
CONTENT_FIELD = "content"
DEFAULT_CONTENT_TYPE = "application/json"


class AlternateSyntaxError(Exception):
    pass


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def rewrite(scope: Scope, body: bytes) -> tuple[Scope, bytes]:
    """The scope and body of the request that the alternate-syntax POST stands for."""
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if scope["method"] != "POST":
        raise AlternateSyntaxError(
            "A request with the 'method' parameter must be a POST (xAPI-Communication 1.3)"
        )
    if len(query) != 1:
        raise AlternateSyntaxError(
            "Alternate request syntax: 'method' must be the only query string parameter; "
            "send the others as form fields (xAPI-Communication 1.3)"
        )
    method = query[0][1].upper()
    if method not in ALLOWED_METHODS:
        raise AlternateSyntaxError(f"Alternate request syntax: unknown method {query[0][1]!r}")
    content_type = (_header(scope, b"content-type") or "").split(";", 1)[0].strip().lower()
    if content_type != FORM_MEDIA_TYPE:
        raise AlternateSyntaxError(
            "Alternate request syntax needs an application/x-www-form-urlencoded body"
        )
    try:
        fields = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            strict_parsing=bool(body),
            encoding="utf-8",
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise AlternateSyntaxError(
            "Alternate request syntax: the body is not URL-encoded form data"
        ) from exc

    headers: dict[str, str] = {}
    params: list[tuple[str, str]] = []
    content: bytes | None = None
    for name, value in fields:
        lowered = name.lower()
        if lowered == CONTENT_FIELD:
            content = value.encode("utf-8")
        elif lowered in HEADER_FIELDS:
            headers[lowered] = value
        elif lowered == "content-length":
            continue
        else:
            params.append((name, value))
    version = headers.get("x-experience-api-version") or _header(scope, b"x-experience-api-version")
    if version is not None and response_version(version).is_2:
        raise AlternateSyntaxError(
            "The Alternate Request Syntax is not part of xAPI 2.0; send the request itself"
        )
    if content is not None:
        headers.setdefault("content-type", DEFAULT_CONTENT_TYPE)
    new_body = content or b""

    replaced = {*headers, "content-type", "content-length"}
    raw_headers = [
        (key, value)
        for key, value in scope.get("headers") or []
        if bytes(key).decode("latin-1").lower() not in replaced
    ]
    raw_headers.extend(
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    )
    raw_headers.append((b"content-length", str(len(new_body)).encode("ascii")))
    new_scope = dict(scope)
    new_scope.update(
        method=method,
        query_string=urlencode(params).encode("ascii"),
        headers=raw_headers,
    )
    return new_scope, new_body


def uses_alternate_syntax(scope: Scope) -> bool:
    """A request under ``/xapi/`` with the ``method`` parameter (xAPI-Communication 1.3)."""
    return (
        str(scope.get("path", "")).startswith(XAPI_PREFIX)
        and b"method=" in scope.get("query_string", b"")
        and "method" in dict(parse_qsl(scope["query_string"].decode("latin-1")))
    )


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
