"""A real LTI 1.3 platform for the tests, built on the ``lti1p3platform`` package and
served over HTTP on 127.0.0.1 by uvicorn in a thread.

Endpoints:
* ``GET /start`` begins a launch like an LMS page would: the package's OIDC login
  redirects the browser to the tool's login initiation URL;
* ``GET /authorize`` is the platform's OIDC authorization endpoint: the package checks the
  tool's authentication request and renders the auto-submitting form with the id_token;
* ``GET /jwks`` publishes the platform's public key.

Who launches, with which roles and into which context, is set per ``login_hint`` in
:attr:`TestPlatform.people`; the target link and message type ride in
``lti_message_hint`` as a real platform keeps them for its own authorization step.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from lti1p3platform.framework.fastapi.message_launch import FastapiMessageLaunch
from lti1p3platform.framework.fastapi.oidc_login import FastAPIOIDCLogin
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.registration import Registration

from tests.support.live_server import free_port

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
CLIENT_ID = "learnloop-tool"
DEPLOYMENT_ID = "deployment-1"


def generate_rsa_pem() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class Person:
    roles: list[str]
    name: str
    context_id: str = "course-1"
    context_title: str = "Biology 101"


@dataclass
class TestPlatform:
    __test__ = False

    issuer: str
    tool_base_url: str
    private_pem: str
    public_pem: str
    client_id: str = CLIENT_ID
    deployment_id: str = DEPLOYMENT_ID
    people: dict[str, Person] = field(default_factory=dict)

    @property
    def jwks_url(self) -> str:
        return self.issuer + "/jwks"

    @property
    def auth_login_url(self) -> str:
        return self.issuer + "/authorize"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    def registration(self, target_link_uri: str | None = None) -> Registration:
        registration = (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(self.client_id)
            .set_deployment_id(self.deployment_id)
            .set_oidc_login_url(self.tool_base_url + "/lti/login")
            .set_launch_url(target_link_uri or self.tool_base_url + "/lti/launch")
            .set_platform_public_key(self.public_pem)
            .set_platform_private_key(self.private_pem)
            .set_tool_key_set_url(self.tool_base_url + "/lti/jwks")
        )
        return registration

    def sign(self, claims: dict[str, Any], private_pem: str | None = None) -> str:
        """Claims signed as this platform signs id_tokens (or with another key)."""
        token: str = Registration.encode_and_sign(
            dict(claims), private_pem or self.private_pem, headers=self._kid_header()
        )
        return token

    def _kid_header(self) -> dict[str, str] | None:
        kid = self.registration().get_kid()
        return {"kid": kid} if kid else None


class PlatformConfig(LTI1P3PlatformConfAbstract):  # type: ignore[misc]
    platform: TestPlatform
    target_link_uri: str | None

    def init_platform_config(self, **kwargs: Any) -> None:
        self.platform = kwargs["platform"]
        self.target_link_uri = kwargs.get("target_link_uri")

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self.platform.registration(self.target_link_uri)


class _Login(FastAPIOIDCLogin):  # type: ignore[misc]
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = json.dumps(kwargs)


class _Launch(FastapiMessageLaunch):  # type: ignore[misc]
    def prepare_launch(self, preflight_response: dict[str, Any]) -> None:
        platform: TestPlatform = self._platform_config.platform  # type: ignore[attr-defined]
        hint = json.loads(preflight_response["lti_message_hint"])
        person = platform.people[preflight_response["login_hint"]]
        self.set_user_data(preflight_response["login_hint"], person.roles, full_name=person.name)
        self.set_launch_context_claim(
            person.context_id,
            context_types=["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            context_title=person.context_title,
        )
        if hint["message"] == "deep-linking":
            self.set_extra_claims(
                {
                    "https://purl.imsglobal.org/spec/lti/claim/message_type": (
                        "LtiDeepLinkingRequest"
                    ),
                    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                        "deep_link_return_url": platform.issuer + "/deep-link-return",
                        "accept_types": ["ltiResourceLink"],
                        "accept_presentation_document_targets": ["iframe", "window"],
                        "data": "opaque-platform-data",
                    },
                }
            )
        else:
            self.set_resource_link_claim(hint["resource_link_id"], title="Linked content")


def build_platform_app(platform: TestPlatform) -> FastAPI:
    app = FastAPI()

    @app.get("/course", response_class=HTMLResponse)
    def course(login_hint: str, target: str) -> str:
        """An LMS course page showing the tool's link in an iframe, as LMSs embed tools."""
        start = "/start?" + urlencode({"login_hint": login_hint, "target": target})
        return (
            "<!doctype html><html><head><title>Course</title></head><body>"
            f'<h1>Course</h1><iframe id="tool" src="{html.escape(start)}" '
            'width="1000" height="700"></iframe></body></html>'
        )

    @app.get("/jwks")
    def jwks() -> dict[str, Any]:
        return {"keys": platform.registration().get_jwks()}

    @app.get("/start")
    def start(
        request: Request, login_hint: str, target: str, message: str = "resource"
    ) -> Response:
        config = PlatformConfig(platform=platform, target_link_uri=target)
        login = _Login(request, config)
        login.set_lti_message_hint(
            message=message, target=target, resource_link_id=f"link-{abs(hash(target))}"
        )
        response: Response = login.initiate_login(login_hint)
        return response

    @app.get("/authorize")
    def authorize(request: Request) -> Response:
        hint = json.loads(request.query_params["lti_message_hint"])
        launch = _Launch(request, PlatformConfig(platform=platform, target_link_uri=hint["target"]))
        response: Response = launch.lti_launch()
        return response

    return app


@contextmanager
def serve(app: FastAPI, port: int) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name=f"lti-platform-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test LTI platform did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def running_platform(tool_base_url: str, host: str = "127.0.0.1") -> Iterator[TestPlatform]:
    """``host`` "localhost" puts the platform on another site than a tool on 127.0.0.1,
    so the tool runs in a third-party iframe as it does under a real LMS."""
    port = free_port()
    private_pem, public_pem = generate_rsa_pem()
    platform = TestPlatform(
        issuer=f"http://{host}:{port}",
        tool_base_url=tool_base_url,
        private_pem=private_pem,
        public_pem=public_pem,
    )
    with serve(build_platform_app(platform), port):
        yield platform
