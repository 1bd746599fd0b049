"""Pure transformations of statement documents: LRS-set properties, index entries, the
comparison form used for duplicate ids, and the ``ids`` / ``canonical`` formats."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from learnloop.xapi.agents import agent_key, identity_keys, normalise_mbox
from learnloop.xapi.validation_primitives import parse_timestamp

CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")


def format_timestamp(moment: datetime) -> str:
    """UTC with millisecond precision (xAPI-Data 4.5: SHOULD* return UTC)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def truncate_to_milliseconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def normalise_context_activities(statement: dict[str, Any]) -> None:
    """xAPI-Data 2.4.6.2: the LRS MUST return every contextActivities value as an array."""
    for holder in (statement, statement.get("object")):
        if not isinstance(holder, dict):
            continue
        context = holder.get("context")
        if not isinstance(context, dict):
            continue
        activities = context.get("contextActivities")
        if isinstance(activities, dict):
            for key, value in list(activities.items()):
                if not isinstance(value, list):
                    activities[key] = [value]


# Statements here are parsed JSON, so objects are checked with ``isinstance(x, dict)``:
# on the ingest hot path an ABC check (``Mapping``) costs several times as much.


def iter_context_activity_ids(context: Any) -> Iterator[str]:
    if not isinstance(context, dict):
        return
    activities = context.get("contextActivities")
    if not isinstance(activities, dict):
        return
    for value in activities.values():
        for activity in value if isinstance(value, list) else [value]:
            if isinstance(activity, dict) and isinstance(activity.get("id"), str):
                yield activity["id"]


