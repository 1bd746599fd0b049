import json
import uuid
from urllib.parse import urlencode

import pytest

from learnloop.xapi.alternate_syntax import AlternateSyntaxError, rewrite
from tests.xapi.conftest import statement

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ACTIVITY = "http://example.com/activities/alt"
AGENT = json.dumps({"mbox": "mailto:alt@example.com"})


def form_fields(lrs, **fields):
    return {
        "Authorization": lrs.headers["Authorization"],
        "X-Experience-API-Version": "1.0.3",
        **fields,
    }


def post_alternate(client, path, method, fields, headers=None):
    return client.post(
        f"{path}?method={method}", content=urlencode(fields), headers={**FORM, **(headers or {})}
    )


def test_put_statement_through_the_form_with_headers_as_fields(client, lrs):
    statement_id = str(uuid.uuid4())
    fields = form_fields(lrs, statementId=statement_id, content=json.dumps(statement()))
    response = post_alternate(client, "/xapi/statements", "PUT", fields)
    assert response.status_code == 204, response.text
    stored = client.get(
        "/xapi/statements", params={"statementId": statement_id}, headers=lrs.headers
    )
    assert stored.status_code == 200
    assert stored.json()["id"] == statement_id


def test_get_statements_through_the_form(client, lrs):
    client.post("/xapi/statements", json=statement(), headers=lrs.headers)
    response = post_alternate(client, "/xapi/statements", "GET", form_fields(lrs, limit="1"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"statements", "more"}
    assert len(body["statements"]) == 1


def test_state_put_get_delete_through_the_form_keeps_unicode_content(client, lrs):
    params = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "alt"}
    text = json.dumps({"greeting": "héllo ☃ & = + %"})
    put = post_alternate(
        client, "/xapi/activities/state", "PUT", form_fields(lrs, **params, content=text)
    )
    assert put.status_code == 204, put.text
    got = client.get("/xapi/activities/state", params=params, headers=lrs.headers)
    assert got.content == text.encode("utf-8")
    assert got.headers["content-type"] == "application/json"
    via_form = post_alternate(client, "/xapi/activities/state", "GET", form_fields(lrs, **params))
    assert via_form.content == text.encode("utf-8")
    deleted = post_alternate(client, "/xapi/activities/state", "DELETE", form_fields(lrs, **params))
    assert deleted.status_code == 204
    assert (
        client.get("/xapi/activities/state", params=params, headers=lrs.headers).status_code == 404
    )


def test_content_type_and_if_match_fields_are_headers(client, lrs):
    params = {"activityId": ACTIVITY, "profileId": "p"}
    created = post_alternate(
        client,
        "/xapi/activities/profile",
        "PUT",
        form_fields(
            lrs,
            **params,
            content="plain text",
            **{"Content-Type": "text/plain", "If-None-Match": "*"},
        ),
    )
    assert created.status_code == 204
    got = client.get("/xapi/activities/profile", params=params, headers=lrs.headers)
    assert got.headers["content-type"] == "text/plain"
    stale = post_alternate(
        client,
        "/xapi/activities/profile",
        "PUT",
        form_fields(lrs, **params, content="x", **{"If-Match": '"1234"'}),
    )
    assert stale.status_code == 412
    fresh = post_alternate(
        client,
        "/xapi/activities/profile",
        "PUT",
        form_fields(lrs, **params, content="y", **{"If-Match": got.headers["etag"]}),
    )
    assert fresh.status_code == 204


def test_version_field_is_checked_like_the_header(client, lrs):
    fields = form_fields(lrs, statementId=str(uuid.uuid4()), content=json.dumps(statement()))
    fields["X-Experience-API-Version"] = "0.8"
    assert post_alternate(client, "/xapi/statements", "PUT", fields).status_code == 400


def test_missing_authorization_field_is_401(client):
    fields = {"X-Experience-API-Version": "1.0.3", "limit": "1"}
    assert post_alternate(client, "/xapi/statements", "GET", fields).status_code == 401


def test_not_a_post_is_400(client, lrs):
    fields = form_fields(lrs, content=json.dumps(statement()))
    response = client.put("/xapi/statements?method=POST", content=urlencode(fields), headers=FORM)
    assert response.status_code == 400


def test_other_query_parameters_beside_method_are_400(client, lrs):
    statement_id = str(uuid.uuid4())
    fields = form_fields(lrs, statementId=statement_id, content=json.dumps(statement()))
    response = client.post(
        f"/xapi/statements?method=PUT&statementId={statement_id}",
        content=urlencode(fields),
        headers=FORM,
    )
    assert response.status_code == 400
    assert (
        client.get(
            "/xapi/statements", params={"statementId": statement_id}, headers=lrs.headers
        ).status_code
        == 404
    )


def test_body_that_is_not_form_encoded_is_400(client, lrs):
    fields = form_fields(lrs, statementId=str(uuid.uuid4()), content=json.dumps(statement()))
    response = client.post("/xapi/statements?method=PUT", content=json.dumps(fields), headers=FORM)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")


def test_put_without_content_is_400(client, lrs):
    response = post_alternate(client, "/xapi/statements", "PUT", form_fields(lrs))
    assert response.status_code == 400


def test_non_form_content_type_is_400(client, lrs):
    response = client.post(
        "/xapi/statements?method=GET",
        content=urlencode(form_fields(lrs)),
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 400


def test_unknown_method_is_400(client, lrs):
    assert post_alternate(client, "/xapi/statements", "PATCH", form_fields(lrs)).status_code == 400


def test_paths_outside_xapi_are_not_rewritten(client):
    assert client.get("/health?method=PUT").status_code == 200


def test_rewrite_refuses_a_request_that_is_not_a_post():
    scope = {"type": "http", "method": "PUT", "query_string": b"method=GET", "headers": []}
    with pytest.raises(AlternateSyntaxError):
        rewrite(scope, b"")


def test_rewrite_moves_fields_to_headers_query_and_body():
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/xapi/activities/state",
        "query_string": b"method=PUT",
        "headers": [
            (b"content-type", FORM["Content-Type"].encode()),
            (b"content-length", b"999"),
            (b"x-other", b"1"),
        ],
    }
    body = urlencode(
        {"stateId": "s", "content": "a+b", "If-None-Match": "*", "Content-Length": "3"}
    ).encode()
    new_scope, new_body = rewrite(scope, body)
    headers = dict(new_scope["headers"])
    assert new_scope["method"] == "PUT"
    assert new_scope["query_string"] == b"stateId=s"
    assert new_body == b"a+b"
    assert headers[b"if-none-match"] == b"*"
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"content-length"] == b"3"
    assert headers[b"x-other"] == b"1"


@pytest.mark.parametrize("where", ["form", "header"])
def test_alternate_syntax_speaking_xapi_2_0_is_400(client, lrs, where):
    statement_id = str(uuid.uuid4())
    fields = form_fields(lrs, statementId=statement_id, content=json.dumps(statement()))
    headers = None
    if where == "form":
        fields["X-Experience-API-Version"] = "2.0.0"
    else:
        del fields["X-Experience-API-Version"]
        headers = {"X-Experience-API-Version": "2.0.0"}
    response = post_alternate(client, "/xapi/statements", "PUT", fields, headers)
    assert response.status_code == 400
    assert "2.0" in response.text
    stored = client.get(
        "/xapi/statements", params={"statementId": statement_id}, headers=lrs.headers
    )
    assert stored.status_code == 404
