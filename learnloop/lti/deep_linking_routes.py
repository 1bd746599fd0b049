"""The content picking page of Deep Linking 2.0 and the form that returns the signed
response to the platform. Both are shown inside the platform's frame, so they may be
framed anywhere; they act only through the ticket (no cookie, so no CSRF surface)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from learnloop.deps import SessionDep, SettingsDep
from learnloop.lti import deep_linking

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
MAX_TICKET = 8192
MAX_CONTENT_ID = 100

router = APIRouter(tags=["lti"], include_in_schema=False)


def _headers(script_nonce: str | None = None, form_target: str = "'self'") -> dict[str, str]:
    scripts = f"'nonce-{script_nonce}'" if script_nonce else "'none'"
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src {scripts}; style-src 'self'; "
            f"form-action {form_target}; frame-ancestors *; base-uri 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


@router.get("/lti/deep-linking", response_class=HTMLResponse)
def picking_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    ticket: Annotated[str, Query(max_length=MAX_TICKET)],
) -> HTMLResponse:
    user = deep_linking.ticket_user(session, deep_linking.read_ticket(settings, ticket))
    return TEMPLATES.TemplateResponse(
        request,
        "deep_linking.html",
        {"ticket": ticket, "items": deep_linking.pickable_content(session, user)},
        headers=_headers(),
    )


@router.post("/lti/deep-linking", response_class=HTMLResponse)
def pick(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    ticket: Annotated[str, Form(max_length=MAX_TICKET)],
    content_id: Annotated[str, Form(min_length=1, max_length=MAX_CONTENT_ID)],
    graded: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    answer = deep_linking.respond_with_content(
        session, settings, deep_linking.read_ticket(settings, ticket), content_id, graded=graded
    )
    parts = urlsplit(answer.return_url)
    nonce = secrets.token_urlsafe(16)
    return TEMPLATES.TemplateResponse(
        request,
        "deep_linking_return.html",
        {"return_url": answer.return_url, "jwt": answer.jwt, "nonce": nonce},
        headers=_headers(nonce, f"{parts.scheme}://{parts.netloc}"),
    )
