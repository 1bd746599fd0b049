import hashlib
import json
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import orjson
import pytest
from fastapi.testclient import TestClient

from learnloop.main import create_app
from tests.xapi.conftest import VERSION

ACTIVITY = "http://example.com/activities/doc-test"
ANN = {"objectType": "Agent", "mbox": "mailto:ann@example.com", "name": "Ann"}
BOB = {"mbox": "mailto:bob@example.com"}
STATE_URL = "/xapi/activities/state"
ACTIVITY_PROFILE_URL = "/xapi/activities/profile"
AGENT_PROFILE_URL = "/xapi/agents/profile"


def state_params(agent=None, **extra):
    params = {"activityId": ACTIVITY, "agent": json.dumps(agent or ANN), "stateId": "s1"}
    params.update(extra)
    return {key: value for key, value in params.items() if value is not None}


def create_headers(headers):
    """A profile PUT must carry a precondition; If-None-Match: * creates (Communication 3.1)."""
    return {**headers, "If-None-Match": "*"}


def json_headers(headers, **extra):
    return {**headers, "Content-Type": "application/json", **extra}


# --- State -------------------------------------------------------------------------------


def test_state_put_get_returns_exact_bytes_type_etag_and_last_modified(client, lrs):
    content = b"\x89PNG\r\n\x1a\n\x00binary"
    put = client.put(
        STATE_URL,
        params=state_params(),
        content=content,
        headers={**lrs.headers, "Content-Type": "image/png"},
    )
    assert put.status_code == 204
    got = client.get(STATE_URL, params=state_params(), headers=lrs.headers)
    assert got.status_code == 200
    assert got.content == content
    assert got.headers["content-type"] == "image/png"
    assert got.headers["etag"] == f'"{hashlib.sha1(content).hexdigest()}"'
    assert parsedate_to_datetime(got.headers["last-modified"]) is not None
    assert got.headers["x-experience-api-version"] == "1.0.3"


def test_text_content_type_is_returned_without_an_added_charset(client, lrs):
    client.put(
        STATE_URL,
        params=state_params(),
        content=b"plain",
        headers={**lrs.headers, "Content-Type": "text/plain"},
    )
    got = client.get(STATE_URL, params=state_params(), headers=lrs.headers)
    assert got.headers["content-type"] == "text/plain"


def test_head_on_a_document_has_the_headers_and_no_body(client, lrs):
    client.put(STATE_URL, params=state_params(), content=b"{}", headers=json_headers(lrs.headers))
    head = client.head(STATE_URL, params=state_params(), headers=lrs.headers)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == f'"{hashlib.sha1(b"{}").hexdigest()}"'


def test_agent_is_matched_by_identifier_not_by_json_text(client, lrs):
    client.put(
        STATE_URL, params=state_params(), content=b'{"a":1}', headers=json_headers(lrs.headers)
    )
    same_agent = {"name": "Someone else", "mbox": "mailto:ann@EXAMPLE.com"}
    got = client.get(STATE_URL, params=state_params(agent=same_agent), headers=lrs.headers)
    assert got.status_code == 200
    assert got.json() == {"a": 1}


def test_state_of_another_agent_or_registration_is_separate(client, lrs):
    registration = "1b1c1d1e-0000-4000-8000-000000000001"
    client.put(STATE_URL, params=state_params(), content=b"ann", headers=lrs.headers)
    client.put(
        STATE_URL,
        params=state_params(registration=registration),
        content=b"ann-reg",
        headers=lrs.headers,
    )
    assert (
        client.get(STATE_URL, params=state_params(agent=BOB), headers=lrs.headers).status_code
        == 404
    )
    with_reg = client.get(
        STATE_URL, params=state_params(registration=registration.upper()), headers=lrs.headers
    )
    assert with_reg.content == b"ann-reg"
    assert client.get(STATE_URL, params=state_params(), headers=lrs.headers).content == b"ann"


