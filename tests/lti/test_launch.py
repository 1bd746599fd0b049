"""The id_token launch (Security Framework 1.0 §5.1.3, LTI Core 1.3 §5): a launch from the
real test platform signs in, and every check refuses a forged or replayed token."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learnloop.analytics.models import ClassMember, LearnerClass
from learnloop.auth.models import User
from learnloop.db import utcnow
from learnloop.lti.models import LtiContextClass, LtiLoginState, LtiUserLink
from tests.lti.conftest import TOOL_BASE_URL, PlatformLaunch, platform_launch
from tests.lti.platform import INSTRUCTOR, LEARNER, Person, TestPlatform, generate_rsa_pem

pytestmark = pytest.mark.usefixtures("registered")

LIBRARY_TARGET = TOOL_BASE_URL + "/lti/launch"
VERSION = "https://purl.imsglobal.org/spec/lti/claim/version"
MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
DEPLOYMENT_ID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
TARGET_LINK_URI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
RESOURCE_LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"


@pytest.fixture
def launch(client: TestClient, lti_platform: TestPlatform) -> PlatformLaunch:
    lti_platform.people["teacher-1"] = Person(roles=[INSTRUCTOR], name="Ines Instructor")
    return platform_launch(client, lti_platform, "teacher-1", LIBRARY_TARGET)


def _post(client: TestClient, form: dict[str, str]) -> Any:
    return client.post("/lti/launch", data=form, follow_redirects=False)


def _user_count(session: Session) -> int:
    return len(list(session.scalars(select(User.id))))


def _resigned(
    launch: PlatformLaunch, platform: TestPlatform, private_pem: str | None = None, **changes: Any
) -> str:
    claims = launch.claims
    for name, value in changes.items():
        claim = {
            "version": VERSION,
            "message_type": MESSAGE_TYPE,
            "deployment_id": DEPLOYMENT_ID,
            "target_link_uri": TARGET_LINK_URI,
            "resource_link": RESOURCE_LINK,
            "roles": ROLES,
        }.get(name, name)
        if value is None:
            claims.pop(claim, None)
        else:
            claims[claim] = value
    return platform.sign(claims, private_pem)


def test_instructor_launch_creates_a_teacher_and_a_class_and_opens_the_library(
    client: TestClient, launch: PlatformLaunch, session: Session
) -> None:
    response = _post(client, launch.form())
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/library?token=")
    link = session.scalars(select(LtiUserLink)).one()
    user = session.get(User, link.user_id)
    assert user is not None and user.role == "teacher"
    assert user.display_name == "Ines Instructor"
    assert user.password_hash is None
    context = session.scalars(select(LtiContextClass)).one()
    learner_class = session.get(LearnerClass, context.class_id)
    assert learner_class is not None and learner_class.owner_id == user.id
    assert learner_class.name == "Biology 101"
    library = client.get(response.headers["location"])
    assert library.status_code == 200


def test_second_launch_of_the_same_user_reuses_the_account(
    client: TestClient, lti_platform: TestPlatform, launch: PlatformLaunch, session: Session
) -> None:
    assert _post(client, launch.form()).status_code == 303
    again = platform_launch(client, lti_platform, "teacher-1", LIBRARY_TARGET)
    assert _post(client, again.form()).status_code == 303
    assert len(list(session.scalars(select(LtiUserLink)))) == 1
    assert len(list(session.scalars(select(LtiContextClass)))) == 1


def test_learner_launch_joins_the_class_of_the_context(
    client: TestClient, lti_platform: TestPlatform, launch: PlatformLaunch, session: Session
) -> None:
    assert _post(client, launch.form()).status_code == 303
    lti_platform.people["learner-1"] = Person(roles=[LEARNER], name="Lea Learner")
    target = TOOL_BASE_URL + "/lti/content/some-content"
    learner = platform_launch(client, lti_platform, "learner-1", target)
    response = _post(client, learner.form())
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/h5p/embed/some-content?token=")
    link = session.scalars(select(LtiUserLink).where(LtiUserLink.subject == "learner-1")).one()
    user = session.get(User, link.user_id)
    assert user is not None and user.role == "learner"
    member = session.scalars(select(ClassMember).where(ClassMember.user_id == user.id)).one()
    assert member is not None


def test_learner_launch_without_content_is_refused(
    client: TestClient, lti_platform: TestPlatform, session: Session
) -> None:
    lti_platform.people["learner-2"] = Person(roles=[LEARNER], name="Lou")
    learner = platform_launch(client, lti_platform, "learner-2", LIBRARY_TARGET)
    before = _user_count(session)
    assert _post(client, learner.form()).status_code == 401
    assert _user_count(session) == before


def test_replayed_launch_is_refused(client: TestClient, launch: PlatformLaunch) -> None:
    assert _post(client, launch.form()).status_code == 303
    replay = _post(client, launch.form())
    assert replay.status_code == 401
    assert "state" in replay.json()["error"]


def test_replayed_id_token_with_a_fresh_state_is_refused(
    client: TestClient, lti_platform: TestPlatform, launch: PlatformLaunch
) -> None:
    assert _post(client, launch.form()).status_code == 303
    fresh = platform_launch(client, lti_platform, "teacher-1", LIBRARY_TARGET)
    response = _post(client, launch.form(state=fresh.state))
    assert response.status_code == 401
    assert "nonce" in response.json()["error"]


def test_nonce_used_once_even_when_signed_anew(
    client: TestClient, lti_platform: TestPlatform, launch: PlatformLaunch
) -> None:
    assert _post(client, launch.form()).status_code == 303
    fresh = platform_launch(client, lti_platform, "teacher-1", LIBRARY_TARGET)
    # The platform's own key, the first launch's nonce, the second login's state.
    token = _resigned(launch, lti_platform)
    assert _post(client, fresh.form(id_token=token)).status_code == 401


def test_unknown_state_is_refused(
    client: TestClient, launch: PlatformLaunch, session: Session
) -> None:
    before = _user_count(session)
    assert _post(client, launch.form(state="made-up")).status_code == 401
    assert _user_count(session) == before


def test_token_signed_with_another_key_is_refused(
    client: TestClient, lti_platform: TestPlatform, launch: PlatformLaunch, session: Session
) -> None:
    other_private, _ = generate_rsa_pem()
    before = _user_count(session)
    forged = _resigned(launch, lti_platform, private_pem=other_private)
    assert _post(client, launch.form(id_token=forged)).status_code == 401
    assert _user_count(session) == before


def test_token_with_a_tampered_body_is_refused(client: TestClient, launch: PlatformLaunch) -> None:
    header, _, signature = launch.id_token.split(".")
    other = jwt.encode({"sub": "someone"}, "k" * 32, algorithm="HS256").split(".")[1]
    assert _post(client, launch.form(id_token=f"{header}.{other}.{signature}")).status_code == 401


def test_unsigned_token_is_refused(client: TestClient, launch: PlatformLaunch) -> None:
    unsigned = jwt.encode(launch.claims, "", algorithm="none")
    assert _post(client, launch.form(id_token=unsigned)).status_code == 401


def test_hs256_token_keyed_with_the_platform_public_key_is_refused(
    client: TestClient, lti_platform: TestPlatform, launch: PlatformLaunch
) -> None:
    # The algorithm-confusion attack: the public key (known to all) as an HMAC secret.
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(launch.claims).encode())
    mac = hmac.new(lti_platform.public_pem.encode(), f"{header}.{body}".encode(), hashlib.sha256)
    forged = f"{header}.{body}.{b64(mac.digest())}"
    assert _post(client, launch.form(id_token=forged)).status_code == 401


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://evil.example"}, "iss"),
        ({"aud": "another-tool"}, "aud"),
        ({"aud": ["another-tool"], "azp": None}, "aud"),
        ({"aud": ["learnloop-tool", "another-tool"], "azp": None}, "azp"),
        ({"azp": "another-tool"}, "azp"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"exp": None}, "exp"),
        ({"iat": int(time.time()) + 3600}, "iat"),
        ({"iat": int(time.time()) - 3600}, "too long ago"),
        ({"nonce": "another-nonce"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"sub": None}, "sub"),
        ({"version": "1.1.0"}, "1.3.0"),
        ({"version": None}, "1.3.0"),
        ({"message_type": "LtiSubmissionReviewRequest"}, "message type"),
        ({"deployment_id": "unregistered-deployment"}, "deployment"),
        ({"deployment_id": None}, "deployment"),
        ({"target_link_uri": TOOL_BASE_URL + "/lti/content/other"}, "target_link_uri"),
        ({"resource_link": None}, "resource_link"),
        ({"roles": "Instructor"}, "roles"),
    ],
)
def test_id_token_failing_a_check_is_refused(
    client: TestClient,
    lti_platform: TestPlatform,
    launch: PlatformLaunch,
    session: Session,
    changes: dict[str, Any],
    reason: str,
) -> None:
    before = _user_count(session)
    forged = _resigned(launch, lti_platform, **changes)
    response = _post(client, launch.form(id_token=forged))
    assert response.status_code == 401, response.text
    assert reason.lower() in response.json()["error"].lower()
    assert _user_count(session) == before


def test_unchanged_resigned_token_is_accepted(
    client: TestClient, lti_platform: TestPlatform, launch: PlatformLaunch
) -> None:
    """The forgery tests change one claim each; the same re-signing without a change passes."""
    assert _post(client, launch.form(id_token=_resigned(launch, lti_platform))).status_code == 303


def test_login_for_an_unregistered_issuer_is_refused(client: TestClient) -> None:
    response = client.get(
        "/lti/login",
        params={
            "iss": "https://unknown.example",
            "login_hint": "x",
            "target_link_uri": LIBRARY_TARGET,
        },
        follow_redirects=False,
    )
    assert response.status_code == 400


def test_login_with_a_foreign_target_is_refused(
    client: TestClient, lti_platform: TestPlatform
) -> None:
    response = client.get(
        "/lti/login",
        params={
            "iss": lti_platform.issuer,
            "login_hint": "x",
            "target_link_uri": "https://evil.example/lti/launch",
        },
        follow_redirects=False,
    )
    assert response.status_code == 400


def test_login_with_an_unknown_deployment_is_refused(
    client: TestClient, lti_platform: TestPlatform
) -> None:
    response = client.post(
        "/lti/login",
        data={
            "iss": lti_platform.issuer,
            "login_hint": "x",
            "target_link_uri": LIBRARY_TARGET,
            "lti_deployment_id": "nope",
        },
        follow_redirects=False,
    )
    assert response.status_code == 400


def test_launch_with_nul_bytes_or_missing_fields_is_a_client_error(
    client: TestClient, launch: PlatformLaunch
) -> None:
    assert _post(client, {"id_token": launch.id_token}).status_code == 400
    assert _post(client, launch.form(state="a\x00b")).status_code in (400, 401)


def test_expired_login_state_is_refused(
    client: TestClient, launch: PlatformLaunch, session: Session
) -> None:
    session.execute(update(LtiLoginState).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    before = _user_count(session)
    response = _post(client, launch.form())
    assert response.status_code == 401
    assert "expired" in response.json()["error"]
    assert _user_count(session) == before


# --- refusals a person sees ---------------------------------------------------------------

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_refused_launch_is_a_page_for_a_browser(
    client: TestClient, launch: PlatformLaunch
) -> None:
    response = client.post(
        "/lti/launch",
        data=launch.form(state="made-up"),
        headers={"Accept": BROWSER_ACCEPT},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "This course link could not be opened" in response.text
    assert "state" in response.text.lower()  # the reason is on the page
    assert "script" not in response.headers["content-security-policy"]
    assert "<script" not in response.text


def test_a_launch_missing_fields_is_a_page_for_a_browser(
    client: TestClient, launch: PlatformLaunch
) -> None:
    response = client.post(
        "/lti/launch",
        data={"id_token": launch.id_token},
        headers={"Accept": BROWSER_ACCEPT},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "incomplete launch request" in response.text


def test_a_refused_login_is_a_page_for_a_browser(client: TestClient) -> None:
    response = client.get(
        "/lti/login",
        params={"iss": "https://unknown.example", "login_hint": "x", "target_link_uri": "x"},
        headers={"Accept": BROWSER_ACCEPT},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "This course link could not be opened" in response.text


def test_programs_still_get_the_json_refusal(client: TestClient, launch: PlatformLaunch) -> None:
    response = client.post(
        "/lti/launch",
        data=launch.form(state="made-up"),
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert response.json()["success"] is False
