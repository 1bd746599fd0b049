"""Each xAPI data rule, broken by one statement: a 400 that names the problem, nothing stored."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from learnloop.xapi.errors import InvalidStatement
from learnloop.xapi.validation_primitives import (
    KNOWN_VALID_LIMIT,
    KNOWN_VALID_MAX_BYTES,
    fail,
    remembers_valid,
)
from tests.xapi.conftest import LrsCredentials, agent, statement

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        target = document
        keys = path.split(".")
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        target[keys[-1]] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        target = document
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return mutate


ACTIVITY = {"objectType": "Activity", "id": "http://example.com/a"}
SUBSTATEMENT = {
    "objectType": "SubStatement",
    "actor": agent("sub"),
    "verb": {"id": "http://example.com/verbs/will"},
    "object": ACTIVITY,
}

INVALID: list[tuple[str, Mutation, str]] = [
    # xAPI-Data 2.2: required properties, unknown properties, case of keys, nulls.
    ("missing actor", _delete("actor"), "missing required property 'actor'"),
    ("missing verb", _delete("verb"), "missing required property 'verb'"),
    ("missing object", _delete("object"), "missing required property 'object'"),
    ("unknown top-level property", _set("extra", 1), "unexpected property 'extra'"),
    ("wrong case key", _set("Actor", agent()), "unexpected property 'Actor'"),
    ("null value", _set("result", None), "must be a JSON object, not null"),
    # 2.4.1 / 4.4: ids are UUIDs.
    ("id not a uuid", _set("id", "not-a-uuid"), "not a UUID"),
    ("id with braces", _set("id", "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}"), "not a UUID"),
    # 2.4.2: agents need exactly one IFI; mbox is a mailto IRI.
    (
        "agent without ifi",
        _set("actor", {"name": "x"}),
        "needs exactly one inverse functional identifier",
    ),
    (
        "agent with two ifis",
        _set("actor", {"mbox": "mailto:a@example.com", "openid": "http://openid.example.com/a"}),
        "exactly one is allowed",
    ),
    ("mbox without mailto", _set("actor", {"mbox": "a@example.com"}), "not a mailto IRI"),
    ("mbox_sha1sum not hex", _set("actor", {"mbox_sha1sum": "xyz"}), "hex-encoded SHA1"),
    ("openid not an iri", _set("actor", {"openid": "not an iri"}), "not an absolute IRI"),
    (
        "account without homePage",
        _set("actor", {"account": {"name": "x"}}),
        "missing required property 'homePage'",
    ),
    (
        "account homePage not an iri",
        _set("actor", {"account": {"homePage": "example.com", "name": "x"}}),
        "not an absolute IRI",
    ),
    (
        "agent name not a string",
        _set("actor", {"mbox": "mailto:a@example.com", "name": 5}),
        "must be a string",
    ),
    ("agent wrong objectType", _set("actor.objectType", "agent"), "objectType must be 'Agent'"),
    # Groups.
    (
        "anonymous group without members",
        _set("actor", {"objectType": "Group"}),
        "must list its members",
    ),
    (
        "group containing a group",
        _set(
            "actor",
            {
                "objectType": "Group",
                "member": [{"objectType": "Group", "mbox": "mailto:g@example.com"}],
            },
        ),
        "must not contain Groups",
    ),
    (
        "group member without ifi",
        _set("actor", {"objectType": "Group", "member": [{"name": "nobody"}]}),
        "member[0]",
    ),
    # 2.4.3 Verb.
    (
        "verb without id",
        _set("verb", {"display": {"en-US": "x"}}),
        "missing required property 'id'",
    ),
    ("verb id not an iri", _set("verb.id", "completed"), "not an absolute IRI"),
    (
        "verb display bad language tag",
        _set("verb.display", {"english!": "x"}),
        "not an RFC 5646 language tag",
    ),
    ("verb display value not a string", _set("verb.display", {"en-US": 1}), "must be a string"),
    # 2.4.4 Object.
    ("unknown objectType", _set("object.objectType", "Thing"), "is not one of"),
    ("activity id not an iri", _set("object.id", "quiz"), "not an absolute IRI"),
    (
        "activity definition unknown key",
        _set("object.definition", {"title": {}}),
        "unexpected property 'title'",
    ),
    (
        "activity type not an iri",
        _set("object.definition", {"type": "quiz"}),
        "not an absolute IRI",
    ),
    ("moreInfo not an iri", _set("object.definition", {"moreInfo": "info"}), "not an absolute IRI"),
    (
        "agent object without objectType",
        _set("object", {"mbox": "mailto:o@example.com"}),
        "unexpected property 'mbox'",
    ),
    (
        "statement ref with bad id",
        _set("object", {"objectType": "StatementRef", "id": "x"}),
        "not a UUID",
    ),
    (
        "statement ref with extra property",
        _set(
            "object",
            {"objectType": "StatementRef", "id": "6ba7b810-9dad-41d1-80b4-00c04fd430c8", "x": 1},
        ),
        "unexpected property 'x'",
    ),
    # Interaction activities.
    (
        "unknown interactionType",
        _set("object.definition", {"interactionType": "essay"}),
        "is not one of true-false",
    ),
    (
        "correctResponsesPattern without interactionType",
        _set("object.definition", {"correctResponsesPattern": ["a"]}),
        "need an interactionType",
    ),
    (
        "correctResponsesPattern not strings",
        _set("object.definition", {"interactionType": "choice", "correctResponsesPattern": [1]}),
        "must be a string",
    ),
    (
        "component list not allowed for type",
        _set("object.definition", {"interactionType": "true-false", "choices": [{"id": "a"}]}),
        "is not a component list",
    ),
    (
        "duplicate component ids",
        _set(
            "object.definition",
            {"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]},
        ),
        "appears twice",
    ),
    (
        "component without id",
        _set(
            "object.definition",
            {"interactionType": "likert", "scale": [{"description": {"en": "x"}}]},
        ),
        "missing required property 'id'",
    ),
    # SubStatements.
    (
        "nested substatement",
        _set("object", {**SUBSTATEMENT, "object": SUBSTATEMENT}),
        "must not contain a SubStatement",
    ),
    (
        "substatement with id",
        _set("object", {**SUBSTATEMENT, "id": "6ba7b810-9dad-41d1-80b4-00c04fd430c8"}),
        "unexpected property 'id'",
    ),
    (
        "substatement with stored",
        _set("object", {**SUBSTATEMENT, "stored": "2024-01-01T00:00:00Z"}),
        "'stored'",
    ),
    (
        "substatement with version",
        _set("object", {**SUBSTATEMENT, "version": "1.0.0"}),
        "'version'",
    ),
    (
        "substatement with authority",
        _set("object", {**SUBSTATEMENT, "authority": agent()}),
        "'authority'",
    ),
    (
        "substatement with bad actor",
        _set("object", {**SUBSTATEMENT, "actor": {"name": "x"}}),
        "object.actor",
    ),
    # 2.4.5 Result and score.
    ("scaled above 1", _set("result", {"score": {"scaled": 1.5}}), "outside -1..1"),
    ("scaled below -1", _set("result", {"score": {"scaled": -1.01}}), "outside -1..1"),
    ("raw above max", _set("result", {"score": {"raw": 11, "min": 0, "max": 10}}), "above max"),
    ("raw below min", _set("result", {"score": {"raw": -1, "min": 0, "max": 10}}), "below min"),
    ("min not below max", _set("result", {"score": {"min": 5, "max": 5}}), "must be less than max"),
    ("score as string", _set("result", {"score": {"raw": "5"}}), "must be a number"),
    (
        "score unknown key",
        _set("result", {"score": {"percent": 5}}),
        "unexpected property 'percent'",
    ),
    ("success as string", _set("result", {"success": "true"}), "must be a boolean"),
    ("completion as number", _set("result", {"completion": 1}), "must be a boolean"),
    ("response not a string", _set("result", {"response": 3}), "must be a string"),
    ("duration not iso", _set("result", {"duration": "120"}), "not an ISO 8601 duration"),
    (
        "duration alternative format",
        _set("result", {"duration": "PT00:01:00"}),
        "not an ISO 8601 duration",
    ),
    ("duration weeks mixed", _set("result", {"duration": "P4W1D"}), "not an ISO 8601 duration"),
    ("duration empty", _set("result", {"duration": "P"}), "not an ISO 8601 duration"),
    ("duration time without value", _set("result", {"duration": "PT"}), "not an ISO 8601 duration"),
    # 2.4.6 Context.
    ("registration not a uuid", _set("context", {"registration": "abc"}), "not a UUID"),
    (
        "revision with agent object",
        lambda s: s.update(
            object={"objectType": "Agent", "mbox": "mailto:o@example.com"},
            context={"revision": "2"},
        ),
        "only be used when the statement's object is an Activity",
    ),
    (
        "platform with statementref object",
        lambda s: s.update(
            object={"objectType": "StatementRef", "id": "6ba7b810-9dad-41d1-80b4-00c04fd430c8"},
            context={"platform": "web"},
        ),
        "only be used when the statement's object is an Activity",
    ),
    ("team not a group", _set("context", {"team": agent("t")}), "needs objectType 'Group'"),
    ("instructor invalid", _set("context", {"instructor": {"name": "x"}}), "context.instructor"),
    (
        "context language tag invalid",
        _set("context", {"language": "english language"}),
        "language tag",
    ),
    (
        "contextActivities unknown key",
        _set("context", {"contextActivities": {"parents": [ACTIVITY]}}),
        "unexpected property 'parents'",
    ),
    (
        "contextActivities bad activity",
        _set("context", {"contextActivities": {"parent": [{"id": "nope"}]}}),
        "not an absolute IRI",
    ),
    (
        "context statement not a ref",
        _set("context", {"statement": ACTIVITY}),
        "needs objectType 'StatementRef'",
    ),
    (
        "contextAgents on 1.0.3",
        _set("context", {"contextAgents": []}),
        "unexpected property 'contextAgents'",
    ),
    # 4.1 Extensions.
    (
        "extension key not an iri",
        _set("result", {"extensions": {"score": 1}}),
        "not an absolute IRI",
    ),
    (
        "context extension key not an iri",
        _set("context", {"extensions": {"x y": 1}}),
        "not an absolute IRI",
    ),
    # 4.5 Timestamps.
    ("timestamp without zone", _set("timestamp", "2024-01-01T10:00:00"), "with a time zone"),
    ("timestamp not iso", _set("timestamp", "01/02/2024"), "with a time zone"),
    ("timestamp -00:00 offset", _set("timestamp", "2024-01-01T10:00:00-00:00"), "with a time zone"),
    ("timestamp impossible date", _set("timestamp", "2024-02-30T10:00:00Z"), "with a time zone"),
    ("stored not a timestamp", _set("stored", "yesterday"), "statement.stored"),
    # 2.4.9 Authority, 2.4.10 Version.
    ("authority invalid", _set("authority", {"name": "x"}), "statement.authority"),
    (
        "authority group of three",
        _set("authority", {"objectType": "Group", "member": [agent("a"), agent("b"), agent("c")]}),
        "exactly two members",
    ),
    (
        "authority identified group",
        _set(
            "authority",
            {
                "objectType": "Group",
                "mbox": "mailto:group@example.com",
                "member": [agent("a"), agent("b")],
            },
        ),
        "anonymous Group",
    ),
    (
        "authority group identified by account",
        _set(
            "authority",
            {
                "objectType": "Group",
                "account": {"homePage": "http://e.com", "name": "g"},
                "member": [agent("a"), agent("b")],
            },
        ),
        "anonymous Group",
    ),
    ("version 0.95", _set("version", "0.95"), "statement.version"),
    ("version 2.0.0 over 1.0.3", _set("version", "2.0.0"), "statement.version"),
    # 2.4.11 Attachments.
    (
        "attachment missing sha2",
        _set(
            "attachments",
            [
                {
                    "usageType": "http://e.com/u",
                    "display": {"en": "x"},
                    "contentType": "text/plain",
                    "length": 1,
                }
            ],
        ),
        "'sha2'",
    ),
    (
        "attachment length negative",
        _set(
            "attachments",
            [
                {
                    "usageType": "http://e.com/u",
                    "display": {"en": "x"},
                    "contentType": "text/plain",
                    "length": -1,
                    "sha2": "ab",
                    "fileUrl": "http://e.com/f",
                }
            ],
        ),
        "non-negative integer",
    ),
    (
        "attachment without fileUrl or payload",
        _set(
            "attachments",
            [
                {
                    "usageType": "http://e.com/u",
                    "display": {"en": "x"},
                    "contentType": "text/plain",
                    "length": 1,
                    "sha2": "ab",
                }
            ],
        ),
        "no fileUrl and no multipart part",
    ),
    # 2.3.2 Voiding.
    (
        "voiding with an activity object",
        _set("verb", {"id": "http://adlnet.gov/expapi/verbs/voided"}),
        "must be a StatementRef",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [(m, e) for _, m, e in INVALID], ids=[n for n, _, _ in INVALID]
)
def test_statement_breaking_a_rule_is_400_naming_the_problem(
    client, lrs: LrsCredentials, mutate, expected
):
    document = statement()
    mutate(document)
    response = client.post("/xapi/statements", json=document, headers=lrs.headers)
    assert response.status_code == 400, response.text
    assert expected in response.text
    assert response.headers["content-type"].startswith("text/plain")
    listing = client.get("/xapi/statements", headers=lrs.headers)
    assert listing.json()["statements"] == []


VALID: list[tuple[str, Mutation]] = [
    ("mbox_sha1sum", _set("actor", {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"})),
    ("openid", _set("actor", {"openid": "http://openid.example.org/12345"})),
    ("account", _set("actor", {"account": {"homePage": "http://example.com", "name": "1"}})),
    ("identified group", _set("actor", {"objectType": "Group", "mbox": "mailto:team@example.com"})),
    ("anonymous group", _set("actor", {"objectType": "Group", "member": [agent("a"), agent("b")]})),
    ("duration seconds", _set("result", {"duration": "PT120S"})),
    ("duration full", _set("result", {"duration": "P3Y1M29DT4H35M59.14S"})),
    ("duration weeks", _set("result", {"duration": "P4W"})),
    (
        "score bounds inclusive",
        _set("result", {"score": {"scaled": -1, "raw": 10, "min": 0, "max": 10}}),
    ),
    ("timestamp offset", _set("timestamp", "2024-01-01T10:00:00.123+05:30")),
    ("timestamp compact offset", _set("timestamp", "2024-01-01T10:00:00+0530")),
    ("timestamp nanoseconds", _set("timestamp", "2024-01-01T10:00:00.123456789Z")),
    (
        "language tags",
        _set("verb.display", {"en-US": "a", "zh-Hant-TW": "b", "es-419": "c", "de": "d"}),
    ),
    (
        "extension values may be null",
        _set("result", {"extensions": {"http://example.com/x": None}}),
    ),
    ("single context activity", _set("context", {"contextActivities": {"parent": ACTIVITY}})),
    ("substatement", _set("object", SUBSTATEMENT)),
    ("agent object", _set("object", {"objectType": "Agent", "mbox": "mailto:o@example.com"})),
    ("version 1.0", _set("version", "1.0")),
    ("version 1.0.0", _set("version", "1.0.0")),
    (
        "authority anonymous group of oauth consumer and user",
        _set(
            "authority",
            {
                "objectType": "Group",
                "member": [
                    {"account": {"homePage": "http://e.com/OAuth/Token", "name": "consumer"}},
                    agent("user"),
                ],
            },
        ),
    ),
    ("version 1.0.9", _set("version", "1.0.9")),
    (
        "interaction",
        _set(
            "object.definition",
            {
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "matching",
                "correctResponsesPattern": ["a[.]1[,]b[.]2"],
                "source": [{"id": "a", "description": {"en-US": "A"}}, {"id": "b"}],
                "target": [{"id": "1"}, {"id": "2"}],
            },
        ),
    ),
    (
        "attachment with fileUrl",
        _set(
            "attachments",
            [
                {
                    "usageType": "http://e.com/u",
                    "display": {"en": "x"},
                    "contentType": "text/plain",
                    "length": 1,
                    "sha2": "ab",
                    "fileUrl": "http://e.com/f",
                }
            ],
        ),
    ),
]


@pytest.mark.parametrize("mutate", [m for _, m in VALID], ids=[n for n, _ in VALID])
def test_statement_following_the_rules_is_stored(client, lrs: LrsCredentials, mutate):
    document = copy.deepcopy(statement())
    mutate(document)
    response = client.post("/xapi/statements", json=document, headers=lrs.headers)
    assert response.status_code == 200, response.text
    stored = client.get(
        "/xapi/statements", params={"statementId": response.json()[0]}, headers=lrs.headers
    )
    assert stored.status_code == 200


def test_context_agents_and_groups_are_accepted_over_2_0(client, lrs: LrsCredentials):
    document = statement(
        context={
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": agent("coach"),
                    "relevantTypes": ["http://example.com/coach"],
                }
            ],
            "contextGroups": [
                {
                    "objectType": "contextGroup",
                    "group": {"objectType": "Group", "member": [agent("peer")]},
                }
            ],
        },
        version="2.0.0",
    )
    headers = {**lrs.headers, "X-Experience-API-Version": "2.0.0"}
    response = client.post("/xapi/statements", json=document, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["X-Experience-API-Version"] == "2.0.0"


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"contextAgents": [{"objectType": "agent", "agent": agent()}]}, "must be 'contextAgent'"),
        (
            {
                "contextAgents": [
                    {"objectType": "contextAgent", "agent": agent(), "relevantTypes": []}
                ]
            },
            "must not be empty",
        ),
        (
            {"contextGroups": [{"objectType": "contextGroup", "group": agent()}]},
            "needs objectType 'Group'",
        ),
    ],
)
def test_bad_context_agents_over_2_0_are_400(client, lrs: LrsCredentials, context, expected):
    headers = {**lrs.headers, "X-Experience-API-Version": "2.0.0"}
    response = client.post("/xapi/statements", json=statement(context=context), headers=headers)
    assert response.status_code == 400
    assert expected in response.text


def test_one_bad_statement_in_a_batch_stores_none_of_it(client, lrs: LrsCredentials):
    batch = [statement(), statement(), statement(result={"score": {"scaled": 2}})]
    response = client.post("/xapi/statements", json=batch, headers=lrs.headers)
    assert response.status_code == 400
    assert "statement[2].result.score.scaled" in response.text
    assert client.get("/xapi/statements", headers=lrs.headers).json()["statements"] == []


# --- remembered checks -----------------------------------------------------------------------


def _counting_check() -> tuple[Callable[[Any, str], None], list[str]]:
    calls: list[str] = []

    def check(value: Any, path: str) -> None:
        calls.append(path)
        if value.get("bad"):
            raise fail(path, "is bad")

    return check, calls


def test_a_remembered_check_runs_once_per_distinct_valid_object() -> None:
    check, calls = _counting_check()
    remembered = remembers_valid(check)
    remembered({"id": "a"}, "statement[0].verb")
    remembered({"id": "a"}, "statement[1].verb")
    remembered({"id": "b"}, "statement[2].verb")
    assert calls == ["statement[0].verb", "statement[2].verb"]


def test_a_remembered_check_still_fails_with_each_path() -> None:
    check, calls = _counting_check()
    remembered = remembers_valid(check)
    for index in range(2):
        with pytest.raises(InvalidStatement, match=rf"statement\[{index}\]\.verb: is bad"):
            remembered({"bad": True}, f"statement[{index}].verb")
    assert len(calls) == 2


def test_a_remembered_check_does_not_remember_beyond_its_limits() -> None:
    check, calls = _counting_check()
    remembered = remembers_valid(check)
    large = {"id": "x" * (KNOWN_VALID_MAX_BYTES + 1)}
    remembered(large, "a")
    remembered(large, "b")
    for index in range(KNOWN_VALID_LIMIT + 1):
        remembered({"id": index}, "c")
    remembered({"id": 0}, "d")  # forgotten when the memory was emptied
    assert calls[:2] == ["a", "b"]
    assert calls[-1] == "d"


def test_remembered_activities_do_not_hide_a_bad_one_in_a_later_batch(
    client, lrs: LrsCredentials
) -> None:
    good = statement(object={"id": "http://example.com/a", "definition": {"type": "http://t"}})
    assert client.post("/xapi/statements", json=good, headers=lrs.headers).status_code == 200
    bad = statement(object={"id": "http://example.com/a", "definition": {"type": "not an iri"}})
    response = client.post("/xapi/statements", json=[good, bad], headers=lrs.headers)
    assert response.status_code == 400
    assert "statement[1].object.definition.type" in response.text
