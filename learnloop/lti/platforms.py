"""Platform registrations: issuer, client id, deployment ids and the platform's endpoints."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.errors import BadRequest
from learnloop.lti import keys
from learnloop.lti.errors import PlatformExists, PlatformNotFound
from learnloop.lti.models import LtiDeployment, LtiPlatform


def _require_http_url(name: str, value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadRequest(f"{name} must be an http(s) URL")
    return value.strip()


def register_platform(
    session: Session,
    *,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    token_url: str,
    jwks_url: str,
    deployment_ids: Iterable[str],
) -> LtiPlatform:
    issuer = issuer.strip()
    client_id = client_id.strip()
    if not issuer or not client_id:
        raise BadRequest("issuer and clientId are required")
    if find_platform(session, issuer, client_id) is not None:
        raise PlatformExists(f"Platform {issuer} with client id {client_id} is registered")
    platform = LtiPlatform(
        issuer=issuer,
        client_id=client_id,
        auth_login_url=_require_http_url("authLoginUrl", auth_login_url),
        token_url=_require_http_url("tokenUrl", token_url),
        jwks_url=_require_http_url("jwksUrl", jwks_url),
    )
    session.add(platform)
    session.flush()
    add_deployments(session, platform, deployment_ids)
    # The tool key exists from the first registration on: created later inside a grade
    # job's transaction, it would be invisible to the platform fetching /lti/jwks to
    # check that job's client assertion (and on SQLite the JWKS request would wait for
    # the job's write lock).
    keys.current_key(session)
    return platform


def add_deployments(session: Session, platform: LtiPlatform, deployment_ids: Iterable[str]) -> None:
    known = set(deployment_ids_of(session, platform.id))
    for deployment_id in dict.fromkeys(value.strip() for value in deployment_ids):
        if not deployment_id:
            raise BadRequest("A deployment id must not be empty")
        if deployment_id not in known:
            session.add(LtiDeployment(platform_id=platform.id, deployment_id=deployment_id))
    session.flush()


def deployment_ids_of(session: Session, platform_id: str) -> list[str]:
    return list(
        session.scalars(
            select(LtiDeployment.deployment_id)
            .where(LtiDeployment.platform_id == platform_id)
            .order_by(LtiDeployment.deployment_id)
        )
    )


def has_deployment(session: Session, platform_id: str, deployment_id: str) -> bool:
    return (
        session.scalar(
            select(LtiDeployment.id).where(
                LtiDeployment.platform_id == platform_id,
                LtiDeployment.deployment_id == deployment_id,
            )
        )
        is not None
    )


def find_platform(session: Session, issuer: str, client_id: str) -> LtiPlatform | None:
    return session.scalar(
        select(LtiPlatform).where(LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id)
    )


def platforms_of_issuer(session: Session, issuer: str) -> list[LtiPlatform]:
    return list(session.scalars(select(LtiPlatform).where(LtiPlatform.issuer == issuer)))


def get_platform(session: Session, platform_id: str) -> LtiPlatform:
    platform = session.get(LtiPlatform, platform_id) if "\x00" not in platform_id else None
    if platform is None:
        raise PlatformNotFound(f"LTI platform not found: {platform_id}")
    return platform


def list_platforms(session: Session) -> list[LtiPlatform]:
    return list(
        session.scalars(select(LtiPlatform).order_by(LtiPlatform.created_at, LtiPlatform.id))
    )


def delete_platform(session: Session, platform: LtiPlatform) -> None:
    # Deployments, pending logins, nonces and user/context links go with it (ON DELETE
    # CASCADE; SQLite connections enable foreign keys in learnloop.db).
    session.delete(platform)
    session.flush()
