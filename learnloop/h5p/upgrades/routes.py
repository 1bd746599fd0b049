"""``POST /h5p/libraries/upgrades`` (queue a content upgrade run) and
``GET /h5p/libraries/upgrades/{id}`` (its progress). Upgrading content to another library
version is part of the right to install and upgrade libraries (library_rights)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from learnloop.auth.dependencies import RequireTeacher
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, ok
from learnloop.errors import NotFound
from learnloop.h5p.library_rights import ensure_may_install_libraries
from learnloop.h5p.models import H5PLibrary
from learnloop.h5p.schemas import _iso
from learnloop.h5p.upgrades.models import ContentUpgrade
from learnloop.h5p.upgrades.service import request_upgrade

router = APIRouter(prefix="/h5p", tags=["h5p upgrades"])


class UpgradeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    library: str = Field(min_length=1, max_length=300)
    contentId: str | None = Field(  # noqa: N815
        default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$"
    )


class UpgradeOut(BaseModel):
    id: str
    library: str
    status: str
    total: int
    upgraded: int
    failed: int
    errors: list[Any]
    createdAt: str  # noqa: N815
    finishedAt: str | None  # noqa: N815


def _out(session: SessionDep, run: ContentUpgrade) -> UpgradeOut:
    target = session.get(H5PLibrary, run.target_library_id)
    return UpgradeOut(
        id=run.id,
        library=target.ubername if target else "",
        status=run.status,
        total=run.total,
        upgraded=run.upgraded,
        failed=run.failed,
        errors=run.errors,
        createdAt=_iso(run.created_at),
        finishedAt=_iso(run.finished_at) if run.finished_at else None,
    )


@router.post("/libraries/upgrades", status_code=202)
def start_upgrade(
    body: UpgradeIn, user: RequireTeacher, session: SessionDep, settings: SettingsDep
) -> Envelope[UpgradeOut]:
    ensure_may_install_libraries(session, user, settings.default_plan)
    run = request_upgrade(session, user, body.library, body.contentId)
    return ok(_out(session, run))


@router.get("/libraries/upgrades/{upgrade_id}")
def upgrade_progress(
    upgrade_id: Annotated[str, Path(min_length=1, max_length=36)],
    user: RequireTeacher,
    session: SessionDep,
    settings: SettingsDep,
) -> Envelope[UpgradeOut]:
    ensure_may_install_libraries(session, user, settings.default_plan)
    run = session.get(ContentUpgrade, upgrade_id)
    if run is None:
        raise NotFound(f"Upgrade {upgrade_id} not found")
    return ok(_out(session, run))
