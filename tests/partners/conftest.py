"""Partners, organizations and OAuth2 clients committed for a test (rolled back after)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.partners import directory
from learnloop.partners.models import Partner

XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}


@dataclass
class PartnerClientCredentials:
    partner: Partner
    client_id: str
    secret: str


MakeClient = Callable[..., PartnerClientCredentials]


@pytest.fixture
def make_partner_client(session: Session) -> MakeClient:
    def make(
        name: str = "acme",
        *,
        org_id: str | None = None,
        scopes: list[str] | None = None,
        unknown_users: str = "reject",
    ) -> PartnerClientCredentials:
        partner = session.query(Partner).filter_by(name=name).one_or_none()
        if partner is None:
            partner = directory.create_partner(
                session,
                name=name,
                display_name=name.title() + " Learning",
                unknown_users=unknown_users,
            )
        organization = None
        if org_id is not None:
            organization = next(
                (o for o in directory.list_organizations(session, partner) if o.org_id == org_id),
                None,
            ) or directory.add_organization(session, partner, org_id=org_id)
        issued = directory.create_client(session, partner, organization=organization, scopes=scopes)
        session.commit()
        return PartnerClientCredentials(partner, issued.client.client_id, issued.secret)

    return make


def bearer_token(
    client: TestClient | httpx.Client,
    credentials: PartnerClientCredentials,
    scope: str | None = None,
) -> str:
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    response = client.post(
        "/oauth/token", data=data, auth=(credentials.client_id, credentials.secret)
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def acme(make_partner_client: MakeClient) -> PartnerClientCredentials:
    return make_partner_client("acme")


@pytest.fixture
def acme_headers(client: TestClient, acme: PartnerClientCredentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {bearer_token(client, acme)}"}
