"""Agent and Group identity: an Agent/Group JSON object → a stable identity key.

An Agent or Identified Group is identified by exactly one Inverse Functional Identifier
(xAPI-Data 2.4.2.3). Two objects are the same Agent when they use the same IFI with equal
values, so the key is ``<ifi>:<value>`` with the case-insensitive parts normalised (the
domain of an email address, xAPI-Data 2.3.1 "Case sensitivity"). The statement index, the
``agent`` query parameter and the State / Agent Profile resources all use this key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")
ACCOUNT_SEPARATOR = "|"


def normalise_mbox(mbox: str) -> str:
    """``mailto:Name@Example.COM`` → ``mailto:Name@example.com`` (domain is case-insensitive)."""
    scheme, _, address = mbox.partition(":")
    local, at, domain = address.rpartition("@")
    if not at:
        return f"{scheme.lower()}:{address}"
    return f"{scheme.lower()}:{local}@{domain.lower()}"


def ifi_properties(agent: Mapping[str, Any]) -> list[str]:
    return [name for name in IFI_PROPERTIES if name in agent]


def agent_key(agent: Mapping[str, Any]) -> str | None:
    """The identity key of an Agent or Identified Group; None for an Anonymous Group.

    The object is expected to be valid (exactly one IFI); with several, the first in
    ``IFI_PROPERTIES`` order wins.
    """
    if "mbox" in agent:
        return "mbox:" + normalise_mbox(str(agent["mbox"]))
    if "mbox_sha1sum" in agent:
        return "mbox_sha1sum:" + str(agent["mbox_sha1sum"]).lower()
    if "openid" in agent:
        return "openid:" + str(agent["openid"])
    account = agent.get("account")
    if isinstance(account, Mapping):
        return f"account:{account.get('homePage', '')}{ACCOUNT_SEPARATOR}{account.get('name', '')}"
    return None


def account_agent(home_page: str, name: str, display_name: str | None = None) -> dict[str, Any]:
    agent: dict[str, Any] = {
        "objectType": "Agent",
        "account": {"homePage": home_page, "name": name},
    }
    if display_name:
        agent["name"] = display_name
    return agent


def identified_members(agent: Mapping[str, Any]) -> Iterator[str]:
    """Keys of a Group's members that carry an IFI (the Group itself not included)."""
    members = agent.get("member")
    if agent.get("objectType") != "Group" or not isinstance(members, list):
        return
    for member in members:
        if isinstance(member, Mapping):
            key = agent_key(member)
            if key is not None:
                yield key


def identity_keys(agent: Mapping[str, Any]) -> list[str]:
    """The keys a query for any of them should match: the object itself and, for a Group,
    its members (xAPI-Communication 2.1.3, ``agent`` parameter: "Groups that have members
    which match the specified Agent ... are considered a match")."""
    own = agent_key(agent)
    keys = [] if own is None else [own]
    if agent.get("objectType") == "Group":
        keys.extend(identified_members(agent))
    return keys
