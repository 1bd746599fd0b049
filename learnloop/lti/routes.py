"""HTTP endpoints of the LTI tool: JWKS and configuration, OIDC login, launch, and the
admin API for platform registrations. Handlers parse, call one service, shape the reply."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Response
from fastapi.responses import RedirectResponse

from learnloop.auth.dependencies import RequireAdmin
from learnloop.deps import SessionDep, SettingsDep
from learnloop.lti import keys, landing, platforms
from learnloop.lti.configuration import JWKS_PATH, LOGIN_PATH, tool_configuration
from learnloop.lti.dependencies import PlatformKeySetsDep
from learnloop.lti.launch import validate_launch
from learnloop.lti.login import LAUNCH_PATH, LoginInitiation, start_login
from learnloop.lti.refusals import BrowserFacingRoute
from learnloop.lti.schemas import DeploymentsIn, PlatformIn, PlatformOut, ToolConfigurationOut

router = APIRouter(tags=["lti"])
# The OIDC login and the launch are opened by a person's browser: refusals are a page there.
browser_router = APIRouter(tags=["lti"], route_class=BrowserFacingRoute)
admin_router = APIRouter(prefix="/api/admin/lti", tags=["lti (admin)"])

MAX_PARAMETER = 4096
MAX_ID_TOKEN = 64 * 1024


@router.get(JWKS_PATH)
def tool_jwks(session: SessionDep, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return keys.tool_jwks(session)


@router.get("/lti/config")
def configuration(settings: SettingsDep) -> ToolConfigurationOut:
    return tool_configuration(settings.base_url)


def _login(session: SessionDep, settings: SettingsDep, initiation: LoginInitiation) -> Response:
    # 302 keeps GET for the authentication request (Security Framework §5.1.1.2).
    return RedirectResponse(start_login(session, settings.base_url, initiation), status_code=302)


Parameter = Annotated[str, Query(max_length=MAX_PARAMETER)]
OptionalParameter = Annotated[str | None, Query(max_length=MAX_PARAMETER)]
FormParameter = Annotated[str, Form(max_length=MAX_PARAMETER)]
OptionalFormParameter = Annotated[str | None, Form(max_length=MAX_PARAMETER)]


@browser_router.get(LOGIN_PATH)
def login_get(
    session: SessionDep,
    settings: SettingsDep,
    iss: Parameter,
    login_hint: Parameter,
    target_link_uri: Parameter,
    client_id: OptionalParameter = None,
    lti_message_hint: OptionalParameter = None,
    lti_deployment_id: OptionalParameter = None,
) -> Response:
    return _login(
        session,
        settings,
        LoginInitiation(
            iss, login_hint, target_link_uri, client_id, lti_message_hint, lti_deployment_id
        ),
    )


@browser_router.post(LOGIN_PATH)
def login_post(
    session: SessionDep,
    settings: SettingsDep,
    iss: FormParameter,
    login_hint: FormParameter,
    target_link_uri: FormParameter,
    client_id: OptionalFormParameter = None,
    lti_message_hint: OptionalFormParameter = None,
    lti_deployment_id: OptionalFormParameter = None,
) -> Response:
    return _login(
        session,
        settings,
        LoginInitiation(
            iss, login_hint, target_link_uri, client_id, lti_message_hint, lti_deployment_id
        ),
    )


@browser_router.post(LAUNCH_PATH)
def launch(
    session: SessionDep,
    settings: SettingsDep,
    key_sets: PlatformKeySetsDep,
    id_token: Annotated[str, Form(max_length=MAX_ID_TOKEN)],
    state: Annotated[str, Form(max_length=MAX_PARAMETER)],
) -> Response:
    valid = validate_launch(
        session,
        key_sets,
        id_token=id_token,
        state=state,
        leeway_seconds=settings.jwt_leeway_seconds,
    )
    landed = landing.land(session, settings, valid)
    # 303: the browser follows with a GET (the player is not a form target).
    return RedirectResponse(landed.redirect_url, status_code=303)


def _platform_out(session: SessionDep, platform_id: str) -> PlatformOut:
    platform = platforms.get_platform(session, platform_id)
    return PlatformOut.of(platform, platforms.deployment_ids_of(session, platform.id))


@admin_router.post("/platforms", status_code=201)
def register_platform(body: PlatformIn, session: SessionDep, _admin: RequireAdmin) -> PlatformOut:
    platform = platforms.register_platform(
        session,
        issuer=body.issuer,
        client_id=body.clientId,
        auth_login_url=body.authLoginUrl,
        token_url=body.tokenUrl,
        jwks_url=body.jwksUrl,
        deployment_ids=body.deploymentIds,
    )
    return _platform_out(session, platform.id)


@admin_router.get("/platforms")
def list_platforms(session: SessionDep, _admin: RequireAdmin) -> list[PlatformOut]:
    return [
        PlatformOut.of(platform, platforms.deployment_ids_of(session, platform.id))
        for platform in platforms.list_platforms(session)
    ]


@admin_router.get("/platforms/{platform_id}")
def get_platform(platform_id: str, session: SessionDep, _admin: RequireAdmin) -> PlatformOut:
    return _platform_out(session, platform_id)


@admin_router.post("/platforms/{platform_id}/deployments")
def add_deployments(
    platform_id: str, body: DeploymentsIn, session: SessionDep, _admin: RequireAdmin
) -> PlatformOut:
    platforms.add_deployments(
        session, platforms.get_platform(session, platform_id), body.deploymentIds
    )
    return _platform_out(session, platform_id)


@admin_router.delete("/platforms/{platform_id}", status_code=204)
def delete_platform(platform_id: str, session: SessionDep, _admin: RequireAdmin) -> Response:
    platforms.delete_platform(session, platforms.get_platform(session, platform_id))
    return Response(status_code=204)


# Copied into the module's router after its routes exist (include_router copies routes and
# keeps their route class), so main.py mounts one LTI router.
router.include_router(browser_router)
