"""Admin pages for partner platforms: partners, organizations and OAuth2 clients (the
secret is shown once, on creation), and the forwarding rules with their dead letters.
Forms carry ``csrf_token`` (the CSRF contract); handlers call the partners services."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from learnloop.deps import SessionDep, SettingsDep
from learnloop.partners import directory, forwarding
from learnloop.web.layout import AdminPage, PageRoute, redirect, render

router = APIRouter(
    prefix="/admin/partners", tags=["pages"], include_in_schema=False, route_class=PageRoute
)

PartnerName = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("")
def partners_page(request: Request, user: AdminPage, session: SessionDep) -> Response:
    rules = forwarding.list_rules(session)
    return render(
        request,
        "partners/partners.html",
        {
            "partners": directory.list_partners(session),
            "rules": [
                (
                    rule,
                    len(forwarding.dead_letters(session, rule.id)),
                    forwarding.pending_count(session, rule.id),
                )
                for rule in rules
            ],
        },
        user=user,
    )


@router.post("")
def create_partner(
    request: Request,
    user: AdminPage,
    session: SessionDep,
    name: Annotated[str, Form(min_length=1, max_length=64)],
    unknown_users: Annotated[Literal["reject", "create"], Form()] = "reject",
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    partner = directory.create_partner(
        session, name=name.strip(), display_name=display_name, unknown_users=unknown_users
    )
    return redirect(f"/admin/partners/{partner.name}", "created")


@router.get("/{name}")
def partner_page(
    name: PartnerName, request: Request, user: AdminPage, session: SessionDep
) -> Response:
    partner = directory.get_partner(session, name)
    organizations = directory.list_organizations(session, partner)
    org_ids = {organization.id: organization.org_id for organization in organizations}
    return render(
        request,
        "partners/partner.html",
        {
            "partner": partner,
            "organizations": organizations,
            "clients": [
                (client, org_ids.get(client.organization_id or ""))
                for client in directory.list_clients(session, partner)
            ],
            "scopes": directory.PARTNER_SCOPES,
        },
        user=user,
    )


@router.post("/{name}/organizations")
def add_organization(
    name: PartnerName,
    request: Request,
    user: AdminPage,
    session: SessionDep,
    org_id: Annotated[str, Form(min_length=1, max_length=64)],
    org_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    partner = directory.get_partner(session, name)
    directory.add_organization(session, partner, org_id=org_id.strip(), name=org_name)
    return redirect(f"/admin/partners/{partner.name}", "created")


@router.post("/{name}/clients")
def create_client(
    name: PartnerName,
    request: Request,
    user: AdminPage,
    session: SessionDep,
    settings: SettingsDep,
    scopes: Annotated[list[str], Form(max_length=10)],
    org_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    partner = directory.get_partner(session, name)
    organization = directory.get_organization(session, partner, org_id) if org_id else None
    issued = directory.create_client(session, partner, organization=organization, scopes=scopes)
    base = settings.base_url.rstrip("/")
    return render(
        request,
        "partners/client_issued.html",
        {
            "partner": partner,
            "client": issued.client,
            "secret": issued.secret,
            "token_endpoint": f"{base}/oauth/token",
            "api_base": f"{base}/v1/partners/{partner.name}"
            + (f"/organizations/{organization.org_id}" if organization is not None else ""),
        },
        user=user,
    )


@router.post("/{name}/clients/{client_id}/revoke")
def revoke_client(
    name: PartnerName,
    client_id: Annotated[str, Path(min_length=1, max_length=64)],
    request: Request,
    user: AdminPage,
    session: SessionDep,
) -> Response:
    partner = directory.get_partner(session, name)
    directory.revoke_client(session, partner, client_id)
    return redirect(f"/admin/partners/{partner.name}", "revoked")
