"""Request dependencies of the partner APIs: the bearer-token caller, bound to the URL's
partner and organization, and the ingest path into the LRS."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from learnloop.auth.csrf import CsrfCheckedUser
from learnloop.auth.models import User
from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import Forbidden
from learnloop.partners.directory import get_organization, get_partner
from learnloop.partners.errors import InvalidPartnerToken
from learnloop.partners.ingest import PartnerIngest
from learnloop.partners.oauth import PartnerCaller, authenticate_bearer
from learnloop.partners.tasks import partner_ingest
from learnloop.xapi.dependencies import StatementHooksDep

BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="LearnLoop partners"'}


def _bearer(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise InvalidPartnerToken(
            "Authentication required: an OAuth2 bearer token from POST /oauth/token",
            headers=BEARER_CHALLENGE,
        )
    return value.strip()


def _caller_for(
    session: Session, request: Request, partner_name: str, org_id: str | None
) -> PartnerCaller:
    caller = authenticate_bearer(session, _bearer(request))
    caller.require_target(partner_name, org_id)
    if org_id is not None and caller.org_id is None:
        # A partner-wide token on an organization's URL speaks for that organization.
        organization = get_organization(session, get_partner(session, partner_name), org_id)
        caller = replace(caller, organization_id=organization.id, org_id=organization.org_id)
    return caller


def partner_caller(request: Request, session: SessionDep, partnerName: str) -> PartnerCaller:  # noqa: N803
    return _caller_for(session, request, partnerName, None)


def organization_caller(
    request: Request,
    session: SessionDep,
    partnerName: str,  # noqa: N803
    orgId: str,  # noqa: N803
) -> PartnerCaller:
    return _caller_for(session, request, partnerName, orgId)


async def get_partner_ingest(settings: SettingsDep, hooks: StatementHooksDep) -> PartnerIngest:
    return partner_ingest(settings, hooks)


async def require_admin_writer(user: CsrfCheckedUser) -> User:
    """An admin making a change (cookie callers passed the CSRF check)."""
    if not user.is_admin:
        raise Forbidden("Admin role required")
    return user


PartnerCallerDep = Annotated[PartnerCaller, Depends(partner_caller)]
OrganizationCallerDep = Annotated[PartnerCaller, Depends(organization_caller)]
PartnerIngestDep = Annotated[PartnerIngest, Depends(get_partner_ingest)]
AdminWriter = Annotated[User, Depends(require_admin_writer)]
