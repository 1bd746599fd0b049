"""Signing out: the presented token goes on the revocation list (issue 12, item 14)."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from sqlalchemy.orm import Session

from learnloop.auth.dependencies import presented_token, resolve_user
from learnloop.auth.revocation import revoke
from learnloop.auth.tokens import verify_token
from learnloop.config import Settings
from learnloop.errors import Unauthorized


def sign_out(request: Request, session: Session, settings: Settings, now: datetime) -> None:
    """Revoke the caller's token; an absent, expired or revoked one leaves nothing to do.

    A cookie caller passes the CSRF check in ``resolve_user`` first (403 otherwise):
    another page must not be able to sign the user out either.
    """
    try:
        user = resolve_user(request, session, settings)
    except Unauthorized:
        return
    presented = presented_token(request)
    if user is None or presented is None:
        return
    verified = verify_token(presented.token, settings, request.app.state.jwks)
    revoke(session, presented.token, verified, now)
