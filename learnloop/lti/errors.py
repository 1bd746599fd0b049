"""Errors of the LTI tool; each carries its HTTP status (learnloop/errors.py)."""

from __future__ import annotations

from learnloop.errors import BadRequest, Conflict, NotFound, Unauthorized


class PlatformNotFound(NotFound):
    code = "lti_platform_not_found"


class PlatformExists(Conflict):
    code = "lti_platform_exists"


class InvalidLogin(BadRequest):
    """A third-party login initiation the tool cannot act on (LTI Core 1.3 §4.1)."""

    code = "lti_invalid_login"


class InvalidLaunch(Unauthorized):
    """An id_token or state that fails a check of Security Framework 1.0 §5.1.3 or
    LTI Core 1.3 §5: nothing of the launch happens."""

    code = "lti_invalid_launch"
