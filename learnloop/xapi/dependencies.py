"""Request dependencies of the LRS: the xAPI version spoken, the caller, the hooks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from learnloop.auth.dependencies import resolve_user
from learnloop.config import Settings
from learnloop.deps import SessionDep, SettingsDep, get_settings
from learnloop.errors import Unauthorized
from learnloop.xapi.callers import XapiCaller, client_caller, user_caller
from learnloop.xapi.credentials import authenticate, cached_client, default_version_of
from learnloop.xapi.errors import InvalidLrsCredentials
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.versions import VERSION_HEADER, XapiVersion, parse_version_header

BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="LearnLoop LRS"'}


def basic_challenge(request: Request) -> dict[str, str]:
    """The Basic challenge of a 401, except for requests a browser script sends (they carry
    ``Origin``): there the challenge would pop up the browser's login dialog inside an AU
    instead of letting the script see the 401 (cmi5 AUs talk to the LRS from the page)."""
    if "origin" in request.headers or request.headers.get("sec-fetch-mode") == "cors":
        return {}
    return BASIC_CHALLENGE


_NO_HOOKS = StatementHooks()

# Other domains may accept Basic credentials of their own (cmi5 auth tokens, cmi5 8.2.3).
# ``main.py`` lists them in ``app.state.xapi_basic_authenticators``; each returns a caller
# for credentials it recognises, None to pass them on, or raises for ones it refuses.
BasicAuthenticator = Callable[[Request, Session, str, str], "XapiCaller | None"]


def registered_basic_authenticators(request: Request) -> Sequence[BasicAuthenticator]:
    authenticators: Sequence[BasicAuthenticator] = getattr(
        request.app.state, "xapi_basic_authenticators", ()
    )
    return authenticators


def _basic_pair(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, _, secret = decoded.partition(":")
    return key, secret


async def get_xapi_version(request: Request, session: SessionDep) -> XapiVersion:
    header = request.headers.get(VERSION_HEADER)
    if header is None or not header.strip():
        # The 400 for the missing header is announced in the client's default version,
        # when its credentials name one (versions.XapiVersionHeaderMiddleware).
        pair = _basic_pair(request)
        if pair is not None:
            default = await run_in_threadpool(default_version_of, session, *pair)
            if default is not None:
                request.state.xapi_error_version = default
    return parse_version_header(header)


async def get_statement_hooks(request: Request) -> StatementHooks:
    hooks: StatementHooks = getattr(request.app.state, "xapi_hooks", _NO_HOOKS)
    return hooks


async def get_xapi_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _version: Annotated[XapiVersion, Depends(get_xapi_version)],
) -> XapiCaller:
    """HTTP Basic with LRS client credentials, or a LearnLoop bearer token.

    LRS client credentials found in the per-process cache (``credentials.cached_client``)
    are checked here, on the event loop, without a hop to a thread: statement POSTs are
    the LRS's busiest requests and nearly all of them come from a known client. The key
    of a cached entry is an LRS client's; the other Basic authenticators recognise keys of
    their own shape (cmi5 auth tokens have a prefix that the hex keys of LRS clients never
    start with), so answering from the cache does not take a request from them.
    Everything else may read the database and runs in the thread pool."""
    pair = _basic_pair(request)
    if pair is not None:
        client = cached_client(*pair)
        if client is not None:
            return client_caller(client, settings.base_url)
    return await run_in_threadpool(_resolve_caller, request, session, settings)


def _resolve_caller(request: Request, session: Session, settings: Settings) -> XapiCaller:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidLrsCredentials(
                "Malformed Basic credentials", headers=basic_challenge(request)
            ) from exc
        key, _, secret = decoded.partition(":")
        for authenticate_other in registered_basic_authenticators(request):
            caller = authenticate_other(request, session, key, secret)
            if caller is not None:
                return caller
        client = authenticate(session, key, secret)
        if client is None:
            raise InvalidLrsCredentials("Invalid LRS credentials", headers=basic_challenge(request))
        return client_caller(client, settings.base_url)
    user = resolve_user(request, session, settings)
    if user is None:
        raise Unauthorized(
            "Authentication required: HTTP Basic LRS credentials or a bearer token",
            headers=basic_challenge(request),
        )
    return user_caller(user, settings.base_url)


XapiVersionDep = Annotated[XapiVersion, Depends(get_xapi_version)]
XapiCallerDep = Annotated[XapiCaller, Depends(get_xapi_caller)]
StatementHooksDep = Annotated[StatementHooks, Depends(get_statement_hooks)]


async def read_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(read_body)]


@dataclass(frozen=True)
class StatementWrite:
    """What a request that stores statements needs: its session, the version it speaks,
    its caller, the hooks and its body."""

    session: Session
    settings: Settings
    version: XapiVersion
    caller: XapiCaller
    hooks: StatementHooks
    body: bytes


async def get_statement_write(request: Request, session: SessionDep) -> StatementWrite:
    """The dependencies of ``PUT``/``POST /xapi/statements`` resolved in one: FastAPI's
    per-dependency work cost more than these do themselves on the LRS's busiest route.
    Same order as separate dependencies: the version header (400), then the caller (401),
    then the body."""
    settings = await get_settings(request)
    version = await get_xapi_version(request, session)
    caller = await get_xapi_caller(request, session, settings, version)
    hooks = await get_statement_hooks(request)
    return StatementWrite(session, settings, version, caller, hooks, await request.body())


StatementWriteDep = Annotated[StatementWrite, Depends(get_statement_write)]
