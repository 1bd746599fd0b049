"""Admin API for LRS client credentials: ``/api/admin/lrs-clients``."""

from __future__ import annotations

from fastapi import APIRouter

from learnloop.auth.dependencies import RequireAdmin
from learnloop.deps import SessionDep
from learnloop.envelope import Envelope, ok
from learnloop.xapi import credentials
from learnloop.xapi.models import LrsClient
from learnloop.xapi.schemas import LrsClientCreate, LrsClientIssued, LrsClientOut

router = APIRouter(prefix="/api/admin/lrs-clients", tags=["LRS clients"])


def _out(client: LrsClient) -> LrsClientOut:
    return LrsClientOut(
        id=client.id,
        key=client.key,
        name=client.name,
        scopes=list(client.scopes),
        defaultXapiVersion=client.default_xapi_version,
        isActive=client.is_active,
        createdAt=client.created_at,
        revokedAt=client.revoked_at,
    )


@router.get("", response_model=Envelope[list[LrsClientOut]])
def list_clients(session: SessionDep, _admin: RequireAdmin) -> Envelope[list[LrsClientOut]]:
    return ok([_out(client) for client in credentials.list_clients(session)])


@router.post("", response_model=Envelope[LrsClientIssued], status_code=201)
def create_client(
    body: LrsClientCreate, session: SessionDep, admin: RequireAdmin
) -> Envelope[LrsClientIssued]:
    issued = credentials.create_client(
        session,
        name=body.name,
        scopes=body.scopes or credentials.DEFAULT_SCOPES,
        owner_id=admin.id,
        default_xapi_version=body.defaultXapiVersion,
    )
    return ok(LrsClientIssued(**_out(issued.client).model_dump(), secret=issued.secret))


@router.delete("/{client_id}", response_model=Envelope[LrsClientOut])
def revoke_client(
    client_id: str, session: SessionDep, _admin: RequireAdmin
) -> Envelope[LrsClientOut]:
    return ok(_out(credentials.revoke_client(session, client_id)))
