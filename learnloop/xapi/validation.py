"""Full data validation of statements (xAPI-Data 2.2 - 2.4, 4.0), for 1.0.x and 2.0.

``validate_statement`` raises :class:`InvalidStatement` naming the first property that
breaks a rule; a batch is validated as a whole before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from learnloop.xapi.agents import agent_key
from learnloop.xapi.validation_activities import check_activity
from learnloop.xapi.validation_agents import check_actor, check_agent, check_group
from learnloop.xapi.validation_primitives import (
    check_duration,
    check_extensions,
    check_iri,
    check_keys,
    check_language_map,
    check_language_tag,
    check_timestamp,
    check_uuid,
    fail,
    remembers_valid,
    require_bool,
    require_list,
    require_number,
    require_object,
    require_string,
)
from learnloop.xapi.versions import XapiVersion, statement_version_allowed

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
STATEMENT_KEYS = (
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
)
# xAPI-Data 2.4.4.3 SubStatements: no id, stored, version or authority.
SUBSTATEMENT_KEYS = (
    "objectType",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "attachments",
)
OBJECT_TYPES = ("Activity", "Agent", "Group", "StatementRef", "SubStatement")
CONTEXT_KEYS_1 = (
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
)
# xAPI 2.0 (IEEE 9274.1.1, Context): contextAgents and contextGroups.
CONTEXT_KEYS_2 = (*CONTEXT_KEYS_1, "contextAgents", "contextGroups")
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")
ATTACHMENT_KEYS = (
    "usageType",
    "display",
    "description",
    "contentType",
    "length",
    "sha2",
    "fileUrl",
)


def validate_statement(value: Any, path: str, version: XapiVersion) -> dict[str, Any]:
    statement = require_object(value, path)
    check_keys(statement, path, STATEMENT_KEYS, ("actor", "verb", "object"))
    if "id" in statement:
        check_uuid(statement["id"], f"{path}.id")
    _check_core(statement, path, version, substatement=False)
    if "stored" in statement:
        # xAPI-Data 2.4.8: the LRS SHOULD validate and then MUST overwrite it.
        check_timestamp(statement["stored"], f"{path}.stored")
    if "authority" in statement:
        _check_authority(statement["authority"], f"{path}.authority")
    if "version" in statement:
        text = require_string(statement["version"], f"{path}.version")
        if not statement_version_allowed(text, version):
            raise fail(
                f"{path}.version",
                f"{text!r} is not accepted: statements must be version 1.0.x"
                + (" or 2.0.x" if version.is_2 else "")
                + " (xAPI-Data 2.4.10)",
            )
    return statement


def validate_batch(values: Sequence[Any], version: XapiVersion) -> list[dict[str, Any]]:
    """Validate every statement; reject duplicate ids inside the batch
    (xAPI-Communication 2.1.2: "SHOULD* reject the batch and return 400")."""
    statements = []
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        path = f"statement[{index}]" if len(values) > 1 else "statement"
        statement = validate_statement(value, path, version)
        statement_id = statement.get("id")
        if isinstance(statement_id, str):
            lowered = statement_id.lower()
            if lowered in seen:
                raise fail(
                    f"{path}.id",
                    f"{statement_id} is also the id of statement[{seen[lowered]}]; "
                    "a batch must not repeat an id",
                )
            seen[lowered] = index
        statements.append(statement)
    return statements


def _check_core(
    statement: dict[str, Any], path: str, version: XapiVersion, *, substatement: bool
) -> None:
    _check_statement_actor(statement["actor"], f"{path}.actor")
    _check_verb(statement["verb"], f"{path}.verb")
    object_type = _check_object(statement["object"], f"{path}.object", version, substatement)
    verb = statement["verb"]
    if verb["id"] == VOIDED_VERB and object_type != "StatementRef":
        raise fail(
            f"{path}.object",
            "a voiding statement's object must be a StatementRef (xAPI-Data 2.3.2)",
        )
    if "result" in statement:
        _check_result(statement["result"], f"{path}.result")
    if "context" in statement:
        _check_context(statement["context"], f"{path}.context", version, object_type)
    if "timestamp" in statement:
        check_timestamp(statement["timestamp"], f"{path}.timestamp")
    if "attachments" in statement:
        _check_attachments(statement["attachments"], f"{path}.attachments")


@remembers_valid
def _check_statement_actor(value: Any, path: str) -> None:
    check_actor(value, path)


@remembers_valid
def _check_verb(value: Any, path: str) -> None:
    verb = require_object(value, path)
    check_keys(verb, path, ("id", "display"), ("id",))
    check_iri(verb["id"], f"{path}.id")
    if "display" in verb:
        check_language_map(verb["display"], f"{path}.display")


def _check_object(value: Any, path: str, version: XapiVersion, in_substatement: bool) -> str:
    obj = require_object(value, path)
    object_type = obj.get("objectType", "Activity")
    if object_type not in OBJECT_TYPES:
        raise fail(
            f"{path}.objectType",
            f"{object_type!r} is not one of {', '.join(OBJECT_TYPES)} (xAPI-Data 2.4.4)",
        )
    if object_type == "Activity":
        check_activity(obj, path)
    elif object_type == "Agent":
        check_agent(obj, path, object_type_required=True)
    elif object_type == "Group":
        check_group(obj, path)
    elif object_type == "StatementRef":
        _check_statement_ref(obj, path)
    else:
        if in_substatement:
            raise fail(path, "a SubStatement must not contain a SubStatement (xAPI-Data 2.4.4.3)")
        check_keys(obj, path, SUBSTATEMENT_KEYS, ("actor", "verb", "object"))
        _check_core(obj, path, version, substatement=True)
    return str(object_type)


def _check_statement_ref(value: Any, path: str) -> None:
    ref = require_object(value, path)
    if ref.get("objectType") != "StatementRef":
        raise fail(path, "a Statement Reference needs objectType 'StatementRef'")
    check_keys(ref, path, ("objectType", "id"), ("id",))
    check_uuid(ref["id"], f"{path}.id")


def _check_result(value: Any, path: str) -> None:
    result = require_object(value, path)
    check_keys(
        result, path, ("score", "success", "completion", "response", "duration", "extensions")
    )
    if "score" in result:
        _check_score(result["score"], f"{path}.score")
    for key in ("success", "completion"):
        if key in result:
            require_bool(result[key], f"{path}.{key}")
    if "response" in result:
        require_string(result["response"], f"{path}.response")
    if "duration" in result:
        check_duration(result["duration"], f"{path}.duration")
    if "extensions" in result:
        check_extensions(result["extensions"], f"{path}.extensions")


def _check_score(value: Any, path: str) -> None:
    """xAPI-Data 2.4.5.1: scaled in [-1, 1]; min < max; raw within [min, max]."""
    score = require_object(value, path)
    check_keys(score, path, ("scaled", "raw", "min", "max"))
    numbers = {key: require_number(score[key], f"{path}.{key}") for key in score}
    scaled = numbers.get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        raise fail(f"{path}.scaled", f"{scaled:g} is outside -1..1")
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and not low < high:
        raise fail(path, f"min ({low:g}) must be less than max ({high:g})")
    if raw is not None and low is not None and raw < low:
        raise fail(f"{path}.raw", f"{raw:g} is below min ({low:g})")
    if raw is not None and high is not None and raw > high:
        raise fail(f"{path}.raw", f"{raw:g} is above max ({high:g})")


def _check_context(value: Any, path: str, version: XapiVersion, object_type: str) -> None:
    context = require_object(value, path)
    check_keys(context, path, CONTEXT_KEYS_2 if version.is_2 else CONTEXT_KEYS_1)
    if "registration" in context:
        check_uuid(context["registration"], f"{path}.registration")
    if "instructor" in context:
        check_actor(context["instructor"], f"{path}.instructor")
    if "team" in context:
        check_group(context["team"], f"{path}.team")
    if "contextActivities" in context:
        _check_context_activities(context["contextActivities"], f"{path}.contextActivities")
    for key in ("revision", "platform"):
        if key in context:
            require_string(context[key], f"{path}.{key}")
            if object_type != "Activity":
                raise fail(
                    f"{path}.{key}",
                    f"may only be used when the statement's object is an Activity "
                    f"(xAPI-Data 2.4.6), not a {object_type}",
                )
    if "language" in context:
        check_language_tag(context["language"], f"{path}.language")
    if "statement" in context:
        _check_statement_ref(context["statement"], f"{path}.statement")
    if "extensions" in context:
        check_extensions(context["extensions"], f"{path}.extensions")
    if "contextAgents" in context:
        _check_context_agents(context["contextAgents"], f"{path}.contextAgents")
    if "contextGroups" in context:
        _check_context_groups(context["contextGroups"], f"{path}.contextGroups")


def _check_context_activities(value: Any, path: str) -> None:
    activities = require_object(value, path)
    check_keys(activities, path, CONTEXT_ACTIVITY_KEYS)
    for key, entry in activities.items():
        # xAPI-Data 2.4.6.2: a single Activity or an array of Activities.
        if isinstance(entry, list):
            for index, activity in enumerate(entry):
                check_activity(activity, f"{path}.{key}[{index}]")
        else:
            check_activity(entry, f"{path}.{key}")


def _check_relevant_types(entry: dict[str, Any], path: str) -> None:
    if "relevantTypes" in entry:
        types = require_list(entry["relevantTypes"], f"{path}.relevantTypes")
        if not types:
            raise fail(f"{path}.relevantTypes", "must not be empty when present")
        for index, iri in enumerate(types):
            check_iri(iri, f"{path}.relevantTypes[{index}]")


def _check_context_members(
    value: Any,
    path: str,
    object_type: str,
    member_key: str,
    check_member: Callable[[Any, str], None],
) -> None:
    """xAPI 2.0 context.contextAgents / contextGroups: a list of
    ``{"objectType": object_type, member_key: <Agent|Group>, "relevantTypes": [IRI…]}``."""
    for index, item in enumerate(require_list(value, path)):
        item_path = f"{path}[{index}]"
        entry = require_object(item, item_path)
        check_keys(
            entry,
            item_path,
            ("objectType", member_key, "relevantTypes"),
            ("objectType", member_key),
        )
        if entry["objectType"] != object_type:
            raise fail(f"{item_path}.objectType", f"must be '{object_type}'")
        check_member(entry[member_key], f"{item_path}.{member_key}")
        _check_relevant_types(entry, item_path)


def _check_context_agents(value: Any, path: str) -> None:
    _check_context_members(value, path, "contextAgent", "agent", check_agent)


def _check_context_groups(value: Any, path: str) -> None:
    _check_context_members(value, path, "contextGroup", "group", check_group)


def _check_authority(value: Any, path: str) -> None:
    """xAPI-Data 2.4.9: an Agent, or a Group of exactly two Agents (3-legged OAuth)."""
    authority = require_object(value, path)
    if authority.get("objectType") == "Group":
        check_group(authority, path)
        # Data 2.4.9 "OAuth Credentials as Authority": the Group stands for the pair of
        # OAuth consumer and user, so it is anonymous - an identified Group is a Group of
        # non-OAuth Agents, refused with 400 (Data 2.4.9.s3.b3, ADL XAPI-00100/00024).
        if agent_key(authority) is not None:
            raise fail(
                path,
                "a Group authority must be an anonymous Group of the OAuth consumer and the "
                "user, without mbox, mbox_sha1sum, openid or account (xAPI-Data 2.4.9)",
            )
        members = authority.get("member")
        if not isinstance(members, list) or len(members) != 2:
            raise fail(path, "a Group authority must have exactly two members (xAPI-Data 2.4.9)")
    else:
        check_agent(authority, path)


def _check_attachments(value: Any, path: str) -> None:
    for index, item in enumerate(require_list(value, path)):
        item_path = f"{path}[{index}]"
        attachment = require_object(item, item_path)
        check_keys(
            attachment,
            item_path,
            ATTACHMENT_KEYS,
            ("usageType", "display", "contentType", "length", "sha2"),
        )
        check_iri(attachment["usageType"], f"{item_path}.usageType")
        check_language_map(attachment["display"], f"{item_path}.display")
        if "description" in attachment:
            check_language_map(attachment["description"], f"{item_path}.description")
        require_string(attachment["contentType"], f"{item_path}.contentType", allow_empty=False)
        length = attachment["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise fail(f"{item_path}.length", "must be a non-negative integer")
        require_string(attachment["sha2"], f"{item_path}.sha2", allow_empty=False)
        if "fileUrl" in attachment:
            check_iri(attachment["fileUrl"], f"{item_path}.fileUrl")
