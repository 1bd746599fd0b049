"""Deep Linking 2.0: an instructor's deep-linking launch from the real test platform,
the picking page, and the signed LtiDeepLinkingResponse the platform library accepts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learnloop.h5p.models import ContentOwnership
from learnloop.lti.models import LtiUserLink
from tests.conftest import Account
from tests.lti.conftest import TOOL_BASE_URL, platform_launch
from tests.lti.platform import INSTRUCTOR, LEARNER, Person, PlatformConfig, TestPlatform

pytestmark = pytest.mark.usefixtures("registered")

LAUNCH_TARGET = TOOL_BASE_URL + "/lti/launch"
RETURN_FORM = re.compile(r'action="([^"]+)".*name="JWT" value="([^"]+)"', re.S)
CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


@pytest.fixture
def instructor_ticket(
    client: TestClient, lti_platform: TestPlatform, session: Session
) -> tuple[str, str]:
    """A deep-linking launch of an instructor: the picking page's ticket and the user id."""
    lti_platform.people["dl-teacher"] = Person(roles=[INSTRUCTOR], name="Dana Designer")
    launch = platform_launch(client, lti_platform, "dl-teacher", LAUNCH_TARGET, "deep-linking")
    response = client.post("/lti/launch", data=launch.form(), follow_redirects=False)
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert location.path == "/lti/deep-linking"
    link = session.scalars(select(LtiUserLink).where(LtiUserLink.subject == "dl-teacher")).one()
    return parse_qs(location.query)["ticket"][0], link.user_id


@pytest.fixture
def owned_content(
    client: TestClient, admin: Account, session: Session, fixtures_dir: Path, instructor_ticket: Any
) -> str:
    """Hub content imported by an admin (who may install its libraries), then handed to
    the instructor the platform launched."""
    package = fixtures_dir / "h5p" / "hub" / "H5P.TrueFalse.h5p"
    with package.open("rb") as handle:
        imported = client.post(
            "/h5p/import",
            headers=admin.headers,
            files={"h5p": (package.name, handle, "application/zip")},
        )
    assert imported.status_code == 201, imported.text
    content_id: str = imported.json()["data"]["contentId"]
    session.execute(
        update(ContentOwnership)
        .where(ContentOwnership.content_id == content_id)
        .values(user_id=instructor_ticket[1])
    )
    session.commit()
    return content_id


def _platform_validates(client: TestClient, platform: TestPlatform, token: str) -> list[Any]:
    config = PlatformConfig(platform=platform, target_link_uri=None)
    config.get_registration().set_tool_key_set(client.get("/lti/jwks").json())
    items: list[Any] = config.validate_deeplinking_resp({"JWT": token})
    return items


def test_instructor_picks_content_and_the_platform_accepts_the_signed_response(
    client: TestClient,
    lti_platform: TestPlatform,
    instructor_ticket: tuple[str, str],
    owned_content: str,
) -> None:
    ticket, _ = instructor_ticket
    page = client.get("/lti/deep-linking", params={"ticket": ticket})
    assert page.status_code == 200
    assert owned_content in page.text
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    answer = client.post(
        "/lti/deep-linking", data={"ticket": ticket, "content_id": owned_content, "graded": "1"}
    )
    assert answer.status_code == 200, answer.text
    match = RETURN_FORM.search(answer.text)
    assert match is not None
    return_url, token = match.groups()
    assert return_url == lti_platform.issuer + "/deep-link-return"
    items = _platform_validates(client, lti_platform, token)
    assert items == [
        {
            "type": "ltiResourceLink",
            "title": items[0]["title"],
            "url": f"{TOOL_BASE_URL}/lti/content/{owned_content}",
            "lineItem": {
                "scoreMaximum": 100.0,
                "label": items[0]["title"],
                "resourceId": owned_content,
            },
        }
    ]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == lti_platform.client_id
    assert claims["aud"] == lti_platform.issuer
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == "deployment-1"


def test_ungraded_pick_has_no_line_item(
    client: TestClient,
    lti_platform: TestPlatform,
    instructor_ticket: tuple[str, str],
    owned_content: str,
) -> None:
    answer = client.post(
        "/lti/deep-linking", data={"ticket": instructor_ticket[0], "content_id": owned_content}
    )
    match = RETURN_FORM.search(answer.text)
    assert match is not None
    items = _platform_validates(client, lti_platform, match.group(2))
    assert "lineItem" not in items[0]


def test_forged_or_tampered_ticket_is_refused(
    client: TestClient, instructor_ticket: tuple[str, str], owned_content: str
) -> None:
    ticket, user_id = instructor_ticket
    forged = jwt.encode(
        {"aud": "learnloop:lti-deep-linking", "sub": user_id, "exp": 9999999999},
        "a-guessed-secret-that-is-long-enough-for-hs256",
        algorithm="HS256",
    )
    for bad in (forged, ticket[:-4] + "AAAA"):
        assert client.get("/lti/deep-linking", params={"ticket": bad}).status_code == 401
        response = client.post(
            "/lti/deep-linking", data={"ticket": bad, "content_id": owned_content}
        )
        assert response.status_code == 401


def test_a_sign_in_token_is_not_a_ticket(
    client: TestClient, instructor_ticket: tuple[str, str], admin: Account
) -> None:
    assert client.get("/lti/deep-linking", params={"ticket": admin.token}).status_code == 401


def test_the_ticket_is_not_a_sign_in_token(
    client: TestClient, instructor_ticket: tuple[str, str]
) -> None:
    ticket, _ = instructor_ticket
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {ticket}"})
    assert response.status_code == 401


def test_someone_elses_private_content_cannot_be_linked(
    client: TestClient,
    instructor_ticket: tuple[str, str],
    owned_content: str,
    session: Session,
    teacher: Account,
) -> None:
    session.execute(
        update(ContentOwnership)
        .where(ContentOwnership.content_id == owned_content)
        .values(user_id=teacher.id)
    )
    session.commit()
    response = client.post(
        "/lti/deep-linking", data={"ticket": instructor_ticket[0], "content_id": owned_content}
    )
    assert response.status_code == 404
    assert "JWT" not in response.text


def test_learner_deep_linking_launch_is_refused(
    client: TestClient, lti_platform: TestPlatform
) -> None:
    lti_platform.people["dl-learner"] = Person(roles=[LEARNER], name="Lu")
    launch = platform_launch(client, lti_platform, "dl-learner", LAUNCH_TARGET, "deep-linking")
    response = client.post("/lti/launch", data=launch.form(), follow_redirects=False)
    assert response.status_code == 401
