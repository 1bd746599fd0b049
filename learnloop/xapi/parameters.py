"""Query parameters of ``/xapi/statements`` (xAPI-Communication 2.1.3), validated strictly:
an unknown parameter, or a known one in the wrong case, is a 400 (Communication 3.2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from learnloop.xapi.agents import agent_key
from learnloop.xapi.errors import InvalidParameter, InvalidStatement
from learnloop.xapi.queries import StatementFilter
from learnloop.xapi.validation_agents import check_actor
from learnloop.xapi.validation_primitives import check_iri, check_timestamp, check_uuid

GET_PARAMETERS = frozenset(
    {
        "statementId",
        "voidedStatementId",
        "agent",
        "verb",
        "activity",
        "registration",
        "related_activities",
        "related_agents",
        "since",
        "until",
        "limit",
        "format",
        "attachments",
        "ascending",
        "more",
    }
)
SINGLE_STATEMENT_COMPANIONS = frozenset({"attachments", "format"})


class StatementFormat(StrEnum):
    IDS = "ids"
    EXACT = "exact"
    CANONICAL = "canonical"


@dataclass(frozen=True)
class SingleRequest:
    statement_id: str
    voided: bool
    format: StatementFormat
    attachments: bool


@dataclass(frozen=True)
class ListRequest:
    statement_filter: StatementFilter
    limit: int
    format: StatementFormat
    attachments: bool


def reject_unknown(params: Mapping[str, str], allowed: frozenset[str]) -> None:
    for name in params:
        if name not in allowed:
            raise InvalidParameter(f"Unknown parameter {name!r} for this resource")


def _bool(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise InvalidParameter(f"Parameter {name!r} must be true or false, not {value!r}")
    return value == "true"


def _format(params: Mapping[str, str]) -> StatementFormat:
    value = params.get("format", "exact")
    try:
        return StatementFormat(value)
    except ValueError as exc:
        raise InvalidParameter(
            f"Parameter 'format' must be ids, exact or canonical, not {value!r}"
        ) from exc


def _as_parameter_error(name: str, error: InvalidStatement) -> InvalidParameter:
    # "The LRS MUST validate parameter values to the same standards required for values
    # of the same types in Statements" (xAPI-Data 2.2).
    return InvalidParameter(f"Parameter {name!r}: {error.message.split(': ', 1)[-1]}")


def parse_agent(value: str) -> str:
    try:
        agent: Any = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise InvalidParameter("Parameter 'agent' must be an Agent or Group as JSON") from exc
    try:
        check_actor(agent, "agent")
    except InvalidStatement as exc:
        raise _as_parameter_error("agent", exc) from exc
    key = agent_key(agent)
    if key is None:
        raise InvalidParameter("Parameter 'agent' must identify an Agent or Identified Group")
    return key


def parse_get(
    params: Mapping[str, str], *, default_limit: int, max_limit: int
) -> SingleRequest | ListRequest:
    reject_unknown(params, GET_PARAMETERS)
    statement_format = _format(params)
    attachments = _bool(params, "attachments")
    if "statementId" in params or "voidedStatementId" in params:
        if "statementId" in params and "voidedStatementId" in params:
            raise InvalidParameter("Use statementId or voidedStatementId, not both")
        others = set(params) - SINGLE_STATEMENT_COMPANIONS - {"statementId", "voidedStatementId"}
        if others:
            raise InvalidParameter(
                f"statementId/voidedStatementId cannot be combined with {', '.join(sorted(others))}"
            )
        voided = "voidedStatementId" in params
        name = "voidedStatementId" if voided else "statementId"
        try:
            statement_id = check_uuid(params[name], name)
        except InvalidStatement as exc:
            raise _as_parameter_error(name, exc) from exc
        return SingleRequest(statement_id, voided, statement_format, attachments)

    try:
        statement_filter = StatementFilter(
            agent_keys=(parse_agent(params["agent"]),) if "agent" in params else (),
            verb=check_iri(params["verb"], "verb") if "verb" in params else None,
            activity=check_iri(params["activity"], "activity") if "activity" in params else None,
            registration=(
                check_uuid(params["registration"], "registration")
                if "registration" in params
                else None
            ),
            related_activities=_bool(params, "related_activities"),
            related_agents=_bool(params, "related_agents"),
            since=check_timestamp(params["since"], "since") if "since" in params else None,
            until=check_timestamp(params["until"], "until") if "until" in params else None,
            ascending=_bool(params, "ascending"),
        )
    except InvalidStatement as exc:
        raise InvalidParameter(f"Parameter {exc.message}") from exc
    return ListRequest(
        statement_filter=statement_filter,
        limit=parse_limit(params.get("limit"), default_limit=default_limit, max_limit=max_limit),
        format=statement_format,
        attachments=attachments,
    )


def parse_limit(value: str | None, *, default_limit: int, max_limit: int) -> int:
    if value is None:
        return default_limit
    if not value.isdigit():
        raise InvalidParameter(f"Parameter 'limit' must be a non-negative integer, not {value!r}")
    limit = int(value)
    # "0 indicates return the maximum the server will allow" (Communication 2.1.3).
    return max_limit if limit == 0 else min(limit, max_limit)
