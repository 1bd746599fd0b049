import json
import threading

import pytest
from sqlalchemy import event

from learnloop.xapi.activity_definitions import (
    canonical_activity,
    collect_definitions,
    merge_definitions,
    record_definitions,
)
from tests.xapi.conftest import VERSION, statement

ACTIVITY = "http://example.com/activities/resource-test"


def activity_statement(definition=None, activity_id=ACTIVITY, **extra):
    target = {"objectType": "Activity", "id": activity_id}
    if definition is not None:
        target["definition"] = definition
    return statement(object=target, **extra)


# --- canonical activity definitions (service) ----------------------------------------------


def test_merge_keeps_other_languages_and_newer_values_win():
    merged = merge_definitions(
        {
            "name": {"en-US": "Quiz", "fr": "Quiz FR"},
            "type": "http://a",
            "extensions": {"http://x": 1},
        },
        {
            "name": {"en-US": "Quiz 2"},
            "description": {"de": "Test"},
            "type": "http://b",
            "extensions": {"http://y": 2},
        },
    )
    assert merged == {
        "name": {"en-US": "Quiz 2", "fr": "Quiz FR"},
        "description": {"de": "Test"},
        "type": "http://b",
        "extensions": {"http://x": 1, "http://y": 2},
    }


def test_merge_interaction_components_by_id():
    merged = merge_definitions(
        {"choices": [{"id": "a", "description": {"en-US": "A"}}]},
        {
            "choices": [
                {"id": "a", "description": {"fr": "A fr"}},
                {"id": "b", "description": {"en-US": "B"}},
            ]
        },
    )
    assert merged["choices"] == [
        {"id": "a", "description": {"en-US": "A", "fr": "A fr"}},
        {"id": "b", "description": {"en-US": "B"}},
    ]


def test_collect_finds_object_substatement_and_context_activities():
    parent = "http://example.com/parent"
    sub_object = "http://example.com/sub"
    stmt = statement(
        object={
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:a@example.com"},
            "verb": {"id": "http://example.com/v"},
            "object": {"id": sub_object, "definition": {"name": {"en-US": "Sub"}}},
        },
        context={
            "contextActivities": {"parent": [{"id": parent, "definition": {"name": {"en": "P"}}}]}
        },
    )
    collected = collect_definitions([stmt])
    assert collected[sub_object] == {"name": {"en-US": "Sub"}}
    assert collected[parent] == {"name": {"en": "P"}}


def test_record_definitions_merges_into_the_stored_definition(session):
    record_definitions(session, {ACTIVITY: {"name": {"en-US": "One"}}})
    record_definitions(session, {ACTIVITY: {"name": {"fr": "Un"}}})
    record_definitions(session, {ACTIVITY: {}})
    assert canonical_activity(session, ACTIVITY) == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {"name": {"en-US": "One", "fr": "Un"}},
    }


