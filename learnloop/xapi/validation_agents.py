"""Agents and Groups (xAPI-Data 2.4.2)."""

from __future__ import annotations

from typing import Any

from learnloop.xapi.agents import agent_key, ifi_properties
from learnloop.xapi.validation_primitives import (
    MAILTO_PATTERN,
    SHA1_HEX_PATTERN,
    check_iri,
    check_keys,
    fail,
    require_list,
    require_object,
    require_string,
)

AGENT_KEYS = ("objectType", "name", "mbox", "mbox_sha1sum", "openid", "account")
GROUP_KEYS = (*AGENT_KEYS, "member")
# The identity key is stored in columns of this length (xapi.models.AGENT_KEY_LENGTH);
# a longer one was a 500 on PostgreSQL (issue 12 item 12).
MAX_AGENT_KEY_LENGTH = 2048


def check_ifi(agent: dict[str, Any], path: str, *, required: bool) -> int:
    """Validate the IFI present; return how many there are (0 or 1)."""
    present = ifi_properties(agent)
    if len(present) > 1:
        raise fail(
            path,
            f"has {len(present)} inverse functional identifiers ({', '.join(present)}); "
            "exactly one is allowed (xAPI-Data 2.4.2.1)",
        )
    if not present:
        if required:
            raise fail(
                path,
                "needs exactly one inverse functional identifier: mbox, mbox_sha1sum, "
                "openid or account (xAPI-Data 2.4.2.3)",
            )
        return 0
    name = present[0]
    value = agent[name]
    if name == "mbox":
        text = require_string(value, f"{path}.mbox")
        if not MAILTO_PATTERN.match(text):
            raise fail(f"{path}.mbox", f"{text!r} is not a mailto IRI (xAPI-Data 2.4.2.3)")
    elif name == "mbox_sha1sum":
        text = require_string(value, f"{path}.mbox_sha1sum")
        if not SHA1_HEX_PATTERN.match(text):
            raise fail(f"{path}.mbox_sha1sum", "must be a hex-encoded SHA1 hash")
    elif name == "openid":
        check_iri(value, f"{path}.openid")
    else:
        account = require_object(value, f"{path}.account")
        check_keys(account, f"{path}.account", ("homePage", "name"), ("homePage", "name"))
        check_iri(account["homePage"], f"{path}.account.homePage")
        require_string(account["name"], f"{path}.account.name", allow_empty=False)
    key = agent_key(agent)
    if key is not None and len(key) > MAX_AGENT_KEY_LENGTH:
        raise fail(path, f"its identifier is longer than {MAX_AGENT_KEY_LENGTH} characters")
    return 1


def check_agent(value: Any, path: str, *, object_type_required: bool = False) -> None:
    agent = require_object(value, path)
    object_type = agent.get("objectType")
    if object_type_required and object_type is None:
        raise fail(path, "an Agent used as an object needs objectType (xAPI-Data 2.4.4.2)")
    if object_type is not None and object_type != "Agent":
        raise fail(path, f"objectType must be 'Agent', not {object_type!r}")
    check_keys(agent, path, AGENT_KEYS)
    if "name" in agent:
        require_string(agent["name"], f"{path}.name")
    check_ifi(agent, path, required=True)


def check_group(value: Any, path: str) -> None:
    group = require_object(value, path)
    if group.get("objectType") != "Group":
        raise fail(path, "a Group needs objectType 'Group' (xAPI-Data 2.4.2.2)")
    check_keys(group, path, GROUP_KEYS)
    if "name" in group:
        require_string(group["name"], f"{path}.name")
    identified = check_ifi(group, path, required=False)
    if "member" in group:
        members = require_list(group["member"], f"{path}.member")
        for index, member in enumerate(members):
            member_path = f"{path}.member[{index}]"
            member_object = require_object(member, member_path)
            if member_object.get("objectType") == "Group":
                raise fail(member_path, "a Group must not contain Groups (xAPI-Data 2.4.2.2)")
            check_agent(member_object, member_path)
    if not identified and not group.get("member"):
        raise fail(
            path,
            "an Anonymous Group (no identifier) must list its members (xAPI-Data 2.4.2.2)",
        )


def check_actor(value: Any, path: str, *, object_type_required: bool = False) -> None:
    """An Agent or a Group, told apart by objectType."""
    actor = require_object(value, path)
    if actor.get("objectType") == "Group":
        check_group(actor, path)
    else:
        check_agent(actor, path, object_type_required=object_type_required)
