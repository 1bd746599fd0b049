"""``X-Experience-API-Version``: which xAPI version a request speaks (xAPI-Communication 3.3).

1.0.x requests are answered as 1.0.3 (the latest 1.0 patch), 2.0.x requests as 2.0.0.
The header is required on every request except ``/xapi/about`` (Communication 2.8) and
is present on every response under ``/xapi``, errors included.
"""

from __future__ import annotations

import re
from enum import StrEnum

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Scope

from learnloop.xapi.errors import UnsupportedVersion
from learnloop.xapi.responses import CONSISTENT_THROUGH, consistent_through

VERSION_HEADER = "X-Experience-API-Version"
XAPI_PREFIX = "/xapi"
STATEMENTS_PATH = XAPI_PREFIX + "/statements"


class XapiVersion(StrEnum):
    V1_0_3 = "1.0.3"
    V2_0_0 = "2.0.0"

    @property
    def is_2(self) -> bool:
        return self is XapiVersion.V2_0_0


SUPPORTED_VERSIONS = (XapiVersion.V1_0_3, XapiVersion.V2_0_0)
LATEST = XapiVersion.V2_0_0

# "1.0" is accepted as "1.0.0" (Communication 3.3); any 1.0.x patch is accepted.
_V1 = re.compile(r"^1\.0(\.\d+)?$")
_V2 = re.compile(r"^2\.0(\.\d+)?$")


def parse_version_header(value: str | None) -> XapiVersion:
    if value is None or not value.strip():
        raise UnsupportedVersion(f"Missing {VERSION_HEADER} header (xAPI-Communication 3.3)")
    text = value.strip()
    if _V1.match(text):
        return XapiVersion.V1_0_3
    if _V2.match(text):
        return XapiVersion.V2_0_0
    raise UnsupportedVersion(
        f"Unsupported {VERSION_HEADER} {text!r}: this LRS speaks 1.0.x and 2.0.x"
    )


def response_version(request_value: str | None) -> XapiVersion:
    """The version to announce on a response, even when the request's header was bad.

    A 1.0.x request is answered as 1.0.3. Anything else - 2.0.x, no header at all, or a
    version this LRS does not speak - is answered with the latest version it implements:
    xAPI-Communication 3.3 (XAPI-00333 in 1.0.3 and 2.0) has the LRS set the header to its
    latest patch version, and a request without a version gives no other version to
    answer in. (The 1.0.3 and 2.0 ADL suites each expect their own version on the 400 for
    a request without the header; identical requests cannot satisfy both.)
    """
    if request_value is not None and _V1.match(request_value.strip()):
        return XapiVersion.V1_0_3
    return LATEST


def statement_version_allowed(version: str, speaking: XapiVersion) -> bool:
    """xAPI-Data 2.4.10: 1.0.x statements always; 2.0.x statements only over 2.0.

    "1.0" itself is accepted: Data 2.4.10 refuses "anything but 1.0 or 1.0.x" (the ADL
    suite's XAPI-00101 sends "1.0" and expects 200), and "2.0" likewise over 2.0."""
    if _V1.match(version):
        return True
    return speaking.is_2 and bool(_V2.match(version))


class XapiResponseHeaders:
    """Adds ``X-Experience-API-Version`` to every response under ``/xapi`` (Communication 3.3),
    including the 400/401/404 answers produced before a handler runs.

    Responses of the Statement Resource also get ``X-Experience-API-Consistent-Through``
    when the handler did not set it: xAPI-Communication 2.1.3 wants it "on all responses
    to Statements requests", and the ADL suite checks it on errors too (a 400 for
    ``?LIMIT=1``, the 404 for a voided statement asked for by ``statementId``).

    ``for_request`` reads the request once; ``apply`` edits the response's start message
    (``request_pipeline.RequestPipeline`` calls both)."""

    __slots__ = ("announced", "margin", "requested", "scope")

    def __init__(self, scope: Scope, requested: str | None, margin: float | None) -> None:
        self.scope = scope
        self.requested = requested
        self.announced = response_version(requested).value
        self.margin = margin

    @classmethod
    def for_request(cls, scope: Scope) -> XapiResponseHeaders | None:
        path = scope.get("path", "")
        if not (path == XAPI_PREFIX or path.startswith(XAPI_PREFIX + "/")):
            return None
        requested = None
        for name, value in scope.get("headers") or []:
            if name == b"x-experience-api-version":
                requested = value.decode("latin-1")
                break
        margin = _consistency_margin(scope) if path.rstrip("/") == STATEMENTS_PATH else None
        return cls(scope, requested, margin)

    def apply(self, message: Message) -> None:
        headers = MutableHeaders(scope=message)
        # A request without a version header from a client with a default version
        # (dependencies.get_xapi_version) is answered in that version.
        client_default = (self.scope.get("state") or {}).get("xapi_error_version")
        headers[VERSION_HEADER] = (
            client_default if self.requested is None and client_default else self.announced
        )
        if self.margin is not None and CONSISTENT_THROUGH not in headers:
            headers[CONSISTENT_THROUGH] = consistent_through(self.margin)


def _consistency_margin(scope: Scope) -> float:
    settings = getattr(scope["app"].state, "settings", None)
    margin: float = getattr(settings, "xapi_consistency_margin_seconds", 0.0)
    return margin
