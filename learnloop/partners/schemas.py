"""Wire models of the partner admin API (camelCase, as the rest of ``/api``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from learnloop.partners.models import (
    ForwardingOutboxEntry,
    ForwardingRule,
    Partner,
    PartnerCatalogItem,
    PartnerClient,
    PartnerOrganization,
    PartnerPullSource,
)

_STRICT = ConfigDict(extra="forbid")


class PartnerIn(BaseModel):
    model_config = _STRICT
    name: str = Field(max_length=64)
    displayName: str = Field(default="", max_length=200)  # noqa: N815
    unknownUsers: Literal["reject", "create"] = "reject"  # noqa: N815


class PartnerOut(BaseModel):
    id: str
    name: str
    displayName: str  # noqa: N815
    unknownUsers: str  # noqa: N815
    createdAt: datetime  # noqa: N815

    @classmethod
    def of(cls, partner: Partner) -> PartnerOut:
        return cls(
            id=partner.id,
            name=partner.name,
            displayName=partner.display_name,
            unknownUsers=partner.unknown_users,
            createdAt=partner.created_at,
        )


class OrganizationIn(BaseModel):
    model_config = _STRICT
    orgId: str = Field(max_length=64)  # noqa: N815
    name: str = Field(default="", max_length=200)


class OrganizationOut(BaseModel):
    id: str
    orgId: str  # noqa: N815
    name: str

    @classmethod
    def of(cls, organization: PartnerOrganization) -> OrganizationOut:
        return cls(id=organization.id, orgId=organization.org_id, name=organization.name)


class ClientIn(BaseModel):
    model_config = _STRICT
    orgId: str | None = Field(default=None, max_length=64)  # noqa: N815
    scopes: list[str] | None = Field(default=None, max_length=10)


class ClientOut(BaseModel):
    clientId: str  # noqa: N815
    orgId: str | None  # noqa: N815
    scopes: list[str]
    active: bool
    createdAt: datetime  # noqa: N815

    @classmethod
    def of(cls, client: PartnerClient, org_id: str | None) -> ClientOut:
        return cls(
            clientId=client.client_id,
            orgId=org_id,
            scopes=client.scopes,
            active=client.is_active,
            createdAt=client.created_at,
        )


class IssuedClientOut(ClientOut):
    """Returned once, on creation: the secret is stored hashed only."""

    clientSecret: str  # noqa: N815


class UserLinkIn(BaseModel):
    model_config = _STRICT
    externalUserId: str = Field(min_length=1, max_length=320)  # noqa: N815
    userId: str = Field(min_length=1, max_length=36)  # noqa: N815


class PullSourceIn(BaseModel):
    model_config = _STRICT
    endpoint: str = Field(max_length=2048)
    username: str = Field(max_length=500)
    password: str = Field(max_length=500)


class PullSourceOut(BaseModel):
    id: str
    endpoint: str
    username: str
    cursor: str | None
    statementsPulled: int  # noqa: N815
    lastRunAt: datetime | None  # noqa: N815

    @classmethod
    def of(cls, source: PartnerPullSource) -> PullSourceOut:
        return cls(
            id=source.id,
            endpoint=source.endpoint,
            username=source.username,
            cursor=source.cursor_stored,
            statementsPulled=source.statements_pulled,
            lastRunAt=source.last_run_at,
        )


class ForwardingRuleIn(BaseModel):
    model_config = _STRICT
    name: str = Field(default="", max_length=200)
    endpoint: str = Field(max_length=2048)
    username: str = Field(max_length=500)
    password: str = Field(max_length=500)
    verbs: list[str] = Field(default_factory=list, max_length=100)
    activityPrefix: str | None = Field(default=None, max_length=2048)  # noqa: N815
    actorDomain: str | None = Field(default=None, max_length=255)  # noqa: N815
    partner: str | None = Field(default=None, max_length=64)
    batchSize: int = 50  # noqa: N815


class ForwardingRuleOut(BaseModel):
    id: str
    name: str
    endpoint: str
    verbs: list[str]
    activityPrefix: str | None  # noqa: N815
    actorDomain: str | None  # noqa: N815
    partnerId: str | None  # noqa: N815
    batchSize: int  # noqa: N815
    active: bool

    @classmethod
    def of(cls, rule: ForwardingRule) -> ForwardingRuleOut:
        return cls(
            id=rule.id,
            name=rule.name,
            endpoint=rule.endpoint,
            verbs=rule.verb_ids,
            activityPrefix=rule.activity_prefix,
            actorDomain=rule.actor_domain,
            partnerId=rule.partner_id,
            batchSize=rule.batch_size,
            active=rule.is_active,
        )


class DeadLetterOut(BaseModel):
    statementId: str  # noqa: N815
    error: str | None
    createdAt: datetime  # noqa: N815

    @classmethod
    def of(cls, entry: ForwardingOutboxEntry) -> DeadLetterOut:
        return cls(
            statementId=entry.statement_id, error=entry.last_error, createdAt=entry.created_at
        )


class CatalogItemOut(BaseModel):
    contentId: str  # noqa: N815
    title: str
    activityId: str  # noqa: N815

    @classmethod
    def of(cls, item: PartnerCatalogItem) -> CatalogItemOut:
        return cls(contentId=item.content_id, title=item.title, activityId=item.activity_id)