def _statements_while(session, action):
    """The SQL statements ``action`` sends, in order."""
    sent = []
    connection = session.connection()

    def record(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    return sent


def test_a_repeated_definition_is_read_once_and_not_written(session):
    definition = {"name": {"en-US": "One"}, "type": "http://example.com/types/quiz"}
    record_definitions(session, {ACTIVITY: definition})
    sent = _statements_while(session, lambda: record_definitions(session, {ACTIVITY: definition}))
    assert len(sent) == 1 and sent[0].lstrip().upper().startswith("SELECT")
    assert "FOR UPDATE" not in sent[0].upper()


def test_a_new_definition_is_locked_and_written(session):
    record_definitions(session, {ACTIVITY: {"name": {"en-US": "One"}}})
    sent = _statements_while(
        session, lambda: record_definitions(session, {ACTIVITY: {"name": {"fr": "Un"}}})
    )
    assert any(s.lstrip().upper().startswith("UPDATE") for s in sent)


def test_a_definition_sent_again_after_another_wins_again(session):
    # Only the definition merged in last may be skipped: "One" merged before "Two" must
    # be merged again, and as the newest value it wins.
    record_definitions(session, {ACTIVITY: {"name": {"en-US": "One"}}})
    record_definitions(session, {ACTIVITY: {"name": {"en-US": "Two"}}})
    record_definitions(session, {ACTIVITY: {"name": {"en-US": "One"}}})
    assert canonical_activity(session, ACTIVITY)["definition"] == {"name": {"en-US": "One"}}


def test_collect_merges_repeats_and_changes_in_statement_order():
    first = activity_statement({"name": {"en-US": "A"}})
    again = activity_statement({"name": {"en-US": "A"}})
    later = activity_statement({"name": {"en-US": "B"}, "description": {"fr": "b"}})
    bare = activity_statement(None, activity_id="http://example.com/activities/bare")
    assert collect_definitions([first, again, later, bare]) == {
        ACTIVITY: {"name": {"en-US": "B"}, "description": {"fr": "b"}},
        "http://example.com/activities/bare": {},
    }


def test_unknown_activity_is_still_an_activity_object(session):
    assert canonical_activity(session, "http://example.com/unknown") == {
        "objectType": "Activity",
        "id": "http://example.com/unknown",
    }


# --- GET /xapi/activities ------------------------------------------------------------------


def test_activity_definition_combines_descriptions_from_several_statements(client, lrs):
    first = activity_statement({"name": {"en-US": "Quiz"}, "description": {"en-US": "A quiz"}})
    second = activity_statement({"description": {"fr": "Un quiz"}})
    for body in (first, second):
        assert client.post("/xapi/statements", json=body, headers=lrs.headers).status_code == 200
    response = client.get("/xapi/activities", params={"activityId": ACTIVITY}, headers=lrs.headers)
    assert response.status_code == 200
    assert response.json() == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {
            "name": {"en-US": "Quiz"},
            "description": {"en-US": "A quiz", "fr": "Un quiz"},
        },
    }


def test_rejected_statement_batch_leaves_no_definition(client, lrs):
    good = activity_statement({"name": {"en-US": "Should not stay"}})
    bad = statement(verb={"id": "not an iri"})
    assert client.post("/xapi/statements", json=[good, bad], headers=lrs.headers).status_code == 400
    response = client.get("/xapi/activities", params={"activityId": ACTIVITY}, headers=lrs.headers)
    assert response.json() == {"objectType": "Activity", "id": ACTIVITY}


@pytest.mark.parametrize(
    "params",
    [{}, {"activityId": ""}, {"activityId": "no scheme"}, {"activityId": ACTIVITY, "extra": "1"}],
)
def test_bad_activity_parameters_are_400(client, lrs, params):
    assert client.get("/xapi/activities", params=params, headers=lrs.headers).status_code == 400


def test_activities_need_credentials_and_a_version(client, lrs):
    assert (
        client.get("/xapi/activities", params={"activityId": ACTIVITY}, headers=VERSION).status_code
        == 401
    )
    no_version = {"Authorization": lrs.headers["Authorization"]}
    assert (
        client.get(
            "/xapi/activities", params={"activityId": ACTIVITY}, headers=no_version
        ).status_code
        == 400
    )


# --- GET /xapi/agents ----------------------------------------------------------------------


def test_person_of_an_unknown_agent_holds_that_agent(client, lrs):
    agent = {"objectType": "Agent", "name": "Zoe", "mbox": "mailto:zoe@example.com"}
    response = client.get("/xapi/agents", params={"agent": json.dumps(agent)}, headers=lrs.headers)
    assert response.status_code == 200
    assert response.json() == {
        "objectType": "Person",
        "name": ["Zoe"],
        "mbox": ["mailto:zoe@example.com"],
    }


@pytest.mark.parametrize(
    "agent",
    [
        {"account": {"homePage": "http://example.com", "name": "zoe"}},
        {"openid": "http://openid.example.com/zoe"},
        {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
    ],
)
def test_person_properties_are_arrays(client, lrs, agent):
    person = client.get(
        "/xapi/agents", params={"agent": json.dumps(agent)}, headers=lrs.headers
    ).json()
    assert person["objectType"] == "Person"
    (ifi,) = agent
    assert person[ifi] == [agent[ifi]]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"agent": "not json"},
        {"agent": json.dumps({"mbox": "zoe@example.com"})},
        {"agent": json.dumps({"objectType": "Group", "mbox": "mailto:team@example.com"})},
        {"agent": json.dumps({"mbox": "mailto:a@example.com", "openid": "http://b.example.com"})},
        {"agent": json.dumps({"mbox": "mailto:a@example.com"}), "extra": "1"},
    ],
)
def test_bad_agent_parameters_are_400(client, lrs, params):
    assert client.get("/xapi/agents", params=params, headers=lrs.headers).status_code == 400