def _context_agents(context: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(context, dict):
        return
    for key in ("instructor", "team"):
        if isinstance(context.get(key), dict):
            yield context[key]
    for entry in context.get("contextAgents") or []:
        if isinstance(entry, dict) and isinstance(entry.get("agent"), dict):
            yield entry["agent"]
    for entry in context.get("contextGroups") or []:
        if isinstance(entry, dict) and isinstance(entry.get("group"), dict):
            yield entry["group"]


def _add_agent(agents: set[tuple[str, bool]], agent: Any, direct: bool) -> None:
    if isinstance(agent, dict):
        for key in identity_keys(agent):
            agents.add((key, direct))


def _add_context(agents: set[tuple[str, bool]], activities: set[str], context: Any) -> None:
    if isinstance(context, dict):
        for agent in _context_agents(context):
            _add_agent(agents, agent, False)
        activities.update(iter_context_activity_ids(context))


def index_entries(statement: Mapping[str, Any]) -> tuple[set[tuple[str, bool]], set[str]]:
    """(agent key, direct) pairs and activity ids a statement mentions.

    Direct agents are what the plain ``agent`` filter matches: the actor and an
    Agent/Group object, with a Group's members. Everything else (authority, instructor,
    team, context agents/groups, and a SubStatement's actor/object/context) is found only
    with ``related_agents`` (xAPI-Communication 2.1.3). Activities: the object, context
    activities, and those of a SubStatement.
    """
    agents: set[tuple[str, bool]] = set()
    activities: set[str] = set()
    _add_agent(agents, statement.get("actor"), True)
    _add_agent(agents, statement.get("authority"), False)
    _add_context(agents, activities, statement.get("context"))

    obj = statement.get("object")
    if isinstance(obj, dict):
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            if isinstance(obj.get("id"), str):
                activities.add(obj["id"])
        elif object_type in ("Agent", "Group"):
            _add_agent(agents, obj, True)
        elif object_type == "SubStatement":
            _add_agent(agents, obj.get("actor"), False)
            inner = obj.get("object")
            if isinstance(inner, dict):
                inner_type = inner.get("objectType", "Activity")
                if inner_type in ("Agent", "Group"):
                    _add_agent(agents, inner, False)
                elif inner_type == "Activity" and isinstance(inner.get("id"), str):
                    activities.add(inner["id"])
            _add_context(agents, activities, obj.get("context"))
    return agents, activities


# --- comparison (xAPI-Data 2.3.1 "Statement Comparision Requirements") ----------------------


def _comparable_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    result = dict(agent)
    if isinstance(result.get("mbox"), str):
        result["mbox"] = normalise_mbox(result["mbox"])
    if isinstance(result.get("mbox_sha1sum"), str):
        result["mbox_sha1sum"] = result["mbox_sha1sum"].lower()
    if isinstance(result.get("member"), list):
        members = [_comparable_agent(member) for member in result["member"]]
        result["member"] = sorted(
            members, key=lambda m: orjson.dumps(m, option=orjson.OPT_SORT_KEYS)
        )
    return result


def _comparable_activity(activity: Any) -> Any:
    # Activity definitions are not part of the statement (xAPI-Data 2.3.1).
    if not isinstance(activity, dict):
        return activity
    return {"objectType": "Activity", "id": activity.get("id")}


def _comparable_core(statement: dict[str, Any]) -> dict[str, Any]:
    result = dict(statement)
    for key in ("id", "authority", "stored", "version", "timestamp"):
        result.pop(key, None)
    result["actor"] = _comparable_agent(result.get("actor"))
    verb = result.get("verb")
    if isinstance(verb, dict):
        # The Verb's display is not part of the statement (xAPI-Data 2.3.1).
        result["verb"] = {"id": verb.get("id")}
    obj = result.get("object")
    if isinstance(obj, dict):
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            result["object"] = _comparable_activity(obj)
        elif object_type in ("Agent", "Group"):
            result["object"] = _comparable_agent(obj)
        elif object_type == "SubStatement":
            inner = _comparable_core(obj)
            if "timestamp" in obj:
                inner["timestamp"] = _comparable_instant(obj["timestamp"])
            result["object"] = inner
    context = result.get("context")
    if isinstance(context, dict):
        context = dict(context)
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _comparable_agent(context[key])
        activities = context.get("contextActivities")
        if isinstance(activities, dict):
            context["contextActivities"] = {
                key: [
                    _comparable_activity(a) for a in (value if isinstance(value, list) else [value])
                ]
                for key, value in activities.items()
            }
        result["context"] = context
    return result


def _comparable_instant(value: Any) -> Any:
    parsed = parse_timestamp(value) if isinstance(value, str) else None
    return format_timestamp(parsed) if parsed is not None else value


def same_statement(stored: dict[str, Any], received: dict[str, Any]) -> bool:
    """Whether a statement received again with a known id matches the stored one.

    Differences the LRS itself may have caused (id, authority, stored, version, a timestamp
    it assigned, timestamp serialisation, verb display, activity definitions, member
    order, email domain case) are ignored; everything else counts.
    """
    left, right = _comparable_core(stored), _comparable_core(received)
    if "timestamp" in received:
        left["timestamp"] = _comparable_instant(stored.get("timestamp"))
        right["timestamp"] = _comparable_instant(received["timestamp"])
    dump = orjson.OPT_SORT_KEYS
    return orjson.dumps(left, option=dump) == orjson.dumps(right, option=dump)


# --- formats (xAPI-Communication 2.1.3 "format") ------------------------------------------------


def _ids_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    result: dict[str, Any] = {}
    if "objectType" in agent:
        result["objectType"] = agent["objectType"]
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            result[key] = agent[key]
    if agent_key(agent) is None and isinstance(agent.get("member"), list):
        # Anonymous Group: the minimum to identify each member.
        result["member"] = [_ids_agent(member) for member in agent["member"]]
    return result


def _ids_activity(activity: Any) -> Any:
    if not isinstance(activity, dict):
        return activity
    # The id alone identifies an Activity; its objectType can only be the default
    # "Activity" (xAPI-Data 2.4.4.1), so format=ids leaves it out like the definition
    # (xAPI-Communication 2.1.3; the ADL suite's XAPI-00171 expects one key).
    return {"id": activity.get("id")}


def _ids_core(statement: dict[str, Any]) -> dict[str, Any]:
    result = dict(statement)
    for key in ("actor", "authority"):
        if key in result:
            result[key] = _ids_agent(result[key])
    if isinstance(result.get("verb"), dict):
        result["verb"] = {"id": result["verb"].get("id")}
    obj = result.get("object")
    if isinstance(obj, dict):
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            result["object"] = _ids_activity(obj)
        elif object_type in ("Agent", "Group"):
            result["object"] = _ids_agent(obj)
        elif object_type == "SubStatement":
            result["object"] = _ids_core(obj)
    context = result.get("context")
    if isinstance(context, dict):
        context = dict(context)
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _ids_agent(context[key])
        activities = context.get("contextActivities")
        if isinstance(activities, dict):
            context["contextActivities"] = {
                key: [_ids_activity(a) for a in value] if isinstance(value, list) else value
                for key, value in activities.items()
            }
        for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
            if isinstance(context.get(key), list):
                context[key] = [
                    {**entry, inner: _ids_agent(entry.get(inner))}
                    if isinstance(entry, dict)
                    else entry
                    for entry in context[key]
                ]
        result["context"] = context
    return result


def ids_format(statement: dict[str, Any]) -> dict[str, Any]:
    return _ids_core(statement)


def parse_accept_language(header: str | None) -> list[str]:
    """Language ranges by preference (RFC 2616 14.4), ``*`` last when present."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag:
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag.lower()))
    return [tag for _, _, tag in sorted(ranked)]


def pick_language(language_map: dict[str, Any], preferences: list[str]) -> dict[str, Any]:
    """One entry of a language map, chosen by Accept-Language (xAPI-Communication 2.1.3
    "Language Filtering Requirements for Canonical Format Statements")."""
    if len(language_map) <= 1:
        return language_map
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in preferences:
        if wanted == "*":
            break
        if wanted in lowered:
            tag = lowered[wanted]
            return {tag: language_map[tag]}
        for candidate_lower, tag in lowered.items():
            if candidate_lower.startswith(wanted + "-") or wanted.startswith(candidate_lower + "-"):
                return {tag: language_map[tag]}
    for fallback in ("en-us", "en"):
        if fallback in lowered:
            tag = lowered[fallback]
            return {tag: language_map[tag]}
    tag = next(iter(language_map))
    return {tag: language_map[tag]}


def _canonical_definition(definition: Any, preferences: list[str]) -> Any:
    if not isinstance(definition, dict):
        return definition
    result = dict(definition)
    for key in ("name", "description"):
        if isinstance(result.get(key), dict):
            result[key] = pick_language(result[key], preferences)
    for key in ("choices", "scale", "source", "target", "steps"):
        if isinstance(result.get(key), list):
            result[key] = [
                {**c, "description": pick_language(c["description"], preferences)}
                if isinstance(c, dict) and isinstance(c.get("description"), dict)
                else c
                for c in result[key]
            ]
    return result


def _canonical_activity(
    activity: Any, preferences: list[str], definitions: Mapping[str, Any]
) -> Any:
    if not isinstance(activity, dict):
        return activity
    known = definitions.get(str(activity.get("id")))
    if known:
        activity = {**activity, "definition": known}
    if "definition" in activity:
        return {
            **activity,
            "definition": _canonical_definition(activity["definition"], preferences),
        }
    return activity


def activity_ids(statement: Mapping[str, Any]) -> set[str]:
    """Every Activity id in a statement: object, context activities, SubStatement's."""
    return index_entries(statement)[1]


def _canonical_core(
    statement: dict[str, Any], preferences: list[str], definitions: Mapping[str, Any]
) -> dict[str, Any]:
    result = dict(statement)
    verb = result.get("verb")
    if isinstance(verb, dict) and isinstance(verb.get("display"), dict):
        result["verb"] = {**verb, "display": pick_language(verb["display"], preferences)}
    obj = result.get("object")
    if isinstance(obj, dict):
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            result["object"] = _canonical_activity(obj, preferences, definitions)
        elif object_type == "SubStatement":
            result["object"] = _canonical_core(obj, preferences, definitions)
    context = result.get("context")
    if isinstance(context, dict) and isinstance(context.get("contextActivities"), dict):
        result["context"] = {
            **context,
            "contextActivities": {
                key: [_canonical_activity(a, preferences, definitions) for a in value]
                if isinstance(value, list)
                else value
                for key, value in context["contextActivities"].items()
            },
        }
    if isinstance(result.get("attachments"), list):
        result["attachments"] = [
            {
                **a,
                **{
                    key: pick_language(a[key], preferences)
                    for key in ("display", "description")
                    if isinstance(a.get(key), dict)
                },
            }
            if isinstance(a, dict)
            else a
            for a in result["attachments"]
        ]
    return result


def canonical_format(
    statement: dict[str, Any],
    accept_language: str | None,
    definitions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Agents as received; Activities with the LRS's canonical definition (``definitions``
    by activity id, falling back to the one in the statement) and verbs, with one language
    per language map (xAPI-Communication 2.1.3 "format")."""
    return _canonical_core(
        copy.deepcopy(statement), parse_accept_language(accept_language), definitions or {}
    )
