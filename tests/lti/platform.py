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
from fastapi.responses import HTMLResponse, JSONResponse, Response
from lti1p3platform.constants import LTI_1P3_ACCESS_TOKEN_SCOPES
from lti1p3platform.framework.fastapi.message_launch import FastapiMessageLaunch
from lti1p3platform.framework.fastapi.oidc_login import FastAPIOIDCLogin
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.registration import Registration

from tests.support.live_server import free_port

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
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
    # The tool's JWKS when the platform cannot fetch it (a tool behind TestClient).
    tool_jwks: dict[str, Any] | None = None
    # Scores the AGS score service accepted, and how many calls to refuse first (503).
    scores: list[dict[str, Any]] = field(default_factory=list)
    refuse_scores: int = 0
    # Course members the platform lists in its roster without them having launched.
    roster: dict[str, Person] = field(default_factory=dict)
    token_requests: int = 0

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
        registration = self.platform.registration(self.target_link_uri)
        if self.platform.tool_jwks is not None:
            registration.set_tool_key_set(self.platform.tool_jwks)
        return registration


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
            self.set_extra_claims(
                {
                    "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                        "scope": LTI_1P3_ACCESS_TOKEN_SCOPES[:4],
                        "lineitems": platform.issuer + "/lineitems",
                        "lineitem": f"{platform.issuer}/lineitems/{hint['resource_link_id']}",
                    },
                    "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                        "context_memberships_url": (
                            f"{platform.issuer}/contexts/{person.context_id}/memberships"
                        ),
                        "service_versions": ["2.0"],
                    },
                }
            )


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

    @app.post("/token")
    async def token(request: Request) -> Response:
        """The client-credentials grant with a JWT assertion, checked by the package
        against the tool's JWKS (Security Framework §4.1)."""
        platform.token_requests += 1
        form = {key: str(value) for key, value in (await request.form()).items()}
        config = PlatformConfig(platform=platform, target_link_uri=None)
        config.get_registration()
        try:
            answer = config.get_access_token(form)
        except Exception as exc:
            return JSONResponse({"error": "invalid_client", "detail": str(exc)}, 401)
        return JSONResponse(dict(answer))

    @app.post("/lineitems/{lineitem_id}/scores")
    async def score(lineitem_id: str, request: Request) -> Response:
        config = PlatformConfig(platform=platform, target_link_uri=None)
        config.get_registration()
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        try:
            allowed = config.validate_token(bearer, allowed_scopes=[SCORE_SCOPE])
        except Exception:
            allowed = False
        if not allowed:
            return JSONResponse({"error": "unauthorized"}, 401)
        if request.headers.get("content-type") != "application/vnd.ims.lis.v1.score+json":
            return JSONResponse({"error": "unsupported media type"}, 415)
        if platform.refuse_scores > 0:
            platform.refuse_scores -= 1
            return JSONResponse({"error": "try later"}, 503)
        platform.scores.append({"lineitem": lineitem_id, **json.loads(await request.body())})
        return Response(status_code=204)

    @app.get("/contexts/{context_id}/memberships")
    def memberships(context_id: str, request: Request, page: int = 0) -> Response:
        """NRPS 2.0 membership container, two members a page linked by rel="next"."""
        config = PlatformConfig(platform=platform, target_link_uri=None)
        config.get_registration()
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        try:
            allowed = config.validate_token(bearer, allowed_scopes=[NRPS_SCOPE])
        except Exception:
            allowed = False
        if not allowed:
            return JSONResponse({"error": "unauthorized"}, 401)
        everyone = {**platform.people, **platform.roster}
        members = [
            {
                "status": "Active",
                "user_id": user_id,
                "name": person.name,
                "roles": person.roles,
            }
            for user_id, person in sorted(everyone.items())
            if person.context_id == context_id
        ]
        start = page * 2
        headers = {}
        if start + 2 < len(members):
            url = f"{platform.issuer}/contexts/{context_id}/memberships?page={page + 1}"
            headers["Link"] = f'<{url}>; rel="next"'
        return JSONResponse(
            {
                "id": str(request.url),
                "context": {"id": context_id},
                "members": members[start : start + 2],
            },
            headers=headers,
            media_type="application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
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