def test_person_of_a_user_combines_account_and_email_for_privileged_callers(
    client, lrs, learner, settings
):
    agent = {"mbox": f"mailto:{learner.user.email}"}
    person = client.get(
        "/xapi/agents", params={"agent": json.dumps(agent)}, headers=lrs.headers
    ).json()
    assert person["mbox"] == [f"mailto:{learner.user.email}"]
    assert person["account"] == [{"homePage": settings.base_url, "name": learner.user.id}]
    assert person["name"] == [learner.user.display_name]


def test_person_of_a_user_asked_by_that_user_combines_identities(client, learner, settings):
    agent = {"account": {"homePage": settings.base_url, "name": learner.user.id}}
    headers = {**learner.headers, **VERSION}
    person = client.get("/xapi/agents", params={"agent": json.dumps(agent)}, headers=headers).json()
    assert person["mbox"] == [f"mailto:{learner.user.email}"]


def test_person_of_another_user_does_not_reveal_linked_identities(
    client, learner, make_account, make_credentials
):
    other = make_account("learner")
    agent = {"mbox": f"mailto:{other.user.email}"}
    # statements/read/mine: a client that may read something (a write-only one reads nothing).
    mine = make_credentials("statements/write", "statements/read/mine")
    for headers in ({**learner.headers, **VERSION}, mine.headers):
        person = client.get(
            "/xapi/agents", params={"agent": json.dumps(agent)}, headers=headers
        ).json()
        assert person == {"objectType": "Person", "mbox": [f"mailto:{other.user.email}"]}


def test_concurrent_batches_defining_one_new_activity_both_commit_and_merge(committed_database):
    first = committed_database.session()
    record_definitions(first, {ACTIVITY: {"name": {"en-US": "One"}}})
    errors: list[BaseException] = []

    def second_batch() -> None:
        try:
            with committed_database.session() as second:
                record_definitions(second, {ACTIVITY: {"name": {"fr": "Un"}}})
                second.commit()
        except BaseException as error:  # the assertion below reports it
            errors.append(error)

    thread = threading.Thread(target=second_batch)
    thread.start()
    thread.join(timeout=0.5)
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert errors == []
    with committed_database.session() as check:
        assert canonical_activity(check, ACTIVITY)["definition"] == {
            "name": {"en-US": "One", "fr": "Un"}
        }


def test_head_on_activities_and_agents_has_no_body(client, lrs):
    activity = client.head("/xapi/activities", params={"activityId": ACTIVITY}, headers=lrs.headers)
    assert activity.status_code == 200
    assert activity.content == b""
    assert activity.headers["content-type"] == "application/json"
    agent = json.dumps({"mbox": "mailto:zoe@example.com"})
    person = client.head("/xapi/agents", params={"agent": agent}, headers=lrs.headers)
    assert person.status_code == 200
    assert person.content == b""


def test_person_links_a_user_whatever_the_case_of_the_email(client, lrs, learner):
    agent = {"mbox": f"mailto:{learner.user.email.upper()}"}
    person = client.get(
        "/xapi/agents", params={"agent": json.dumps(agent)}, headers=lrs.headers
    ).json()
    assert person["mbox"] == [agent["mbox"], f"mailto:{learner.user.email}"]
    assert len(person["account"]) == 1


@pytest.mark.parametrize(
    "definition",
    [
        {"name": {"en-US": "Q"}, "extensions": {"http://x": {"deep": [1, 2]}}},
        {
            "interactionType": "choice",
            "correctResponsesPattern": ["a"],
            "choices": [{"id": "a", "description": {"en-US": "A"}}, {"id": "b"}],
        },
    ],
)
def test_collecting_a_first_definition_equals_merging_it_into_nothing(definition):
    collected = collect_definitions([activity_statement(definition)])
    assert collected[ACTIVITY] == merge_definitions({}, definition)
