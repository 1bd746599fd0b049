"""Errors of the H5P domain.

Package validation collects every problem it finds (as Lumi's ``AggregateH5pError``
does) and answers with one 400 whose ``errorId`` is the first problem's id and whose
``errors`` list all of them, each with an id in Lumi's vocabulary and a readable message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from learnloop.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    UnprocessableContent,
)


@dataclass(frozen=True)
class PackageProblem:
    error_id: str
    message: str
    details: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"errorId": self.error_id, "message": self.message, **self.details}


class PackageValidationError(BadRequest):
    code = "package-validation-failed"

    def __init__(self, problems: list[PackageProblem]) -> None:
        self.problems = problems
        summary = "; ".join(f"{p.error_id}: {p.message}" for p in problems[:10])
        super().__init__(f"Invalid H5P package: {summary}")

    @property
    def error_ids(self) -> list[str]:
        return [problem.error_id for problem in self.problems]


class PackageTooLarge(PayloadTooLarge):
    code = "package-too-large"


class ContentNotFound(NotFound):
    code = "content-not-found"


class LibraryNotFound(NotFound):
    code = "library-not-found"


class LibraryNotInstalled(BadRequest):
    code = "library-not-installed"


class InvalidLibraryName(BadRequest):
    code = "invalid-library-name"


class InvalidParameters(UnprocessableContent):
    """A value breaks the library's semantics: 422 with ``details`` {field, reason}."""

    code = "invalid-parameters"


class NotContentOwner(Forbidden):
    code = "not-content-owner"


class LibraryInUse(Conflict):
    code = "library-in-use"


class LibraryInstallNotAllowed(Forbidden):
    code = "library-install-not-allowed"


class LibraryInstallConflict(Conflict):
    code = "library-install-conflict"


class InvalidMedia(BadRequest):
    code = "invalid-media"


class MediaNotFound(BadRequest):
    code = "media-not-found"


class MediaTooLarge(PayloadTooLarge):
    code = "media-too-large"


class StorageQuotaExceeded(PayloadTooLarge):
    code = "storage-quota-exceeded"


def install_h5p_error_handlers(app: FastAPI) -> None:
    """Package errors carry their ids beside the reference's ``error`` message."""

    @app.exception_handler(PackageValidationError)
    async def _package_error(_request: Request, exc: PackageValidationError) -> Response:
        return JSONResponse(
            {
                "success": False,
                "error": exc.message,
                "errorId": exc.problems[0].error_id if exc.problems else exc.code,
                "errors": [problem.as_dict() for problem in exc.problems],
            },
            status_code=exc.status_code,
        )