def test_get_missing_state_is_404(client, lrs):
    assert client.get(STATE_URL, params=state_params(), headers=lrs.headers).status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize(
    "params",
    [
        {"agent": json.dumps(ANN), "stateId": "s"},
        {"activityId": ACTIVITY, "stateId": "s"},
        {"activityId": ACTIVITY, "agent": "not json", "stateId": "s"},
        {"activityId": ACTIVITY, "agent": json.dumps({"mbox": "ann@example.com"}), "stateId": "s"},
        {"activityId": ACTIVITY, "agent": json.dumps({"name": "no ifi"}), "stateId": "s"},
        {
            "activityId": ACTIVITY,
            "agent": json.dumps({"objectType": "Group", "member": [ANN]}),
            "stateId": "s",
        },
        {"activityId": "not an iri", "agent": json.dumps(ANN), "stateId": "s"},
        {"activityId": ACTIVITY, "agent": json.dumps(ANN), "stateId": "s", "registration": "x"},
        {"activityId": ACTIVITY, "agent": json.dumps(ANN), "stateId": "s", "Unknown": "1"},
    ],
)
def test_bad_state_parameters_are_400_and_store_nothing(client, lrs, method, params):
    response = client.request(
        method, STATE_URL, params=params, content=b"{}", headers=json_headers(lrs.headers)
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    listing = client.get(
        STATE_URL, params={"activityId": ACTIVITY, "agent": json.dumps(ANN)}, headers=lrs.headers
    )
    assert listing.json() == []


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_state_put_or_post_without_state_id_is_400(client, lrs, method):
    params = state_params(stateId=None)
    response = client.request(
        method, STATE_URL, params=params, content=b"{}", headers=json_headers(lrs.headers)
    )
    assert response.status_code == 400


def test_since_must_be_a_timestamp(client, lrs):
    params = state_params(stateId=None, since="yesterday")
    assert client.get(STATE_URL, params=params, headers=lrs.headers).status_code == 400


def test_since_is_refused_on_put(client, lrs):
    params = state_params(since="2020-01-01T00:00:00Z")
    assert (
        client.put(STATE_URL, params=params, content=b"x", headers=lrs.headers).status_code == 400
    )


def test_state_ids_list_and_since(client, lrs):
    client.put(STATE_URL, params=state_params(stateId="a"), content=b"1", headers=lrs.headers)
    first = client.get(STATE_URL, params=state_params(stateId="a"), headers=lrs.headers)
    client.put(STATE_URL, params=state_params(stateId="b"), content=b"2", headers=lrs.headers)
    listing = client.get(STATE_URL, params=state_params(stateId=None), headers=lrs.headers)
    assert listing.status_code == 200
    assert sorted(listing.json()) == ["a", "b"]
    assert listing.headers["etag"].startswith('"')
    assert "last-modified" in listing.headers
    since = "2000-01-01T00:00:00Z"
    assert sorted(
        client.get(
            STATE_URL, params=state_params(stateId=None, since=since), headers=lrs.headers
        ).json()
    ) == ["a", "b"]
    future = "2999-01-01T00:00:00+02:00"
    assert (
        client.get(
            STATE_URL, params=state_params(stateId=None, since=future), headers=lrs.headers
        ).json()
        == []
    )
    assert first.status_code == 200


def test_delete_one_state_and_all_state(client, lrs):
    other_activity = {**state_params(stateId="x"), "activityId": ACTIVITY + "/other"}
    for state_id in ("a", "b"):
        client.put(
            STATE_URL, params=state_params(stateId=state_id), content=b"1", headers=lrs.headers
        )
    client.put(STATE_URL, params=other_activity, content=b"1", headers=lrs.headers)
    assert (
        client.delete(STATE_URL, params=state_params(stateId="a"), headers=lrs.headers).status_code
        == 204
    )
    assert client.get(STATE_URL, params=state_params(stateId=None), headers=lrs.headers).json() == [
        "b"
    ]
    assert (
        client.delete(STATE_URL, params=state_params(stateId=None), headers=lrs.headers).status_code
        == 204
    )
    assert (
        client.get(STATE_URL, params=state_params(stateId=None), headers=lrs.headers).json() == []
    )
    assert client.get(STATE_URL, params=other_activity, headers=lrs.headers).status_code == 200


def test_state_post_merges_json_and_creates_when_missing(client, lrs):
    first = client.post(
        STATE_URL, params=state_params(), json={"car": "Honda"}, headers=lrs.headers
    )
    assert first.status_code == 204
    second = client.post(
        STATE_URL, params=state_params(), json={"type": "Civic"}, headers=lrs.headers
    )
    assert second.status_code == 204
    got = client.get(STATE_URL, params=state_params(), headers=lrs.headers)
    assert got.json() == {"car": "Honda", "type": "Civic"}


@pytest.mark.parametrize(
    ("stored", "stored_type", "posted", "posted_type"),
    [
        (b'{"a": 1}', "application/json", b"abcdefg", "not/json"),
        (b"/ asdf / undefined", "application/octet-stream", b'{"a": 2}', "application/json"),
        (b'{"a": 1}', "application/json", b'{"a": 2}{', "application/json"),
        (b'{"a": 1}', "application/json", b"abc", "application/json"),
    ],
)
def test_state_post_merge_with_a_non_json_side_is_400_and_keeps_the_document(
    client, lrs, stored, stored_type, posted, posted_type
):
    client.put(
        STATE_URL,
        params=state_params(),
        content=stored,
        headers={**lrs.headers, "Content-Type": stored_type},
    )
    response = client.post(
        STATE_URL,
        params=state_params(),
        content=posted,
        headers={**lrs.headers, "Content-Type": posted_type},
    )
    assert response.status_code == 400
    assert client.get(STATE_URL, params=state_params(), headers=lrs.headers).content == stored


def test_state_put_without_precondition_overwrites_in_1_0_3(client, lrs):
    client.put(STATE_URL, params=state_params(), content=b"old", headers=lrs.headers)
    again = client.put(STATE_URL, params=state_params(), content=b"new", headers=lrs.headers)
    assert again.status_code == 204
    assert client.get(STATE_URL, params=state_params(), headers=lrs.headers).content == b"new"


def test_state_put_without_precondition_on_existing_document_is_409_in_2_0(client, lrs):
    headers = {**lrs.headers, "X-Experience-API-Version": "2.0.0"}
    client.put(STATE_URL, params=state_params(), content=b"old", headers=headers)
    again = client.put(STATE_URL, params=state_params(), content=b"new", headers=headers)
    assert again.status_code == 409
    assert "If-Match" in again.text
    assert client.get(STATE_URL, params=state_params(), headers=headers).content == b"old"
    etag = client.get(STATE_URL, params=state_params(), headers=headers).headers["etag"]
    matched = client.put(
        STATE_URL, params=state_params(), content=b"new", headers={**headers, "If-Match": etag}
    )
    assert matched.status_code == 204


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_state_write_with_stale_if_match_is_412_and_changes_nothing(client, lrs, method):
    client.put(STATE_URL, params=state_params(), json={"name": "original"}, headers=lrs.headers)
    response = client.request(
        method,
        STATE_URL,
        params=state_params(),
        content=b'{"name": "changed"}',
        headers=json_headers(lrs.headers, **{"If-Match": '"1234"'}),
    )
    assert response.status_code == 412
    assert client.get(STATE_URL, params=state_params(), headers=lrs.headers).json() == {
        "name": "original"
    }


def test_missing_version_header_is_400(client, lrs):
    headers = {key: value for key, value in lrs.headers.items() if key not in VERSION}
    assert client.get(STATE_URL, params=state_params(), headers=headers).status_code == 400


def test_no_credentials_is_401(client):
    assert client.get(STATE_URL, params=state_params(), headers=VERSION).status_code == 401


# --- Activity Profile ---------------------------------------------------------------------


def profile_params(**extra):
    params = {"activityId": ACTIVITY, "profileId": "p1"}
    params.update(extra)
    return {key: value for key, value in params.items() if value is not None}


def test_activity_profile_put_get_list_delete(client, lrs):
    assert (
        client.put(
            ACTIVITY_PROFILE_URL,
            params=profile_params(),
            json={"a": 1},
            headers=create_headers(lrs.headers),
        ).status_code
        == 204
    )
    assert client.get(
        ACTIVITY_PROFILE_URL, params=profile_params(), headers=lrs.headers
    ).json() == {"a": 1}
    assert client.get(
        ACTIVITY_PROFILE_URL, params=profile_params(profileId=None), headers=lrs.headers
    ).json() == ["p1"]
    assert (
        client.delete(
            ACTIVITY_PROFILE_URL, params=profile_params(), headers=lrs.headers
        ).status_code
        == 204
    )
    assert (
        client.get(ACTIVITY_PROFILE_URL, params=profile_params(), headers=lrs.headers).status_code
        == 404
    )


def test_activity_profile_put_without_precondition_on_existing_is_409_and_keeps_it(client, lrs):
    client.put(
        ACTIVITY_PROFILE_URL,
        params=profile_params(),
        json={"v": 1},
        headers=create_headers(lrs.headers),
    )
    response = client.put(
        ACTIVITY_PROFILE_URL, params=profile_params(), json={"v": 2}, headers=lrs.headers
    )
    assert response.status_code == 409
    assert response.text
    assert client.get(
        ACTIVITY_PROFILE_URL, params=profile_params(), headers=lrs.headers
    ).json() == {"v": 1}


def test_activity_profile_if_match_and_if_none_match(client, lrs):
    created = client.put(
        ACTIVITY_PROFILE_URL,
        params=profile_params(),
        json={"v": 1},
        headers={**lrs.headers, "If-None-Match": "*"},
    )
    assert created.status_code == 204
    again = client.put(
        ACTIVITY_PROFILE_URL,
        params=profile_params(),
        json={"v": 2},
        headers={**lrs.headers, "If-None-Match": "*"},
    )
    assert again.status_code == 412
    etag = client.get(ACTIVITY_PROFILE_URL, params=profile_params(), headers=lrs.headers).headers[
        "etag"
    ]
    assert etag == f'"{hashlib.sha1(orjson.dumps({"v": 1})).hexdigest()}"'
    stale = client.put(
        ACTIVITY_PROFILE_URL,
        params=profile_params(),
        json={"v": 3},
        headers={**lrs.headers, "If-Match": '"1234"'},
    )
    assert stale.status_code == 412
    fresh = client.put(
        ACTIVITY_PROFILE_URL,
        params=profile_params(),
        json={"v": 3},
        headers={**lrs.headers, "If-Match": etag},
    )
    assert fresh.status_code == 204
    assert client.get(
        ACTIVITY_PROFILE_URL, params=profile_params(), headers=lrs.headers
    ).json() == {"v": 3}


def test_activity_profile_delete_needs_profile_id(client, lrs):
    assert (
        client.delete(
            ACTIVITY_PROFILE_URL, params=profile_params(profileId=None), headers=lrs.headers
        ).status_code
        == 400
    )


def test_activity_profile_rejects_an_agent_parameter(client, lrs):
    params = profile_params(agent=json.dumps(ANN))
    assert client.get(ACTIVITY_PROFILE_URL, params=params, headers=lrs.headers).status_code == 400


# --- Agent Profile ------------------------------------------------------------------------


def agent_profile_params(agent=None, **extra):
    params = {"agent": json.dumps(agent or ANN), "profileId": "p1"}
    params.update(extra)
    return {key: value for key, value in params.items() if value is not None}


def test_agent_profile_post_merge_get_list_and_since(client, lrs):
    assert (
        client.post(
            AGENT_PROFILE_URL,
            params=agent_profile_params(),
            json={"x": "foo", "y": "bar"},
            headers=lrs.headers,
        ).status_code
        == 204
    )
    assert (
        client.post(
            AGENT_PROFILE_URL,
            params=agent_profile_params(),
            json={"x": "bash", "z": "faz"},
            headers=lrs.headers,
        ).status_code
        == 204
    )
    reordered = {"mbox": "mailto:ann@example.com", "objectType": "Agent"}
    got = client.get(
        AGENT_PROFILE_URL, params=agent_profile_params(agent=reordered), headers=lrs.headers
    )
    assert got.json() == {"x": "bash", "y": "bar", "z": "faz"}
    ids = client.get(
        AGENT_PROFILE_URL, params=agent_profile_params(profileId=None), headers=lrs.headers
    )
    assert ids.json() == ["p1"]


def test_agent_profile_put_without_precondition_on_existing_is_409(client, lrs):
    client.put(
        AGENT_PROFILE_URL,
        params=agent_profile_params(),
        content=b"one",
        headers=create_headers(lrs.headers),
    )
    assert (
        client.put(
            AGENT_PROFILE_URL, params=agent_profile_params(), content=b"two", headers=lrs.headers
        ).status_code
        == 409
    )


def test_agent_profile_refuses_a_group_agent(client, lrs):
    group = {"objectType": "Group", "mbox": "mailto:team@example.com"}
    response = client.put(
        AGENT_PROFILE_URL,
        params=agent_profile_params(agent=group),
        content=b"x",
        headers=lrs.headers,
    )
    assert response.status_code == 400


def test_last_modified_changes_when_the_document_changes(client, lrs):
    client.post(
        AGENT_PROFILE_URL, params=agent_profile_params(), json={"a": 1}, headers=lrs.headers
    )
    before = client.get(
        AGENT_PROFILE_URL, params=agent_profile_params(), headers=lrs.headers
    ).headers["last-modified"]
    time.sleep(1.1)  # Last-Modified has one-second resolution (RFC 7231 HTTP-date).
    client.post(
        AGENT_PROFILE_URL, params=agent_profile_params(), json={"a": 2}, headers=lrs.headers
    )
    after = client.get(
        AGENT_PROFILE_URL, params=agent_profile_params(), headers=lrs.headers
    ).headers["last-modified"]
    assert parsedate_to_datetime(after) > parsedate_to_datetime(before)


# --- Who may touch which documents --------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "url", "params", "read", "write"),
    [
        ("state", STATE_URL, state_params(), True, True),
        ("profile", STATE_URL, state_params(), False, False),
        ("all/read", STATE_URL, state_params(), True, False),
        ("statements/write", STATE_URL, state_params(), False, False),
        ("profile", ACTIVITY_PROFILE_URL, profile_params(), True, True),
        ("state", ACTIVITY_PROFILE_URL, profile_params(), False, False),
        ("all/read", ACTIVITY_PROFILE_URL, profile_params(), True, False),
        ("profile", AGENT_PROFILE_URL, agent_profile_params(), True, True),
        ("define", AGENT_PROFILE_URL, agent_profile_params(), False, False),
    ],
)
def test_lrs_client_scopes_decide_document_access(
    client, lrs, make_credentials, scope, url, params, read, write
):
    client.put(url, params=params, content=b"seed", headers=create_headers(lrs.headers))
    scoped = make_credentials(scope)
    get = client.get(url, params=params, headers=scoped.headers)
    assert get.status_code == (200 if read else 403)
    write_headers = {**scoped.headers, "If-Match": "*"}
    put = client.put(url, params=params, content=b"changed", headers=write_headers)
    assert put.status_code == (204 if write else 403)
    expected = b"changed" if write else b"seed"
    assert client.get(url, params=params, headers=lrs.headers).content == expected


