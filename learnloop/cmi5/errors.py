"""cmi5 errors: each names the rule that was broken.

Answers of the cmi5 API carry a stable code beside the reference's message
(``{"success": false, "error": …, "code": "cmi5.invalid_course", "rule": "13.2"}``) so an
LMS adapter can branch on the code instead of parsing prose; on the LRS (``/xapi``) the
answers stay plain text, as the xAPI spec has them.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from learnloop.errors import AppError, BadRequest, Forbidden, NotFound, error_response

# "(cmi5 13.1.4 url)", "(cmi5 14.1: …)": the section a message cites.
_CITED_RULE = re.compile(r"\(cmi5 (\d+(?:\.\d+)*)")


def _cited_rule(message: str) -> str | None:
    match = _CITED_RULE.search(message)
    return match.group(1) if match else None


class Cmi5Error(AppError):
    """An error of the cmi5 domain; ``rule``: the cmi5 section it enforces, if any."""

    def __init__(
        self, message: str, *, rule: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, headers=headers)
        self.rule = rule or _cited_rule(message)


class InvalidCoursePackage(Cmi5Error, BadRequest):
    code = "cmi5.invalid_course"


class CourseNotFound(Cmi5Error, NotFound):
    code = "cmi5.course_not_found"


class RegistrationNotFound(Cmi5Error, NotFound):
    code = "cmi5.registration_not_found"


class AuNotFound(Cmi5Error, NotFound):
    code = "cmi5.au_not_found"


class RegistrationForbidden(Cmi5Error, Forbidden):
    code = "cmi5.forbidden"


class InvalidLaunchParameters(Cmi5Error, BadRequest):
    """An AU page opened with launch parameters that are not those of a launch (cmi5 8.1)."""

    code = "cmi5.invalid_launch"


class StatementRuleViolation(Cmi5Error, Forbidden):
    """An AU statement breaks a cmi5 statement rule (cmi5 9.x): refused with 403."""

    code = "cmi5.statement_rule"


def install_cmi5_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Cmi5Error)
    async def _cmi5_error(request: Request, exc: Cmi5Error) -> Response:
        path = request.url.path
        if not path.startswith("/api/"):
            return error_response(path, exc.status_code, exc.message, exc.headers)
        body: dict[str, Any] = {"success": False, "error": exc.message, "code": exc.code}
        if exc.rule is not None:
            body["rule"] = exc.rule
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
