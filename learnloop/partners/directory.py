"""Admin management of partners, their organizations and OAuth2 clients."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.db import utcnow
from learnloop.errors import BadRequest
from learnloop.partners.errors import PartnerClientNotFound, PartnerNameTaken, PartnerNotFound
from learnloop.partners.models import (
    UNKNOWN_USER_CREATE,
    UNKNOWN_USER_REJECT,
    Partner,
    PartnerClient,
    PartnerOrganization,
)

# The scopes a partner token may carry (issue 18, "Partners and tokens").
PARTNER_SCOPES = ("track:write", "statements:write", "statements:read")
# A partner or organization name is a URL path segment.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class IssuedPartnerClient:
    client: PartnerClient
    secret: str


def hash_client_secret(secret: str) -> str:
    # The secrets are 256 random bits, so a fast hash is enough (no dictionary to try).
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _check_name(kind: str, name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise BadRequest(
            f"{kind} must be 1-64 lowercase letters, digits, '-' or '_', starting with a "
            "letter or digit"
        )
    return name


def normalise_partner_scopes(scopes: Iterable[str] | None) -> list[str]:
    if scopes is None:
        return list(PARTNER_SCOPES)
    chosen = list(dict.fromkeys(scope.strip() for scope in scopes if scope.strip()))
    unknown = [scope for scope in chosen if scope not in PARTNER_SCOPES]
    if unknown:
        raise BadRequest(
            f"Unknown partner scope(s): {', '.join(unknown)}; known: {', '.join(PARTNER_SCOPES)}"
        )
    if not chosen:
        raise BadRequest("A partner client needs at least one scope")
    return chosen


def create_partner(
    session: Session, *, name: str, display_name: str = "", unknown_users: str = "reject"
) -> Partner:
    _check_name("name", name)
    if unknown_users not in (UNKNOWN_USER_REJECT, UNKNOWN_USER_CREATE):
        raise BadRequest("unknownUsers must be 'reject' or 'create'")
    if session.scalar(select(Partner.id).where(Partner.name == name)) is not None:
        raise PartnerNameTaken(f"A partner named {name} already exists")
    partner = Partner(
        name=name, display_name=display_name.strip() or name, unknown_users=unknown_users
    )
    session.add(partner)
    session.flush()
    return partner


def list_partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).order_by(Partner.name)))


def get_partner(session: Session, name: str) -> Partner:
    partner = session.scalar(select(Partner).where(Partner.name == name))
    if partner is None:
        raise PartnerNotFound(f"No partner {name}")
    return partner


def add_organization(
    session: Session, partner: Partner, *, org_id: str, name: str = ""
) -> PartnerOrganization:
    _check_name("orgId", org_id)
    existing = session.scalar(
        select(PartnerOrganization.id).where(
            PartnerOrganization.partner_id == partner.id, PartnerOrganization.org_id == org_id
        )
    )
    if existing is not None:
        raise PartnerNameTaken(f"Partner {partner.name} already has organization {org_id}")
    organization = PartnerOrganization(
        partner_id=partner.id, org_id=org_id, name=name.strip() or org_id
    )
    session.add(organization)
    session.flush()
    return organization


def list_organizations(session: Session, partner: Partner) -> list[PartnerOrganization]:
    return list(
        session.scalars(
            select(PartnerOrganization)
            .where(PartnerOrganization.partner_id == partner.id)
            .order_by(PartnerOrganization.org_id)
        )
    )


def get_organization(session: Session, partner: Partner, org_id: str) -> PartnerOrganization:
    organization = session.scalar(
        select(PartnerOrganization).where(
            PartnerOrganization.partner_id == partner.id, PartnerOrganization.org_id == org_id
        )
    )
    if organization is None:
        raise PartnerNotFound(f"Partner {partner.name} has no organization {org_id}")
    return organization


def create_client(
    session: Session,
    partner: Partner,
    *,
    organization: PartnerOrganization | None = None,
    scopes: Iterable[str] | None = None,
) -> IssuedPartnerClient:
    secret = secrets.token_urlsafe(32)
    client = PartnerClient(
        client_id=f"{partner.name}-{secrets.token_hex(8)}",
        secret_hash=hash_client_secret(secret),
        partner_id=partner.id,
        organization_id=organization.id if organization is not None else None,
        scopes=normalise_partner_scopes(scopes),
    )
    session.add(client)
    session.flush()
    return IssuedPartnerClient(client=client, secret=secret)


def list_clients(session: Session, partner: Partner) -> list[PartnerClient]:
    return list(
        session.scalars(
            select(PartnerClient)
            .where(PartnerClient.partner_id == partner.id)
            .order_by(PartnerClient.created_at, PartnerClient.client_id)
        )
    )


def revoke_client(session: Session, partner: Partner, client_id: str) -> PartnerClient:
    client = session.scalar(
        select(PartnerClient).where(
            PartnerClient.partner_id == partner.id, PartnerClient.client_id == client_id
        )
    )
    if client is None:
        raise PartnerClientNotFound(f"Partner {partner.name} has no client {client_id}")
    if client.is_active:
        client.is_active = False
        client.revoked_at = utcnow()
        session.flush()
    return client