def learner_headers(account):
    return {**account.headers, **VERSION}


def test_learner_reads_and_writes_own_state_by_email(client, learner):
    own = {"mbox": f"mailto:{learner.user.email}"}
    params = state_params(agent=own)
    assert (
        client.put(
            STATE_URL, params=params, content=b"mine", headers=learner_headers(learner)
        ).status_code
        == 204
    )
    assert client.get(STATE_URL, params=params, headers=learner_headers(learner)).content == b"mine"


def test_learner_reads_and_writes_own_agent_profile_by_account(client, learner, settings):
    own = {"account": {"homePage": settings.base_url, "name": learner.user.id}}
    params = agent_profile_params(agent=own)
    assert (
        client.post(
            AGENT_PROFILE_URL, params=params, json={"a": 1}, headers=learner_headers(learner)
        ).status_code
        == 204
    )
    assert client.get(
        AGENT_PROFILE_URL, params=params, headers=learner_headers(learner)
    ).json() == {"a": 1}


@pytest.mark.parametrize("url", [STATE_URL, AGENT_PROFILE_URL])
def test_learner_cannot_read_or_write_another_learners_documents(
    client, lrs, learner, make_account, url
):
    other = make_account("learner")
    agent = {"mbox": f"mailto:{other.user.email}"}
    params = state_params(agent=agent) if url == STATE_URL else agent_profile_params(agent=agent)
    client.put(url, params=params, content=b"theirs", headers=create_headers(lrs.headers))
    headers = learner_headers(learner)
    assert client.get(url, params=params, headers=headers).status_code == 403
    listing = {key: value for key, value in params.items() if key not in ("stateId", "profileId")}
    assert client.get(url, params=listing, headers=headers).status_code == 403
    assert (
        client.put(
            url, params=params, content=b"mine", headers={**headers, "If-Match": "*"}
        ).status_code
        == 403
    )
    assert client.delete(url, params=params, headers=headers).status_code == 403
    assert client.get(url, params=params, headers=lrs.headers).content == b"theirs"


