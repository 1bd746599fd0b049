"""Errors of the LRS. Under ``/xapi`` the shared handler answers them as plain text."""

from __future__ import annotations

from learnloop.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
)


class InvalidStatement(BadRequest):
    """A statement breaks an xAPI data rule; the message names the property and the rule."""

    code = "invalid_statement"


class InvalidParameter(BadRequest):
    code = "invalid_parameter"


class UnsupportedVersion(BadRequest):
    code = "unsupported_xapi_version"


class StatementConflict(Conflict):
    code = "statement_conflict"


class StatementNotFound(NotFound):
    code = "statement_not_found"


class BatchTooLarge(PayloadTooLarge):
    code = "batch_too_large"


class InsufficientScope(Forbidden):
    code = "insufficient_scope"


class InvalidLrsCredentials(Unauthorized):
    code = "invalid_lrs_credentials"


class LrsClientNotFound(NotFound):
    code = "lrs_client_not_found"
