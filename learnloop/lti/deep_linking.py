"""Deep Linking 2.0: an instructor picks content and LearnLoop answers the platform with
a signed ``LtiDeepLinkingResponse`` (Deep Linking 2.0 §4.2) carrying one
``ltiResourceLink`` item, with a line item when the content is to be graded (§3.4.1).

Between the launch and the pick, the request's settings travel in a *ticket*: a short-
lived JWT signed with a key derived from LearnLoop's secret for this purpose only, so it
can never pass as a sign-in token and needs no server-side row. The ticket names the
instructor; the picking page and its form act for that user alone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy.orm import Session

from learnloop.auth import users as user_service
from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.h5p.content import readable_content
from learnloop.h5p.content_list import ContentListRow, list_owned_content
from learnloop.lti import keys, platforms
from learnloop.lti.errors import InvalidLaunch
from learnloop.lti.launch import ValidLaunch
from learnloop.lti.links import content_link
from learnloop.lti.vocabulary import DEEP_LINKING_SETTINGS, DEPLOYMENT_ID, LTI_VERSION

TICKET_TTL = timedelta(minutes=30)
TICKET_AUDIENCE = "learnloop:lti-deep-linking"
RESPONSE_TTL = timedelta(minutes=5)
DEFAULT_SCORE_MAXIMUM = 100.0

DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"


@dataclass(frozen=True)
class DeepLinkingTicket:
    user_id: str
    platform_id: str
    deployment_id: str
    return_url: str
    data: str | None


@dataclass(frozen=True)
class DeepLinkingResponse:
    return_url: str
    jwt: str


def _ticket_key(settings: Settings) -> bytes:
    return hmac.new(
        settings.jwt_secret.encode(), b"lti-deep-linking-ticket", hashlib.sha256
    ).digest()


def issue_ticket(settings: Settings, launch: ValidLaunch, user: User) -> str:
    dl_settings = launch.claims[DEEP_LINKING_SETTINGS]
    accepted = dl_settings.get("accept_types")
    if isinstance(accepted, list) and "ltiResourceLink" not in accepted:
        raise InvalidLaunch("The platform accepts no ltiResourceLink items")
    data = dl_settings.get("data")
    now = datetime.now(UTC)
    claims = {
        "aud": TICKET_AUDIENCE,
        "sub": user.id,
        "platform": launch.platform.id,
        "deployment": launch.claims[DEPLOYMENT_ID],
        "return_url": dl_settings["deep_link_return_url"],
        "data": data if isinstance(data, str) else None,
        "iat": now,
        "exp": now + TICKET_TTL,
    }
    return jwt.encode(claims, _ticket_key(settings), algorithm="HS256")


def read_ticket(settings: Settings, ticket: str) -> DeepLinkingTicket:
    try:
        claims = jwt.decode(
            ticket,
            _ticket_key(settings),
            algorithms=["HS256"],
            audience=TICKET_AUDIENCE,
            options={"require": ["exp", "sub", "aud"]},
        )
    except jwt.InvalidTokenError as exc:
        raise InvalidLaunch("The content picking session is invalid or has expired") from exc
    return DeepLinkingTicket(
        user_id=str(claims["sub"]),
        platform_id=str(claims["platform"]),
        deployment_id=str(claims["deployment"]),
        return_url=str(claims["return_url"]),
        data=claims.get("data"),
    )


def ticket_user(session: Session, ticket: DeepLinkingTicket) -> User:
    user = user_service.get_user(session, ticket.user_id)
    if not user.is_active or not user.is_teacher:
        raise InvalidLaunch("Only active instructors pick content")
    return user


def pickable_content(session: Session, user: User) -> list[ContentListRow]:
    return list_owned_content(session, user)


def respond_with_content(
    session: Session,
    settings: Settings,
    ticket: DeepLinkingTicket,
    content_id: str,
    *,
    graded: bool,
) -> DeepLinkingResponse:
    user = ticket_user(session, ticket)
    content = readable_content(session, user, content_id)
    platform = platforms.get_platform(session, ticket.platform_id)
    item: dict[str, Any] = {
        "type": "ltiResourceLink",
        "title": content.title,
        "url": content_link(settings.base_url, content.id),
    }
    if graded:
        # Deep Linking 2.0 §3.4.1: the platform creates the line item with the link.
        item["lineItem"] = {
            "scoreMaximum": DEFAULT_SCORE_MAXIMUM,
            "label": content.title,
            "resourceId": content.id,
        }
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        # Deep Linking 2.0 §4.2: the tool is the issuer (its client id), the platform the
        # audience; nonce, iat and exp as for any message.
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + RESPONSE_TTL,
        "nonce": secrets.token_urlsafe(16),
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": LTI_VERSION,
        DEPLOYMENT_ID: ticket.deployment_id,
        DL_CLAIM + "content_items": [item],
    }
    if ticket.data is not None:
        claims[DL_CLAIM + "data"] = ticket.data
    return DeepLinkingResponse(return_url=ticket.return_url, jwt=keys.sign(session, claims))