def test_learner_reads_but_does_not_write_activity_profiles(client, lrs, learner, teacher):
    client.put(
        ACTIVITY_PROFILE_URL,
        params=profile_params(),
        content=b"shared",
        headers=create_headers(lrs.headers),
    )
    assert (
        client.get(
            ACTIVITY_PROFILE_URL, params=profile_params(), headers=learner_headers(learner)
        ).content
        == b"shared"
    )
    refused = client.put(
        ACTIVITY_PROFILE_URL,
        params=profile_params(),
        content=b"x",
        headers={**learner_headers(learner), "If-Match": "*"},
    )
    assert refused.status_code == 403
    # A teacher changes activity profiles of their own hosted content only
    # (test_read_and_profile_access.py); this activity is nobody's content.
    not_theirs = client.put(
        ACTIVITY_PROFILE_URL,
        params=profile_params(),
        content=b"y",
        headers={**learner_headers(teacher), "If-Match": "*"},
    )
    assert not_theirs.status_code == 403


def test_admin_reads_any_learners_state(client, lrs, admin):
    client.put(STATE_URL, params=state_params(), content=b"ann", headers=lrs.headers)
    assert (
        client.get(STATE_URL, params=state_params(), headers=learner_headers(admin)).content
        == b"ann"
    )


@pytest.mark.parametrize(
    ("url", "params"),
    [(ACTIVITY_PROFILE_URL, profile_params()), (AGENT_PROFILE_URL, agent_profile_params())],
)
def test_profile_put_of_a_new_document_without_precondition_is_400_and_stores_nothing(
    client, lrs, url, params
):
    response = client.put(url, params=params, json={"v": 1}, headers=lrs.headers)
    assert response.status_code == 400
    assert "If-None-Match" in response.text
    assert client.get(url, params=params, headers=lrs.headers).status_code == 404


