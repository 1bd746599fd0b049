"""Refused launches answered as a page when a browser asked for one.

The OIDC login and the launch are reached by a person's browser, usually inside the
LMS's iframe (LTI Core 1.3 §5.1, Security Framework 1.0 §5.1.1). A refusal there used to
show the API's JSON; a browser that asks for HTML now gets a short page with the reason
and what to do, with the same status code. Programs (no ``text/html`` in ``Accept``)
keep the JSON answer.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from learnloop.errors import AppError

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _reason(exc: AppError | RequestValidationError) -> tuple[int, str]:
    if isinstance(exc, AppError):
        return exc.status_code, exc.message
    return 400, "The course sent an incomplete launch request."


def refused_page(request: Request, exc: AppError | RequestValidationError) -> Response:
    status, reason = _reason(exc)
    nonce = secrets.token_urlsafe(16)
    return TEMPLATES.TemplateResponse(
        request,
        "launch_refused.html",
        {
            "reason": reason,
            "status": status,
            "nonce": nonce,
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        },
        status_code=status,
        # No script at all; the one inline style is allowed by its nonce. The page is
        # shown inside the LMS's frame, as the launch is, so framing is not restricted.
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": f"default-src 'none'; style-src 'nonce-{nonce}'",
        },
    )


class BrowserFacingRoute(APIRoute):
    """A route whose refusals are a page for browsers and JSON for programs."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except (AppError, RequestValidationError) as exc:
                server_fault = isinstance(exc, AppError) and exc.status_code >= 500
                if server_fault or not wants_html(request):
                    raise
                return refused_page(request, exc)

        return handler
