"""Request dependencies of the LRS: the xAPI version spoken, the caller, the hooks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from learnloop.auth.dependencies import resolve_user
from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import Unauthorized
from learnloop.xapi.callers import XapiCaller, client_caller, user_caller
from learnloop.xapi.credentials import authenticate
from learnloop.xapi.errors import InvalidLrsCredentials
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.versions import VERSION_HEADER, XapiVersion, parse_version_header

BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="LearnLoop LRS"'}
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


async def get_xapi_version(request: Request) -> XapiVersion:
    return parse_version_header(request.headers.get(VERSION_HEADER))


async def get_statement_hooks(request: Request) -> StatementHooks:
    hooks: StatementHooks = getattr(request.app.state, "xapi_hooks", _NO_HOOKS)
    return hooks


def get_xapi_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _version: Annotated[XapiVersion, Depends(get_xapi_version)],
) -> XapiCaller:
    """HTTP Basic with LRS client credentials, or a LearnLoop bearer token."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidLrsCredentials(
                "Malformed Basic credentials", headers=BASIC_CHALLENGE
            ) from exc
        key, _, secret = decoded.partition(":")
        for authenticate_other in registered_basic_authenticators(request):
            caller = authenticate_other(request, session, key, secret)
            if caller is not None:
                return caller
        client = authenticate(session, key, secret)
        if client is None:
            raise InvalidLrsCredentials("Invalid LRS credentials", headers=BASIC_CHALLENGE)
        return client_caller(client, settings.base_url)
    user = resolve_user(request, session, settings)
    if user is None:
        raise Unauthorized(
            "Authentication required: HTTP Basic LRS credentials or a bearer token",
            headers=BASIC_CHALLENGE,
        )
    return user_caller(user, settings.base_url)


XapiVersionDep = Annotated[XapiVersion, Depends(get_xapi_version)]
XapiCallerDep = Annotated[XapiCaller, Depends(get_xapi_caller)]
StatementHooksDep = Annotated[StatementHooks, Depends(get_statement_hooks)]


async def read_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(read_body)]
