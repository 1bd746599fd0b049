"""``GET /h5p/content-types``, ``POST /h5p/libraries/install`` and
``/h5p/libraries/install-essentials`` ("Library Management" in the content API reference).
"""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request

from learnloop.auth.dependencies import CurrentUser, RequireTeacher
from learnloop.config import Settings
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, MessageEnvelope, ok
from learnloop.h5p.hub import cache
from learnloop.h5p.hub.client import HubClient
from learnloop.h5p.hub.install import install_essentials, install_from_hub
from learnloop.h5p.hub.schemas import (
    ContentTypeOut,
    ContentTypesOut,
    EssentialResultOut,
    EssentialsOut,
    HubStateOut,
    InstallIn,
    InstallOut,
)
from learnloop.h5p.hub.tasks import hub_client, schedule_refresh
from learnloop.h5p.library_rights import ensure_may_install_libraries
from learnloop.h5p.schemas import _iso
from learnloop.storage import FileStorage

router = APIRouter(prefix="/h5p", tags=["h5p hub"])


async def get_hub_client(request: Request) -> HubClient:
    settings: Settings = request.app.state.settings
    http: httpx.Client = request.app.state.services.http
    return hub_client(settings, http)


async def get_storage(request: Request) -> FileStorage:
    storage: FileStorage = request.app.state.storage
    return storage


HubDep = Annotated[HubClient, Depends(get_hub_client)]
StorageDep = Annotated[FileStorage, Depends(get_storage)]


@router.get("/content-types")
def list_content_types(
    _user: CurrentUser, session: SessionDep, settings: SettingsDep, request: Request
) -> Envelope[ContentTypesOut]:
    """The cached list, refreshed by a job; a server that never reached the hub asks it
    once here, and answers 503 (hub unreachable) only when there is no cache at all."""
    if settings.h5p_hub_url:
        refreshed_at, _error = cache.last_refresh(session)
        if refreshed_at is None:
            client = hub_client(settings, request.app.state.services.http)
            cache.refresh_cache(session, settings, client)
        schedule_refresh(session, settings.h5p_hub_refresh_seconds)
        refreshed_at, error = cache.last_refresh(session)
    else:
        refreshed_at, error = None, "No H5P Hub is configured on this server"
    states = cache.with_install_state(session, cache.cached_content_types(session))
    return ok(
        ContentTypesOut(
            contentTypes=[ContentTypeOut.of(state) for state in states],
            hub=HubStateOut(
                url=settings.h5p_hub_url,
                lastRefreshedAt=_iso(refreshed_at) if refreshed_at else None,
                lastError=error,
            ),
        )
    )


@router.post("/libraries/install")
def install_library(
    body: InstallIn,
    user: RequireTeacher,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    client: HubDep,
) -> MessageEnvelope[InstallOut]:
    ensure_may_install_libraries(session, user, settings.default_plan)
    result = install_from_hub(session, storage, settings, client, body.machineName)
    return MessageEnvelope(
        data=InstallOut(installed=result.installed, upgraded=result.upgraded),
        message=f"Library {body.machineName} installed successfully",
    )


@router.post("/libraries/install-essentials")
def install_essential_libraries(
    user: RequireTeacher,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    client: HubDep,
) -> MessageEnvelope[EssentialsOut]:
    ensure_may_install_libraries(session, user, settings.default_plan)
    report = install_essentials(session, storage, settings, client)
    total = len(report.results)
    return MessageEnvelope(
        data=EssentialsOut(
            total=total,
            installed=report.installed,
            failed=total - report.installed,
            results=[
                EssentialResultOut(name=result.name, success=result.success, error=result.error)
                for result in report.results
            ],
            refreshError=report.refresh_error,
        ),
        message=f"Installed {report.installed}/{total} content types",
    )