def test_state_put_of_a_new_document_without_precondition_is_accepted_in_2_0(client, lrs):
    headers = {**lrs.headers, "X-Experience-API-Version": "2.0.0"}
    response = client.put(STATE_URL, params=state_params(), content=b"new", headers=headers)
    assert response.status_code == 204


def test_profile_post_of_invalid_json_to_a_new_document_is_400(client, lrs):
    response = client.post(
        ACTIVITY_PROFILE_URL,
        params=profile_params(),
        content=b'{"name": "x"}[',
        headers=json_headers(lrs.headers),
    )
    assert response.status_code == 400
    assert (
        client.get(ACTIVITY_PROFILE_URL, params=profile_params(), headers=lrs.headers).status_code
        == 404
    )


def test_agent_profile_ids_since_and_delete_with_matching_etag(client, lrs):
    client.put(
        AGENT_PROFILE_URL,
        params=agent_profile_params(profileId="old"),
        content=b"1",
        headers=create_headers(lrs.headers),
    )
    old = client.get(
        AGENT_PROFILE_URL, params=agent_profile_params(profileId="old"), headers=lrs.headers
    )
    # The server shares this process's clock, so "now" lies between the two writes.
    since = datetime.now(UTC).isoformat()
    client.put(
        AGENT_PROFILE_URL,
        params=agent_profile_params(profileId="new"),
        content=b"2",
        headers=create_headers(lrs.headers),
    )
    listing = client.get(
        AGENT_PROFILE_URL,
        params=agent_profile_params(profileId=None, since=since),
        headers=lrs.headers,
    )
    assert listing.json() == ["new"]
    deleted = client.delete(
        AGENT_PROFILE_URL,
        params=agent_profile_params(profileId="old"),
        headers={**lrs.headers, "If-Match": old.headers["etag"]},
    )
    assert deleted.status_code == 204
    remaining = client.get(
        AGENT_PROFILE_URL, params=agent_profile_params(profileId=None), headers=lrs.headers
    )
    assert remaining.json() == ["new"]


def test_oversized_document_is_413_and_stores_nothing(settings, database, storage, lrs):
    small = settings.model_copy(update={"max_json_body_bytes": 1024})
    with TestClient(create_app(small, database=database, storage=storage)) as small_client:
        response = small_client.put(
            STATE_URL, params=state_params(), content=b"x" * 2048, headers=lrs.headers
        )
        assert response.status_code == 413
        listing = small_client.get(
            STATE_URL, params=state_params(stateId=None), headers=lrs.headers
        )
        assert listing.json() == []
