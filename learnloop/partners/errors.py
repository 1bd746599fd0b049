"""Errors of the partners domain."""

from __future__ import annotations

from typing import Any

from learnloop.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized


class PartnerNotFound(NotFound):
    code = "partner_not_found"


class PartnerClientNotFound(NotFound):
    code = "partner_client_not_found"


class PartnerNameTaken(Conflict):
    code = "partner_name_taken"


class InvalidPartnerToken(Unauthorized):
    code = "invalid_partner_token"


class WrongPartner(Forbidden):
    """The token belongs to another partner or organization than the URL names."""

    code = "wrong_partner"


class MissingScope(Forbidden):
    code = "missing_scope"


class TrackFieldError(BadRequest):
    """Bad Track API input; ``field`` names the offending field in the answer."""

    code = "invalid_track_field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", details={"field": field})
        self.field = field


class TrackUserUnknown(NotFound):
    code = "track_user_unknown"

    def __init__(self, message: str) -> None:
        super().__init__(message, details={"field": "user"})


class DuplicateTrackEvent(Conflict):
    code = "duplicate_track_event"


class OAuthError(Exception):
    """An RFC 6749 §5.2 error response: ``{"error": code, "error_description": …}``."""

    def __init__(self, error: str, description: str, *, status_code: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status_code = status_code

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.description}
