"""The test LTI platform, its registration in LearnLoop, and a launch through it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.lti import keys, platforms
from learnloop.lti.models import LtiPlatform
from tests.lti.platform import TestPlatform, running_platform

FORM_FIELD = re.compile(r'name="(id_token|state)" value="([^"]*)"')
TOOL_BASE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def fresh_published_jwks() -> Iterator[None]:
    """Each test rolls its tool key back; the process's JWKS cache must not outlive it."""
    keys.forget_published()
    yield
    keys.forget_published()


@pytest.fixture(scope="module")
def lti_platform() -> Iterator[TestPlatform]:
    with running_platform(TOOL_BASE_URL) as platform:
        yield platform


@pytest.fixture
def registered(session: Session, lti_platform: TestPlatform) -> LtiPlatform:
    platform = platforms.register_platform(
        session,
        issuer=lti_platform.issuer,
        client_id=lti_platform.client_id,
        auth_login_url=lti_platform.auth_login_url,
        token_url=lti_platform.token_url,
        jwks_url=lti_platform.jwks_url,
        deployment_ids=[lti_platform.deployment_id],
    )
    session.commit()
    return platform


@dataclass
class PlatformLaunch:
    """What the platform's form would post to the tool: a real id_token and its state."""

    id_token: str
    state: str

    @property
    def claims(self) -> dict[str, Any]:
        return dict(jwt.decode(self.id_token, options={"verify_signature": False}))

    def form(self, id_token: str | None = None, state: str | None = None) -> dict[str, str]:
        return {
            "id_token": self.id_token if id_token is None else id_token,
            "state": self.state if state is None else state,
        }


def platform_launch(
    client: TestClient,
    platform: TestPlatform,
    login_hint: str,
    target: str,
    message: str = "resource",
) -> PlatformLaunch:
    """Start a launch at the platform, let the tool answer the login, and take the id_token
    form the platform's authorization endpoint renders."""
    started = httpx.get(
        platform.issuer + "/start",
        params={"login_hint": login_hint, "target": target, "message": message},
    )
    assert started.status_code in (302, 307), started.text
    tool_login = urlsplit(started.headers["location"])
    assert f"{tool_login.scheme}://{tool_login.netloc}" == TOOL_BASE_URL
    answered = client.get(f"{tool_login.path}?{tool_login.query}", follow_redirects=False)
    assert answered.status_code == 302, answered.text
    authorized = httpx.get(answered.headers["location"])
    assert authorized.status_code == 200, authorized.text
    fields = dict(FORM_FIELD.findall(authorized.text))
    return PlatformLaunch(id_token=fields["id_token"], state=fields["state"])
