"""One error base class carrying its HTTP status and a stable code.

Handlers and services raise subclasses of :class:`AppError`; one exception handler in
``main.py`` turns them into responses: the reference's ``{"success": false, "error": …}``
for ``/api`` and ``/h5p``, plain text for the conformant LRS under ``/xapi``.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from learnloop.requestlog import redact_path

logger = logging.getLogger("learnloop.errors")


class AppError(Exception):
    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    # Whether ``details`` go into the JSON error body. Off by default: the reference's
    # bodies are ``{"success": false, "error": …}`` and clients compare them whole.
    shows_details: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.details = details or {}


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class FeatureNotAvailable(Forbidden):
    code = "feature_not_available"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class PreconditionFailed(AppError):
    status_code = 412
    code = "precondition_failed"


class UnprocessableContent(AppError):
    """The request is well-formed but a value breaks a rule (e.g. a library's semantics)."""

    status_code = 422
    code = "unprocessable_content"
    shows_details = True


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"


class QuotaExceeded(AppError):
    status_code = 429
    code = "quota_exceeded"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"


# --- turning errors into responses -------------------------------------------------------

XAPI_PREFIX = "/xapi"


def _is_xapi(path: str) -> bool:
    return path == XAPI_PREFIX or path.startswith(XAPI_PREFIX + "/")


def error_response(
    path: str,
    status_code: int,
    message: str,
    headers: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
) -> Response:
    """The reference's JSON error shape, or plain text for the conformant LRS.

    ``details`` (e.g. ``{"field": "answers[0].text", "reason": …}``) is added to the JSON
    body only when there are some, so every other error body keeps the reference's shape;
    the LRS under ``/xapi`` never gets it.
    """
    if _is_xapi(path):
        return PlainTextResponse(message, status_code=status_code, headers=headers)
    body: dict[str, Any] = {"success": False, "error": message}
    if details:
        body["details"] = details
    return JSONResponse(body, status_code=status_code, headers=headers)


def _describe_validation_error(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        location = ".".join(str(item) for item in error.get("loc", ()) if item != "body")
        message = str(error.get("msg", "invalid"))
        parts.append(f"{location}: {message}" if location else message)
    return "Validation error: " + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return error_response(
            request.url.path,
            exc.status_code,
            exc.message,
            exc.headers,
            exc.details if exc.shows_details else None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request.url.path, 400, _describe_validation_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = "Not found"
        headers = dict(exc.headers) if exc.headers else None
        return error_response(request.url.path, exc.status_code, message, headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # The path may carry a credential (a play-file grant, a cmi5 fetch token).
        logger.error(
            "unhandled error on %s %s", request.method, redact_path(request.url.path), exc_info=exc
        )
        return error_response(request.url.path, 500, "Internal server error")
