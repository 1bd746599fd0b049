"""Issue 12 item 4: cookie-authenticated writes from another same-site page need the token.

Each test performs the attack as a page on another port of the same host could: the
browser attaches the session cookie, the page cannot read or send the CSRF token.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from learnloop.auth.csrf import csrf_token
from learnloop.h5p.models import H5PContent
from learnloop.xapi.document_models import XapiDocument
from learnloop.xapi.models import StatementRow
from tests.conftest import Account
from tests.xapi.conftest import statement

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ACTIVITY = "http://example.com/activities/csrf"


def agent_of(account: Account, settings) -> str:
    return json.dumps({"account": {"homePage": settings.base_url, "name": account.id}})


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def signed_in(client, learner):
    client.cookies.set("learnloop_token", learner.token)
    return learner


def session_csrf(settings, account: Account) -> str:
    return csrf_token(settings, account.id, account.token)


def alternate_state_put(client, settings, account, extra_fields=None, query=""):
    fields = {
        "activityId": ACTIVITY,
        "agent": agent_of(account, settings),
        "stateId": "bookmark",
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "content": json.dumps({"page": 7}),
        **(extra_fields or {}),
    }
    return client.post(
        f"/xapi/activities/state?method=PUT{query}", content=urlencode(fields), headers=FORM
    )


def test_alternate_syntax_state_put_with_only_the_cookie_is_refused(
    client, session, settings, signed_in
):
    response = alternate_state_put(client, settings, signed_in)
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert count(session, XapiDocument) == 0


def test_alternate_syntax_state_put_with_the_form_token_is_stored(
    client, session, settings, signed_in
):
    token = session_csrf(settings, signed_in)
    response = alternate_state_put(client, settings, signed_in, {"csrf_token": token})
    assert response.status_code == 204, response.text
    assert count(session, XapiDocument) == 1
    stored = client.get(
        "/xapi/activities/state",
        params={
            "activityId": ACTIVITY,
            "agent": agent_of(signed_in, settings),
            "stateId": "bookmark",
        },
        headers={"X-Experience-API-Version": "1.0.3"},
    )
    assert stored.json() == {"page": 7}


def test_xapi_put_with_the_token_in_the_header_or_query_is_stored(
    client, session, settings, signed_in
):
    token = session_csrf(settings, signed_in)
    params = {"activityId": ACTIVITY, "agent": agent_of(signed_in, settings), "stateId": "a"}
    headers = {"X-Experience-API-Version": "1.0.3"}
    by_header = client.put(
        "/xapi/activities/state",
        params=params,
        json={"a": 1},
        headers={**headers, "X-CSRF-Token": token},
    )
    assert by_header.status_code == 204, by_header.text
    # The LRS refuses unknown parameters (Communication 3.2): ``csrf`` is taken out first.
    by_query = client.put(
        "/xapi/activities/state",
        params={**params, "stateId": "b", "csrf": token},
        json={"b": 1},
        headers=headers,
    )
    assert by_query.status_code == 204, by_query.text
    assert count(session, XapiDocument) == 2


def test_a_wrong_token_is_refused(client, session, settings, signed_in, make_account):
    other = make_account("learner")
    for wrong in (session_csrf(settings, other), "0" * 64, "x" * 300):
        response = alternate_state_put(client, settings, signed_in, {"csrf_token": wrong})
        assert response.status_code == 403
    assert count(session, XapiDocument) == 0


def test_text_plain_statement_post_with_only_the_cookie_is_refused(client, session, signed_in):
    response = client.post(
        "/api/xapi/statements",
        content=json.dumps(statement()),
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 403
    assert response.json()["success"] is False
    assert count(session, StatementRow) == 0


def test_statement_post_with_the_header_token_is_stored(client, session, settings, signed_in):
    response = client.post(
        "/api/xapi/statements",
        json=statement(),
        headers={"X-CSRF-Token": session_csrf(settings, signed_in)},
    )
    assert response.status_code == 200, response.text
    assert count(session, StatementRow) == 1


def test_bearer_callers_need_no_token_even_with_a_cookie_present(
    client, session, signed_in, teacher
):
    response = client.post("/api/xapi/statements", json=statement(), headers=teacher.headers)
    assert response.status_code == 200, response.text
    assert count(session, StatementRow) == 1


def multipart_body(parts: list[tuple[str, str | None, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body with the parts in this order (browsers keep DOM order)."""
    boundary = "----learnloop-csrf-test-boundary"
    chunks: list[bytes] = []
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode())
        if filename:
            chunks.append(b"Content-Type: application/zip\r\n")
        chunks.append(b"\r\n" + value + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def package(fixtures_dir):
    return (fixtures_dir / "h5p" / "hub" / "H5P.TrueFalse.h5p").read_bytes()


# Admins may install the package's libraries, so only the CSRF rule can refuse these.
def test_multipart_import_with_only_the_cookie_is_refused(client, session, admin, package):
    client.cookies.set("learnloop_token", admin.token)
    response = client.post("/h5p/import", files={"h5p": ("t.h5p", package, "application/zip")})
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]
    assert count(session, H5PContent) == 0


def test_multipart_import_with_the_form_token_after_the_file_works(
    client, session, settings, admin, package
):
    client.cookies.set("learnloop_token", admin.token)
    token = csrf_token(settings, admin.id, admin.token)
    body, content_type = multipart_body(
        [("h5p", "t.h5p", package), ("csrf_token", None, token.encode())]
    )
    response = client.post("/h5p/import", content=body, headers={"Content-Type": content_type})
    assert response.status_code in (200, 201), response.text
    assert count(session, H5PContent) == 1


def test_sign_out_with_only_the_cookie_is_refused_and_the_session_stays(client, signed_in):
    assert client.post("/api/auth/logout").status_code == 403
    assert client.get("/api/auth/me").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://testserver:8081"},
        {"Origin": "null"},
    ],
)
def test_sign_in_sent_by_a_page_of_another_origin_is_refused(client, teacher, headers):
    response = client.post(
        "/api/auth/login",
        json={"email": teacher.user.email, "password": teacher.password},
        headers=headers,
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "headers",
    [{}, {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}],
)
def test_sign_in_from_this_origin_or_a_script_works(client, teacher, headers):
    response = client.post(
        "/api/auth/login",
        json={"email": teacher.user.email, "password": teacher.password},
        headers=headers,
    )
    assert response.status_code == 200, response.text
