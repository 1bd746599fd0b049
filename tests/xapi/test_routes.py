"""The Statement resource at /xapi/statements (xAPI-Communication 2.1) and /xapi/about."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from email.utils import parsedate_to_datetime

from tests.xapi.conftest import LrsCredentials, agent, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def _void(target: str, **overrides):
    return statement(
        verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target}, **overrides
    )


def _ids(response) -> list[str]:
    return [s["id"] for s in response.json()["statements"]]


def test_put_statement_stores_it_under_statement_id_with_204(client, lrs: LrsCredentials):
    statement_id = str(uuid.uuid4())
    response = client.put(
        f"/xapi/statements?statementId={statement_id}", json=statement(), headers=lrs.headers
    )
    assert response.status_code == 204
    assert response.content == b""
    fetched = client.get(
        "/xapi/statements", params={"statementId": statement_id}, headers=lrs.headers
    )
    assert fetched.json()["id"] == statement_id


def test_put_without_statement_id_is_400(client, lrs: LrsCredentials):
    assert client.put("/xapi/statements", json=statement(), headers=lrs.headers).status_code == 400


def test_put_with_id_different_from_statement_id_is_400(client, lrs: LrsCredentials):
    response = client.put(
        f"/xapi/statements?statementId={uuid.uuid4()}",
        json=statement(id=str(uuid.uuid4())),
        headers=lrs.headers,
    )
    assert response.status_code == 400
    assert "does not match" in response.text


def test_post_single_and_array_answer_ids_in_order(client, lrs: LrsCredentials):
    given = str(uuid.uuid4())
    single = client.post("/xapi/statements", json=statement(id=given), headers=lrs.headers)
    assert single.status_code == 200
    assert single.json() == [given]
    ids = [str(uuid.uuid4()) for _ in range(3)]
    batch = client.post(
        "/xapi/statements", json=[statement(id=i) for i in ids], headers=lrs.headers
    )
    assert batch.json() == ids
    generated = client.post(
        "/xapi/statements", json=[statement(), statement()], headers=lrs.headers
    ).json()
    assert len(generated) == 2
    assert all(uuid.UUID(i) for i in generated)


def test_lrs_sets_stored_authority_timestamp_and_version(client, lrs: LrsCredentials):
    sent = statement(stored="2000-01-01T00:00:00Z", authority=agent("liar"))
    statement_id = client.post("/xapi/statements", json=sent, headers=lrs.headers).json()[0]
    stored = client.get(
        "/xapi/statements", params={"statementId": statement_id}, headers=lrs.headers
    ).json()
    assert stored["stored"] != "2000-01-01T00:00:00Z"
    assert stored["timestamp"] == stored["stored"]
    assert stored["version"] == "1.0.0"
    assert stored["authority"]["account"]["name"] == lrs.key
    assert stored["actor"] == sent["actor"]
    assert stored["object"] == sent["object"]


def test_exact_format_keeps_the_statement_as_sent(client, lrs: LrsCredentials):
    sent = statement(
        timestamp="2024-05-01T10:00:00.123+02:00",
        result={
            "score": {"raw": 1.5, "max": 10},
            "extensions": {"http://e.com/x": {"nested": [1, None]}},
        },
        context={
            "contextActivities": {"parent": [{"id": "http://e.com/course"}]},
            "platform": "web",
        },
    )
    statement_id = client.post("/xapi/statements", json=sent, headers=lrs.headers).json()[0]
    stored = client.get(
        "/xapi/statements",
        params={"statementId": statement_id, "format": "exact"},
        headers=lrs.headers,
    ).json()
    for key in ("actor", "verb", "object", "result", "context", "timestamp"):
        assert stored[key] == sent[key]


def test_single_context_activity_is_returned_as_an_array(client, lrs: LrsCredentials):
    sent = statement(context={"contextActivities": {"parent": {"id": "http://e.com/course"}}})
    statement_id = client.post("/xapi/statements", json=sent, headers=lrs.headers).json()[0]
    stored = client.get(
        "/xapi/statements", params={"statementId": statement_id}, headers=lrs.headers
    ).json()
    assert stored["context"]["contextActivities"]["parent"] == [{"id": "http://e.com/course"}]


def test_same_id_with_same_content_is_accepted_and_not_duplicated(client, lrs: LrsCredentials):
    sent = statement(id=str(uuid.uuid4()))
    assert client.post("/xapi/statements", json=sent, headers=lrs.headers).status_code == 200
    again = dict(
        sent, verb={"id": sent["verb"]["id"], "display": {"fr": "terminé"}}
    )  # display not part
    assert client.post("/xapi/statements", json=again, headers=lrs.headers).status_code == 200
    assert (
        client.put(
            f"/xapi/statements?statementId={sent['id']}", json=sent, headers=lrs.headers
        ).status_code
        == 204
    )
    assert len(client.get("/xapi/statements", headers=lrs.headers).json()["statements"]) == 1


def test_put_statement_with_same_id_and_other_body_is_409(client, lrs: LrsCredentials):
    statement_id = str(uuid.uuid4())
    client.put(
        f"/xapi/statements?statementId={statement_id}", json=statement(), headers=lrs.headers
    )
    other = statement(result={"success": False})
    response = client.put(
        f"/xapi/statements?statementId={statement_id}", json=other, headers=lrs.headers
    )
    assert response.status_code == 409
    stored = client.get(
        "/xapi/statements", params={"statementId": statement_id}, headers=lrs.headers
    ).json()
    assert "result" not in stored


def test_batch_with_a_conflicting_statement_stores_nothing(client, lrs: LrsCredentials):
    known = statement(id=str(uuid.uuid4()))
    client.post("/xapi/statements", json=known, headers=lrs.headers)
    changed = dict(known, result={"completion": True})
    response = client.post("/xapi/statements", json=[statement(), changed], headers=lrs.headers)
    assert response.status_code == 409
    assert len(client.get("/xapi/statements", headers=lrs.headers).json()["statements"]) == 1


def test_duplicate_ids_inside_one_batch_are_400(client, lrs: LrsCredentials):
    statement_id = str(uuid.uuid4())
    response = client.post(
        "/xapi/statements",
        json=[statement(id=statement_id), statement(id=statement_id.upper())],
        headers=lrs.headers,
    )
    assert response.status_code == 400
    assert "must not repeat an id" in response.text


def test_batch_over_the_configured_size_is_413(client, lrs: LrsCredentials, settings):
    settings.xapi_max_batch_statements = 3
    response = client.post(
        "/xapi/statements", json=[statement() for _ in range(4)], headers=lrs.headers
    )
    assert response.status_code == 413
    assert "at most 3" in response.text


def test_body_over_the_configured_limit_is_413(client, lrs: LrsCredentials, settings):
    limit = settings.max_json_body_bytes
    body = json.dumps(statement(result={"response": "x" * (limit + 1)}))
    response = client.post(
        "/xapi/statements",
        content=body,
        headers={**lrs.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_malformed_json_and_wrong_shapes_are_400(client, lrs: LrsCredentials):
    headers = {**lrs.headers, "Content-Type": "application/json"}
    assert client.post("/xapi/statements", content=b"{not json", headers=headers).status_code == 400
    assert client.post("/xapi/statements", json="a string", headers=lrs.headers).status_code == 400
    assert client.post("/xapi/statements", json=[], headers=lrs.headers).status_code == 400
    assert client.post("/xapi/statements", json=[1], headers=lrs.headers).status_code == 400


def test_non_json_content_type_is_400(client, lrs: LrsCredentials):
    response = client.post(
        "/xapi/statements",
        content=json.dumps(statement()),
        headers={**lrs.headers, "Content-Type": "text/plain"},
    )
    assert response.status_code == 400


def test_multipart_statement_with_attachment_data_round_trips(client, lrs: LrsCredentials):
    data = b"certificate of completion"
    sha2 = hashlib.sha256(data).hexdigest()
    sent = statement(
        attachments=[
            {
                "usageType": "http://adlnet.gov/expapi/attachments/certificate",
                "display": {"en-US": "Certificate"},
                "contentType": "text/plain",
                "length": len(data),
                "sha2": sha2,
            }
        ]
    )
    boundary = "abc123boundary"
    body = (
        (
            f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(sent)}\r\n"
            f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {**lrs.headers, "Content-Type": f"multipart/mixed; boundary={boundary}"}
    response = client.post("/xapi/statements", content=body, headers=headers)
    assert response.status_code == 200, response.text
    statement_id = response.json()[0]
    fetched = client.get(
        "/xapi/statements",
        params={"statementId": statement_id, "attachments": "true"},
        headers=lrs.headers,
    )
    assert fetched.headers["content-type"].startswith("multipart/mixed")
    assert data in fetched.content
    assert sha2.encode() in fetched.content


# --- version header (xAPI-Communication 3.3) ------------------------------------------------


def test_request_without_version_header_is_400_and_answered_with_the_latest_version(
    client, lrs: LrsCredentials
):
    headers = {"Authorization": lrs.headers["Authorization"]}
    response = client.post("/xapi/statements", json=statement(), headers=headers)
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.text
    assert response.headers["X-Experience-API-Version"] == "2.0.0"


def test_request_with_an_unsupported_version_is_answered_with_the_latest_version(
    client, lrs: LrsCredentials
):
    headers = {**lrs.headers, "X-Experience-API-Version": "0.95"}
    response = client.get("/xapi/statements", headers=headers)
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Version"] == "2.0.0"


def test_unsupported_versions_are_400(client, lrs: LrsCredentials):
    for version in ("0.95", "1.1.0", "3.0.0", "banana"):
        headers = {**lrs.headers, "X-Experience-API-Version": version}
        assert client.get("/xapi/statements", headers=headers).status_code == 400, version


def test_supported_versions_are_answered_with_the_version_in_use(client, lrs: LrsCredentials):
    for sent, answered in (
        ("1.0", "1.0.3"),
        ("1.0.0", "1.0.3"),
        ("1.0.3", "1.0.3"),
        ("2.0.0", "2.0.0"),
    ):
        headers = {**lrs.headers, "X-Experience-API-Version": sent}
        response = client.get("/xapi/statements", headers=headers)
        assert response.status_code == 200
        assert response.headers["X-Experience-API-Version"] == answered


def test_statement_version_defaults_to_2_0_0_over_2_0(client, lrs: LrsCredentials):
    headers = {**lrs.headers, "X-Experience-API-Version": "2.0.0"}
    statement_id = client.post("/xapi/statements", json=statement(), headers=headers).json()[0]
    stored = client.get(
        "/xapi/statements", params={"statementId": statement_id}, headers=headers
    ).json()
    assert stored["version"] == "2.0.0"


def test_about_needs_no_version_or_credentials(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.json()["version"] == ["1.0.3", "2.0.0"]
    assert response.headers["X-Experience-API-Version"] == "2.0.0"


# --- headers, HEAD, CORS --------------------------------------------------------------------------


def test_responses_carry_consistent_through_and_last_modified(client, lrs: LrsCredentials):
    statement_id = client.post("/xapi/statements", json=statement(), headers=lrs.headers).json()[0]
    single = client.get(
        "/xapi/statements", params={"statementId": statement_id}, headers=lrs.headers
    )
    stored = single.json()["stored"]
    assert "X-Experience-API-Consistent-Through" in single.headers
    last_modified = parsedate_to_datetime(single.headers["Last-Modified"])
    assert last_modified.isoformat()[:19] == stored[:19]
    listing = client.get("/xapi/statements", headers=lrs.headers)
    assert "X-Experience-API-Consistent-Through" in listing.headers
    assert "Last-Modified" in listing.headers


def test_statement_errors_carry_consistent_through(client, lrs: LrsCredentials):
    statement_id = client.post("/xapi/statements", json=statement(), headers=lrs.headers).json()[0]
    client.post("/xapi/statements", json=_void(statement_id), headers=lrs.headers)
    answers = [
        client.get("/xapi/statements", params={"LIMIT": "1"}, headers=lrs.headers),
        client.get(
            "/xapi/statements",
            params={"statementId": statement_id, "verb": "http://e.com/v"},
            headers=lrs.headers,
        ),
        client.get("/xapi/statements", params={"statementId": statement_id}, headers=lrs.headers),
        client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"}),
        client.post("/xapi/statements", json={"actor": "nobody"}, headers=lrs.headers),
    ]
    assert [answer.status_code for answer in answers] == [400, 400, 404, 401, 400]
    for answer in answers:
        through = answer.headers["X-Experience-API-Consistent-Through"]
        assert datetime.fromisoformat(through.replace("Z", "+00:00")).tzinfo is not None


def test_other_resources_carry_no_consistent_through(client, lrs: LrsCredentials):
    response = client.get(
        "/xapi/activities", params={"activityId": "http://e.com/none"}, headers=lrs.headers
    )
    assert "X-Experience-API-Consistent-Through" not in response.headers


def test_head_answers_like_get_without_a_body(client, lrs: LrsCredentials):
    statement_id = client.post("/xapi/statements", json=statement(), headers=lrs.headers).json()[0]
    head = client.head(
        "/xapi/statements", params={"statementId": statement_id}, headers=lrs.headers
    )
    assert head.status_code == 200
    assert head.content == b""
    assert "Last-Modified" in head.headers
    missing = client.head(
        "/xapi/statements", params={"statementId": str(uuid.uuid4())}, headers=lrs.headers
    )
    assert missing.status_code == 404


def test_cors_preflight_allows_xapi_headers_from_another_origin(client):
    response = client.options(
        "/xapi/statements",
        headers={
            "Origin": "http://au.example.org",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version",
        },
    )
    assert response.status_code == 200
    allowed = response.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "content-type", "x-experience-api-version"):
        assert header in allowed
    assert "PUT" in response.headers["access-control-allow-methods"]


def test_cross_origin_responses_expose_the_xapi_headers(client, lrs: LrsCredentials):
    response = client.get(
        "/xapi/statements", headers={**lrs.headers, "Origin": "http://au.example.org"}
    )
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "x-experience-api-version" in exposed
    assert "x-experience-api-consistent-through" in exposed


# --- GET parameters ---------------------------------------------------------------------------


def test_get_statement_unknown_is_404(client, lrs: LrsCredentials):
    response = client.get(
        "/xapi/statements", params={"statementId": str(uuid.uuid4())}, headers=lrs.headers
    )
    assert response.status_code == 404


def test_statement_id_with_other_filters_is_400(client, lrs: LrsCredentials):
    params = {"statementId": str(uuid.uuid4()), "verb": "http://e.com/v"}
    assert client.get("/xapi/statements", params=params, headers=lrs.headers).status_code == 400
    both = {"statementId": str(uuid.uuid4()), "voidedStatementId": str(uuid.uuid4())}
    assert client.get("/xapi/statements", params=both, headers=lrs.headers).status_code == 400


def test_unknown_or_miscased_parameters_are_400(client, lrs: LrsCredentials):
    for params in ({"actor": "x"}, {"Verb": "http://e.com/v"}, {"statementid": str(uuid.uuid4())}):
        assert client.get("/xapi/statements", params=params, headers=lrs.headers).status_code == 400


def test_bad_parameter_values_are_400(client, lrs: LrsCredentials):
    for params in (
        {"agent": "not json"},
        {"agent": json.dumps({"name": "no ifi"})},
        {"verb": "completed"},
        {"registration": "x"},
        {"since": "yesterday"},
        {"limit": "-1"},
        {"ascending": "yes"},
        {"format": "full"},
    ):
        response = client.get("/xapi/statements", params=params, headers=lrs.headers)
        assert response.status_code == 400, params


def test_filters_by_agent_verb_activity_and_registration(client, lrs: LrsCredentials):
    registration = str(uuid.uuid4())
    wanted = statement(
        actor=agent("ann"),
        verb={"id": "http://e.com/verbs/passed"},
        object={"id": "http://e.com/a/1"},
        context={"registration": registration},
    )
    others = [
        statement(
            actor=agent("bob"),
            verb={"id": "http://e.com/verbs/passed"},
            object={"id": "http://e.com/a/1"},
        ),
        statement(
            actor=agent("ann"),
            verb={"id": "http://e.com/verbs/failed"},
            object={"id": "http://e.com/a/1"},
        ),
        statement(
            actor=agent("ann"),
            verb={"id": "http://e.com/verbs/passed"},
            object={"id": "http://e.com/a/2"},
        ),
    ]
    wanted_id = client.post("/xapi/statements", json=[wanted, *others], headers=lrs.headers).json()[
        0
    ]
    params = {
        "agent": json.dumps({"mbox": "mailto:ann@EXAMPLE.com"}),
        "verb": "http://e.com/verbs/passed",
        "activity": "http://e.com/a/1",
    }
    assert _ids(client.get("/xapi/statements", params=params, headers=lrs.headers)) == [wanted_id]
    by_registration = client.get(
        "/xapi/statements", params={"registration": registration}, headers=lrs.headers
    )
    assert _ids(by_registration) == [wanted_id]


def test_agent_filter_matches_object_agents_and_group_members(client, lrs: LrsCredentials):
    ann = agent("ann")
    as_object = statement(actor=agent("teacher"), object={**ann, "objectType": "Agent"})
    in_group = statement(actor={"objectType": "Group", "member": [ann, agent("bob")]})
    as_instructor = statement(actor=agent("bob"), context={"instructor": ann})
    ids = client.post(
        "/xapi/statements", json=[as_object, in_group, as_instructor], headers=lrs.headers
    ).json()
    params = {"agent": json.dumps({"mbox": ann["mbox"]})}
    assert set(_ids(client.get("/xapi/statements", params=params, headers=lrs.headers))) == set(
        ids[:2]
    )
    related = client.get(
        "/xapi/statements", params={**params, "related_agents": "true"}, headers=lrs.headers
    )
    assert set(_ids(related)) == set(ids)


def test_related_activities_match_context_and_substatement_activities(client, lrs: LrsCredentials):
    course = "http://e.com/course"
    direct = statement(object={"id": course})
    in_context = statement(context={"contextActivities": {"grouping": [{"id": course}]}})
    in_sub = statement(
        object={
            "objectType": "SubStatement",
            "actor": agent(),
            "verb": {"id": "http://e.com/v"},
            "object": {"id": course},
        }
    )
    unrelated = statement()
    ids = client.post(
        "/xapi/statements", json=[direct, in_context, in_sub, unrelated], headers=lrs.headers
    ).json()
    plain = client.get("/xapi/statements", params={"activity": course}, headers=lrs.headers)
    assert _ids(plain) == [ids[0]]
    related = client.get(
        "/xapi/statements",
        params={"activity": course, "related_activities": "true"},
        headers=lrs.headers,
    )
    assert set(_ids(related)) == set(ids[:3])


def test_statements_targeting_a_matching_statement_also_match(client, lrs: LrsCredentials):
    """xAPI-Communication 2.1.3 "Filter Conditions for StatementRefs", recursively."""
    original = client.post(
        "/xapi/statements", json=statement(actor=agent("ben")), headers=lrs.headers
    ).json()[0]
    comment = statement(
        actor=agent("andrew"),
        verb={"id": "http://e.com/confirmed"},
        object={"objectType": "StatementRef", "id": original},
    )
    comment_id = client.post("/xapi/statements", json=comment, headers=lrs.headers).json()[0]
    reply = statement(
        actor=agent("carl"),
        verb={"id": "http://e.com/liked"},
        object={"objectType": "StatementRef", "id": comment_id},
    )
    reply_id = client.post("/xapi/statements", json=reply, headers=lrs.headers).json()[0]
    client.post("/xapi/statements", json=statement(actor=agent("dora")), headers=lrs.headers)
    params = {"agent": json.dumps({"mbox": "mailto:ben@example.com"})}
    assert _ids(client.get("/xapi/statements", params=params, headers=lrs.headers)) == [
        reply_id,
        comment_id,
        original,
    ]


def test_since_until_and_ascending(client, lrs: LrsCredentials):
    first = client.post("/xapi/statements", json=statement(), headers=lrs.headers).json()[0]
    first_stored = client.get(
        "/xapi/statements", params={"statementId": first}, headers=lrs.headers
    ).json()["stored"]
    second = client.post("/xapi/statements", json=statement(), headers=lrs.headers).json()[0]
    since = client.get("/xapi/statements", params={"since": first_stored}, headers=lrs.headers)
    assert _ids(since) == [second]
    until = client.get("/xapi/statements", params={"until": first_stored}, headers=lrs.headers)
    assert _ids(until) == [first]
    ascending = client.get("/xapi/statements", params={"ascending": "true"}, headers=lrs.headers)
    assert _ids(ascending) == [first, second]
    assert _ids(client.get("/xapi/statements", headers=lrs.headers)) == [second, first]


def test_more_link_pages_stably_while_new_statements_arrive(client, lrs: LrsCredentials):
    ids = client.post(
        "/xapi/statements", json=[statement() for _ in range(5)], headers=lrs.headers
    ).json()
    seen: list[str] = []
    page = client.get("/xapi/statements", params={"limit": "2"}, headers=lrs.headers).json()
    seen.extend(s["id"] for s in page["statements"])
    client.post("/xapi/statements", json=[statement() for _ in range(3)], headers=lrs.headers)
    while page["more"]:
        assert page["more"].startswith("/xapi/statements?")
        page = client.get(page["more"], headers=lrs.headers).json()
        seen.extend(s["id"] for s in page["statements"])
    assert sorted(seen) == sorted(ids)
    assert len(seen) == 5


def test_more_link_keeps_filters_format_and_ascending(client, lrs: LrsCredentials):
    verb = "http://e.com/verbs/tried"
    ids = client.post(
        "/xapi/statements",
        json=[statement(verb={"id": verb, "display": {"en": "t"}}) for _ in range(3)],
        headers=lrs.headers,
    ).json()
    client.post("/xapi/statements", json=statement(), headers=lrs.headers)
    params = {"verb": verb, "limit": "1", "ascending": "true", "format": "ids"}
    page = client.get("/xapi/statements", params=params, headers=lrs.headers).json()
    seen = [s["id"] for s in page["statements"]]
    while page["more"]:
        page = client.get(page["more"], headers=lrs.headers).json()
        seen.extend(s["id"] for s in page["statements"])
        assert all("display" not in s["verb"] for s in page["statements"])
    assert seen == ids


def test_tampered_more_link_is_400(client, lrs: LrsCredentials):
    response = client.get("/xapi/statements", params={"more": "garbage"}, headers=lrs.headers)
    assert response.status_code == 400


def test_limit_zero_means_the_server_maximum(client, lrs: LrsCredentials, settings):
    settings.xapi_max_page_size = 2
    client.post("/xapi/statements", json=[statement() for _ in range(3)], headers=lrs.headers)
    page = client.get("/xapi/statements", params={"limit": "0"}, headers=lrs.headers).json()
    assert len(page["statements"]) == 2
    assert page["more"]


def test_ids_format_keeps_only_identifiers(client, lrs: LrsCredentials):
    sent = statement(
        actor={"objectType": "Group", "name": "team", "member": [agent("a")]},
        context={
            "instructor": agent("teacher"),
            "contextActivities": {
                "parent": [{"id": "http://e.com/p", "definition": {"name": {"en": "P"}}}]
            },
        },
    )
    statement_id = client.post("/xapi/statements", json=sent, headers=lrs.headers).json()[0]
    stored = client.get(
        "/xapi/statements",
        params={"statementId": statement_id, "format": "ids"},
        headers=lrs.headers,
    ).json()
    assert stored["actor"] == {
        "objectType": "Group",
        "member": [{"objectType": "Agent", "mbox": "mailto:a@example.com"}],
    }
    assert stored["verb"] == {"id": sent["verb"]["id"]}
    assert stored["object"] == {"id": sent["object"]["id"]}
    assert stored["context"]["instructor"] == {
        "objectType": "Agent",
        "mbox": "mailto:teacher@example.com",
    }
    assert stored["context"]["contextActivities"]["parent"] == [{"id": "http://e.com/p"}]


def test_ids_format_gives_substatement_activities_their_id_only(client, lrs: LrsCredentials):
    group = {"objectType": "Group", "name": "g", "mbox": "mailto:g@example.com"}
    sent = statement(
        object={
            "objectType": "SubStatement",
            "actor": group,
            "verb": {"id": "http://e.com/planned", "display": {"en": "planned"}},
            "object": {
                "objectType": "Activity",
                "id": "http://e.com/sub",
                "definition": {"name": {"en": "Sub"}},
            },
        }
    )
    statement_id = client.post("/xapi/statements", json=sent, headers=lrs.headers).json()[0]
    [listed] = [
        s
        for s in client.get(
            "/xapi/statements", params={"format": "ids"}, headers=lrs.headers
        ).json()["statements"]
        if s["id"] == statement_id
    ]
    assert listed["object"]["objectType"] == "SubStatement"
    assert listed["object"]["actor"] == {"objectType": "Group", "mbox": "mailto:g@example.com"}
    assert listed["object"]["object"] == {"id": "http://e.com/sub"}
    assert listed["object"]["verb"] == {"id": "http://e.com/planned"}


def test_canonical_format_picks_one_language_by_accept_language(client, lrs: LrsCredentials):
    sent = statement(
        verb={
            "id": "http://e.com/v",
            "display": {"en-US": "completed", "fr-FR": "terminé", "de": "beendet"},
        },
        object={
            "id": "http://e.com/a",
            "definition": {"name": {"en-US": "Quiz", "fr-FR": "Quiz FR"}},
        },
    )
    statement_id = client.post("/xapi/statements", json=sent, headers=lrs.headers).json()[0]
    headers = {**lrs.headers, "Accept-Language": "fr;q=0.9, de;q=0.5"}
    stored = client.get(
        "/xapi/statements",
        params={"statementId": statement_id, "format": "canonical"},
        headers=headers,
    ).json()
    assert stored["verb"]["display"] == {"fr-FR": "terminé"}
    assert stored["object"]["definition"]["name"] == {"fr-FR": "Quiz FR"}
    assert stored["actor"] == sent["actor"]


def test_attachments_true_answers_multipart_with_the_statements_first(client, lrs: LrsCredentials):
    client.post("/xapi/statements", json=statement(), headers=lrs.headers)
    response = client.get("/xapi/statements", params={"attachments": "true"}, headers=lrs.headers)
    assert response.headers["content-type"].startswith("multipart/mixed; boundary=")
    boundary = response.headers["content-type"].split("boundary=")[1]
    first_part = response.content.split(f"--{boundary}".encode())[1]
    headers, _, body = first_part.partition(b"\r\n\r\n")
    assert b"application/json" in headers
    assert len(json.loads(body.strip())["statements"]) == 1


# --- voiding (xAPI-Data 2.3.2, xAPI-Communication 2.1.4) -----------------------------------------


def test_voided_statement_disappears_and_is_fetched_with_voided_statement_id(
    client, lrs: LrsCredentials
):
    target = client.post("/xapi/statements", json=statement(), headers=lrs.headers).json()[0]
    voiding = client.post("/xapi/statements", json=_void(target), headers=lrs.headers).json()[0]
    assert (
        client.get(
            "/xapi/statements", params={"statementId": target}, headers=lrs.headers
        ).status_code
        == 404
    )
    voided = client.get(
        "/xapi/statements", params={"voidedStatementId": target}, headers=lrs.headers
    )
    assert voided.status_code == 200
    assert voided.json()["id"] == target
    assert _ids(client.get("/xapi/statements", headers=lrs.headers)) == [voiding]
    # Filters still find the voiding statement through its StatementRef, not the voided one.
    by_activity = client.get(
        "/xapi/statements", params={"activity": statement()["object"]["id"]}, headers=lrs.headers
    )
    assert _ids(by_activity) == [voiding]


def test_voided_statement_id_does_not_return_a_statement_that_is_not_voided(
    client, lrs: LrsCredentials
):
    target = client.post("/xapi/statements", json=statement(), headers=lrs.headers).json()[0]
    response = client.get(
        "/xapi/statements", params={"voidedStatementId": target}, headers=lrs.headers
    )
    assert response.status_code == 404


def test_a_voiding_statement_cannot_be_voided(client, lrs: LrsCredentials):
    target = client.post("/xapi/statements", json=statement(), headers=lrs.headers).json()[0]
    voiding = client.post("/xapi/statements", json=_void(target), headers=lrs.headers).json()[0]
    response = client.post("/xapi/statements", json=_void(voiding), headers=lrs.headers)
    assert response.status_code == 400
    assert "cannot be voided" in response.text
    assert (
        client.get(
            "/xapi/statements", params={"statementId": voiding}, headers=lrs.headers
        ).status_code
        == 200
    )


def test_voiding_a_voiding_statement_in_the_same_batch_is_400(client, lrs: LrsCredentials):
    first = str(uuid.uuid4())
    response = client.post(
        "/xapi/statements",
        json=[_void(str(uuid.uuid4()), id=first), _void(first)],
        headers=lrs.headers,
    )
    assert response.status_code == 400


def test_statement_arriving_after_its_voiding_statement_is_voided(client, lrs: LrsCredentials):
    late = str(uuid.uuid4())
    client.post("/xapi/statements", json=_void(late), headers=lrs.headers)
    client.put(f"/xapi/statements?statementId={late}", json=statement(), headers=lrs.headers)
    assert (
        client.get(
            "/xapi/statements", params={"statementId": late}, headers=lrs.headers
        ).status_code
        == 404
    )
    assert (
        client.get(
            "/xapi/statements", params={"voidedStatementId": late}, headers=lrs.headers
        ).status_code
        == 200
    )


def test_canonical_format_uses_the_lrs_canonical_activity_definition(client, lrs: LrsCredentials):
    activity = "http://e.com/activities/canonical"
    first = statement(object={"id": activity, "definition": {"name": {"en-US": "Old name"}}})
    first_id = client.post("/xapi/statements", json=first, headers=lrs.headers).json()[0]
    later = statement(
        object={"id": activity, "definition": {"name": {"en-US": "New name", "fr": "Nouveau"}}}
    )
    client.post("/xapi/statements", json=later, headers=lrs.headers)
    headers = {**lrs.headers, "Accept-Language": "fr"}
    canonical = client.get(
        "/xapi/statements", params={"statementId": first_id, "format": "canonical"}, headers=headers
    ).json()
    assert canonical["object"]["definition"]["name"] == {"fr": "Nouveau"}
    exact = client.get(
        "/xapi/statements", params={"statementId": first_id}, headers=lrs.headers
    ).json()
    assert exact["object"]["definition"]["name"] == {"en-US": "Old name"}
