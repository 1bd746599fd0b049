"""Admin API of the partners domain: partners, organizations, OAuth2 clients, user links,
pull sources, forwarding rules and their dead letters, the partner catalog."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from learnloop.auth.dependencies import RequireAdmin
from learnloop.auth.models import User
from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import Conflict, NotFound
from learnloop.partners import directory, forwarding, pull
from learnloop.partners.dependencies import AdminWriter
from learnloop.partners.models import PartnerCatalogItem, PartnerUserLink
from learnloop.partners.schemas import (
    CatalogItemOut,
    ClientIn,
    ClientOut,
    DeadLetterOut,
    ForwardingRuleIn,
    ForwardingRuleOut,
    IssuedClientOut,
    OrganizationIn,
    OrganizationOut,
    PartnerIn,
    PartnerOut,
    PullSourceIn,
    PullSourceOut,
    UserLinkIn,
)

router = APIRouter(prefix="/api/admin", tags=["partners (admin)"])


@router.post("/partners", status_code=201)
def create_partner(body: PartnerIn, session: SessionDep, _admin: AdminWriter) -> PartnerOut:
    partner = directory.create_partner(
        session, name=body.name, display_name=body.displayName, unknown_users=body.unknownUsers
    )
    return PartnerOut.of(partner)


@router.get("/partners")
def list_partners(session: SessionDep, _admin: RequireAdmin) -> list[PartnerOut]:
    return [PartnerOut.of(partner) for partner in directory.list_partners(session)]


@router.post("/partners/{name}/organizations", status_code=201)
def add_organization(
    name: str, body: OrganizationIn, session: SessionDep, _admin: AdminWriter
) -> OrganizationOut:
    partner = directory.get_partner(session, name)
    organization = directory.add_organization(session, partner, org_id=body.orgId, name=body.name)
    return OrganizationOut.of(organization)


@router.get("/partners/{name}/organizations")
def list_organizations(
    name: str, session: SessionDep, _admin: RequireAdmin
) -> list[OrganizationOut]:
    partner = directory.get_partner(session, name)
    return [OrganizationOut.of(o) for o in directory.list_organizations(session, partner)]


@router.post("/partners/{name}/clients", status_code=201)
def create_client(
    name: str, body: ClientIn, session: SessionDep, _admin: AdminWriter
) -> IssuedClientOut:
    partner = directory.get_partner(session, name)
    organization = directory.get_organization(session, partner, body.orgId) if body.orgId else None
    issued = directory.create_client(
        session, partner, organization=organization, scopes=body.scopes
    )
    out = ClientOut.of(issued.client, body.orgId)
    return IssuedClientOut(**out.model_dump(), clientSecret=issued.secret)


@router.get("/partners/{name}/clients")
def list_clients(name: str, session: SessionDep, _admin: RequireAdmin) -> list[ClientOut]:
    partner = directory.get_partner(session, name)
    org_ids = {
        organization.id: organization.org_id
        for organization in directory.list_organizations(session, partner)
    }
    return [
        ClientOut.of(client, org_ids.get(client.organization_id or ""))
        for client in directory.list_clients(session, partner)
    ]


@router.delete("/partners/{name}/clients/{client_id}")
def revoke_client(name: str, client_id: str, session: SessionDep, _admin: AdminWriter) -> ClientOut:
    partner = directory.get_partner(session, name)
    client = directory.revoke_client(session, partner, client_id)
    return ClientOut.of(client, None)


@router.post("/partners/{name}/user-links", status_code=201)
def link_user(
    name: str, body: UserLinkIn, session: SessionDep, _admin: AdminWriter
) -> dict[str, str]:
    """Name a LearnLoop user by the partner's own user id (Track API ``user``)."""
    partner = directory.get_partner(session, name)
    if session.get(User, body.userId) is None:
        raise NotFound(f"No user {body.userId}")
    existing = session.scalar(
        select(PartnerUserLink.id).where(
            PartnerUserLink.partner_id == partner.id,
            PartnerUserLink.external_user_id == body.externalUserId,
        )
    )
    if existing is not None:
        raise Conflict(f"Partner {name} already links {body.externalUserId}")
    session.add(
        PartnerUserLink(
            partner_id=partner.id, external_user_id=body.externalUserId, user_id=body.userId
        )
    )
    session.flush()
    return {"externalUserId": body.externalUserId, "userId": body.userId}


@router.get("/partners/{name}/catalog")
def catalog(name: str, session: SessionDep, _admin: RequireAdmin) -> list[CatalogItemOut]:
    partner = directory.get_partner(session, name)
    items = session.scalars(
        select(PartnerCatalogItem)
        .where(PartnerCatalogItem.partner_id == partner.id)
        .order_by(PartnerCatalogItem.content_id)
    )
    return [CatalogItemOut.of(item) for item in items]


@router.post("/partners/{name}/pull-sources", status_code=201)
def add_pull_source(
    name: str,
    body: PullSourceIn,
    session: SessionDep,
    settings: SettingsDep,
    _admin: AdminWriter,
) -> PullSourceOut:
    partner = directory.get_partner(session, name)
    source = pull.add_source(
        session,
        partner,
        endpoint=body.endpoint,
        username=body.username,
        password=body.password,
        credentials_secret=settings.credentials_secret,
    )
    return PullSourceOut.of(source)


@router.get("/partners/{name}/pull-sources")
def list_pull_sources(name: str, session: SessionDep, _admin: RequireAdmin) -> list[PullSourceOut]:
    partner = directory.get_partner(session, name)
    return [PullSourceOut.of(source) for source in pull.list_sources(session, partner)]


@router.post("/partners/{name}/pull-sources/{source_id}/run", status_code=202)
def run_pull(name: str, source_id: str, session: SessionDep, _admin: AdminWriter) -> dict[str, int]:
    """Queue a pull job; it continues from the source's cursor."""
    partner = directory.get_partner(session, name)
    source = pull.get_source(session, partner, source_id)
    return {"jobId": pull.schedule_pull(session, source)}


@router.post("/forwarding-rules", status_code=201)
def create_forwarding_rule(
    body: ForwardingRuleIn, session: SessionDep, settings: SettingsDep, _admin: AdminWriter
) -> ForwardingRuleOut:
    rule = forwarding.create_rule(
        session,
        name=body.name,
        endpoint=body.endpoint,
        username=body.username,
        password=body.password,
        credentials_secret=settings.credentials_secret,
        verb_ids=body.verbs,
        activity_prefix=body.activityPrefix,
        actor_domain=body.actorDomain,
        partner_name=body.partner,
        batch_size=body.batchSize,
    )
    return ForwardingRuleOut.of(rule)


@router.get("/forwarding-rules")
def list_forwarding_rules(session: SessionDep, _admin: RequireAdmin) -> list[ForwardingRuleOut]:
    return [ForwardingRuleOut.of(rule) for rule in forwarding.list_rules(session)]


@router.delete("/forwarding-rules/{rule_id}")
def deactivate_forwarding_rule(
    rule_id: str, session: SessionDep, _admin: AdminWriter
) -> ForwardingRuleOut:
    return ForwardingRuleOut.of(forwarding.deactivate_rule(session, rule_id))


@router.get("/forwarding-rules/{rule_id}/dead-letters")
def forwarding_dead_letters(
    rule_id: str, session: SessionDep, _admin: RequireAdmin
) -> list[DeadLetterOut]:
    return [DeadLetterOut.of(entry) for entry in forwarding.dead_letters(session, rule_id)]
