"""Admin pages for LTI 1.3: the URLs a platform administrator enters, the registered
platforms, registering one, adding deployment ids and removing a registration. Forms
carry ``csrf_token`` (the CSRF contract); handlers call the ``learnloop.lti`` services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from learnloop.deps import SessionDep, SettingsDep
from learnloop.lti import platforms
from learnloop.lti.configuration import tool_configuration
from learnloop.web.layout import AdminPage, PageRoute, redirect, render

router = APIRouter(
    prefix="/admin/lti", tags=["pages"], include_in_schema=False, route_class=PageRoute
)

UrlField = Annotated[str, Form(min_length=1, max_length=1024)]
PlatformId = Annotated[str, Path(min_length=1, max_length=36)]
MAX_DEPLOYMENT_IDS = 100


def _deployment_ids(text: str) -> list[str]:
    """One deployment id per line or comma."""
    values = [value.strip() for value in text.replace(",", "\n").splitlines()]
    return [value for value in values if value][:MAX_DEPLOYMENT_IDS]


@router.get("")
def lti_page(
    request: Request, user: AdminPage, session: SessionDep, settings: SettingsDep
) -> Response:
    return render(
        request,
        "lti/platforms.html",
        {
            "configuration": tool_configuration(settings.base_url),
            "platforms": [
                (platform, platforms.deployment_ids_of(session, platform.id))
                for platform in platforms.list_platforms(session)
            ],
        },
        user=user,
    )


@router.post("")
def register_platform(
    request: Request,
    user: AdminPage,
    session: SessionDep,
    issuer: Annotated[str, Form(min_length=1, max_length=512)],
    client_id: Annotated[str, Form(min_length=1, max_length=255)],
    auth_login_url: UrlField,
    token_url: UrlField,
    jwks_url: UrlField,
    deployment_ids: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    platforms.register_platform(
        session,
        issuer=issuer,
        client_id=client_id,
        auth_login_url=auth_login_url,
        token_url=token_url,
        jwks_url=jwks_url,
        deployment_ids=_deployment_ids(deployment_ids),
    )
    return redirect("/admin/lti", "created")


@router.post("/{platform_id}/deployments")
def add_deployments(
    platform_id: PlatformId,
    request: Request,
    user: AdminPage,
    session: SessionDep,
    deployment_ids: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> Response:
    platform = platforms.get_platform(session, platform_id)
    platforms.add_deployments(session, platform, _deployment_ids(deployment_ids))
    return redirect("/admin/lti", "saved")


@router.post("/{platform_id}/delete")
def delete_platform(
    platform_id: PlatformId,
    request: Request,
    user: AdminPage,
    session: SessionDep,
) -> Response:
    platforms.delete_platform(session, platforms.get_platform(session, platform_id))
    return redirect("/admin/lti", "deleted")
