"""Reading statements: one by id, or a filtered, paged StatementResult
(xAPI-Communication 2.1.3 / 2.1.4, xAPI-Data 2.5).

Order is ``stored`` then insertion sequence. A ``more`` link carries the query, the
position of the last statement returned, and the highest sequence number that existed
when the first page was read, so statements arriving while a client pages through never
shift or join the pages it is reading.
"""

from __future__ import annotations

import base64
import binascii
import functools
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    false,
    func,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import Session, aliased

from learnloop.db import UTCDateTime
from learnloop.xapi.activity_definitions import activity_hash
from learnloop.xapi.activity_models import XapiActivity
from learnloop.xapi.callers import ReadScope
from learnloop.xapi.errors import InvalidParameter, StatementNotFound
from learnloop.xapi.models import StatementActivity, StatementAgent, StatementRow


@dataclass(frozen=True)
class StatementFilter:
    agent_keys: tuple[str, ...] = ()
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    ascending: bool = False

    @property
    def has_object_filters(self) -> bool:
        return bool(self.agent_keys or self.verb or self.activity or self.registration)


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after (stored, seq), never past ``ceiling``."""

    stored: datetime
    seq: int
    ceiling: int


@dataclass(frozen=True)
class Page:
    documents: list[dict[str, Any]]
    next_cursor: Cursor | None
    last_stored: datetime | None


def get_statement(
    session: Session, statement_id: str, *, voided: bool, scope: ReadScope
) -> tuple[dict[str, Any], datetime]:
    """``statementId`` finds only statements that are not voided; ``voidedStatementId``
    only voided ones (xAPI-Communication 2.1.4)."""
    row = session.execute(
        select(cast(StatementRow.statement, Text), StatementRow.stored).where(
            StatementRow.statement_id == statement_id.lower(),
            StatementRow.voided.is_(voided),
            scope_condition(scope),
        )
    ).first()
    if row is None:
        kind = "voided statement" if voided else "statement"
        raise StatementNotFound(f"No {kind} with id {statement_id}")
    return orjson.loads(row[0]), row[1]


def query_statements(
    session: Session,
    statement_filter: StatementFilter,
    *,
    limit: int,
    scope: ReadScope,
    cursor: Cursor | None = None,
) -> Page:
    shape = _Shape.of(statement_filter, scope, cursor)
    parameters: dict[str, Any] = {
        "limit": limit + 1,
        "agent_keys": list(statement_filter.agent_keys),
        "verb": statement_filter.verb,
        "activity": statement_filter.activity,
        "registration": (statement_filter.registration or "").lower() or None,
        "since": statement_filter.since,
        "until": statement_filter.until,
        "scope_actor_keys": list(scope.actor_keys),
        "scope_activity_ids": list(scope.activity_ids),
        "scope_authority": scope.authority_key,
    }
    if cursor is not None:
        parameters |= {
            "cursor_stored": cursor.stored,
            "cursor_seq": cursor.seq,
            "ceiling": cursor.ceiling,
        }
    used = _page_query(shape)
    rows = session.execute(
        used, {k: v for k, v in parameters.items() if k in _bind_names(used)}
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    documents = [orjson.loads(text) for _seq, _stored, text in rows]
    next_cursor = None
    if has_more:
        # The first page fixes the ceiling: statements stored later never join the pages.
        ceiling = cursor.ceiling if cursor is not None else _max_seq(session)
        next_cursor = Cursor(stored=rows[-1][1], seq=rows[-1][0], ceiling=ceiling)
    last_stored = max((row[1] for row in rows), default=None)
    return Page(documents=documents, next_cursor=next_cursor, last_stored=last_stored)


def canonical_definitions(session: Session, activity_ids: set[str]) -> dict[str, Any]:
    """The LRS's canonical definition of each Activity (merged from every statement that
    defined it, learnloop.xapi.activity_definitions), for ``format=canonical``."""
    if not activity_ids:
        return {}
    hashes = [activity_hash(activity_id) for activity_id in activity_ids]
    rows = session.execute(
        select(XapiActivity.activity_id, XapiActivity.definition).where(
            XapiActivity.id_hash.in_(hashes)
        )
    )
    return {activity_id: definition for activity_id, definition in rows if definition}


def _max_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(StatementRow.seq))) or 0)


@dataclass(frozen=True)
class _Shape:
    """Which conditions a query has; the SQL is built once per shape, values are bound."""

    agent: bool
    related_agents: bool
    verb: bool
    activity: bool
    related_activities: bool
    registration: bool
    since: bool
    until: bool
    cursor: bool
    ascending: bool
    everything: bool
    scope_actors: bool
    scope_activities: bool
    scope_authority: bool

    @property
    def has_object_filters(self) -> bool:
        return self.agent or self.verb or self.activity or self.registration

    @classmethod
    def of(cls, f: StatementFilter, scope: ReadScope, cursor: Cursor | None) -> _Shape:
        return cls(
            agent=bool(f.agent_keys),
            related_agents=f.related_agents,
            verb=f.verb is not None,
            activity=f.activity is not None,
            related_activities=f.related_activities,
            registration=f.registration is not None,
            since=f.since is not None,
            until=f.until is not None,
            cursor=cursor is not None,
            ascending=f.ascending,
            everything=scope.everything,
            scope_actors=bool(scope.actor_keys),
            scope_activities=bool(scope.activity_ids),
            scope_authority=scope.authority_key is not None,
        )


@functools.lru_cache(maxsize=512)
def _bind_names(statement: Select[int, datetime, str]) -> frozenset[str]:
    return frozenset(statement.compile().params)


@functools.lru_cache(maxsize=512)
def _page_query(shape: _Shape) -> Select[int, datetime, str]:
    """One page: seq, stored and JSON text of the statements, in order, limit + 1 rows.

    Built once per shape: constructing this statement costs SQLAlchemy more than the
    database takes to run it, and a reused statement object also keeps its cache key.
    """
    visible = [StatementRow.voided.is_(False), _scope_parameters(shape), *_window_conditions(shape)]
    order = _order_columns(StatementRow.stored, StatementRow.seq, shape.ascending)
    limit = bindparam("limit", type_=Integer)
    direct = select(StatementRow.seq, StatementRow.stored).where(
        *visible, *_filter_conditions(StatementRow, shape)
    )
    if shape.has_object_filters:
        via_refs = select(StatementRow.seq, StatementRow.stored).where(
            *visible, StatementRow.seq.in_(_referrers_matching(shape))
        )
        candidates = union(
            select(direct.order_by(*order).limit(limit).subquery()),
            select(via_refs.order_by(*order).limit(limit).subquery()),
        ).subquery()
        ordered = _order_columns(candidates.c.stored, candidates.c.seq, shape.ascending)
        chosen = (
            select(candidates.c.seq, candidates.c.stored).order_by(*ordered).limit(limit).subquery()
        )
    else:
        chosen = direct.order_by(*order).limit(limit).subquery()
    # Joining on (seq, stored) and repeating the window conditions changes no answer (the
    # chosen rows meet them already) but lets PostgreSQL skip the partitions of a table
    # partitioned by stored (learnloop.xapi.partitioning) when it fetches the documents.
    return (
        select(StatementRow.seq, StatementRow.stored, cast(StatementRow.statement, Text))
        .join(
            chosen, and_(chosen.c.seq == StatementRow.seq, chosen.c.stored == StatementRow.stored)
        )
        .where(*_window_conditions(shape))
        .order_by(*order)
    )


def _order_columns(stored: Any, seq: Any, ascending: bool) -> list[Any]:
    return [stored.asc(), seq.asc()] if ascending else [stored.desc(), seq.desc()]


def _window_conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    """Time and sequence conditions: they apply to the statement returned itself, also
    when it matched through a StatementRef (xAPI-Communication 2.1.3)."""
    conditions: list[ColumnElement[bool]] = []
    if shape.since:
        conditions.append(StatementRow.stored > bindparam("since", type_=UTCDateTime()))
    if shape.until:
        conditions.append(StatementRow.stored <= bindparam("until", type_=UTCDateTime()))
    if shape.cursor:
        stored = bindparam("cursor_stored", type_=UTCDateTime())
        seq = bindparam("cursor_seq", type_=Integer)
        conditions.append(StatementRow.seq <= bindparam("ceiling", type_=Integer))
        if shape.ascending:
            conditions.append(
                or_(
                    StatementRow.stored > stored,
                    and_(StatementRow.stored == stored, StatementRow.seq > seq),
                )
            )
        else:
            conditions.append(
                or_(
                    StatementRow.stored < stored,
                    and_(StatementRow.stored == stored, StatementRow.seq < seq),
                )
            )
    return conditions


def _filter_conditions(row: Any, shape: _Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if shape.agent:
        agents = select(StatementAgent.statement_seq).where(
            StatementAgent.agent_key.in_(bindparam("agent_keys", expanding=True))
        )
        if not shape.related_agents:
            agents = agents.where(StatementAgent.direct.is_(True))
        conditions.append(row.seq.in_(agents))
    if shape.verb:
        conditions.append(row.verb_id == bindparam("verb"))
    if shape.activity:
        if shape.related_activities:
            conditions.append(
                row.seq.in_(
                    select(StatementActivity.statement_seq).where(
                        StatementActivity.activity_id == bindparam("activity")
                    )
                )
            )
        else:
            conditions.append(row.object_activity_id == bindparam("activity"))
    if shape.registration:
        conditions.append(row.registration == bindparam("registration"))
    return conditions


def _referrers_matching(shape: _Shape) -> Select[Any]:
    """Seqs of statements whose StatementRef object targets - directly or through a chain
    of StatementRefs - a statement that meets the non-time filters (xAPI-Communication
    2.1.3 "Filter Conditions for StatementRefs"). Targets may be voided.

    The chain starts from matching statements that are targeted at all, so the planner
    can begin from whichever side is smaller: few matches or few StatementRefs.
    """
    target = aliased(StatementRow, name="ref_target")
    referrer = aliased(StatementRow, name="ref_referrer")
    link = aliased(StatementRow, name="ref_link")
    chain = (
        select(target.statement_id.label("target_id"))
        .where(
            *_filter_conditions(target, shape),
            select(referrer.seq)
            .where(referrer.object_statement_ref == target.statement_id)
            .exists(),
        )
        .cte("ref_chain", recursive=True)
    )
    chain = chain.union(
        select(link.statement_id).join(chain, link.object_statement_ref == chain.c.target_id)
    )
    return select(StatementRow.seq).where(
        StatementRow.object_statement_ref.in_(select(chain.c.target_id))
    )


def _scope_parameters(shape: _Shape) -> ColumnElement[bool]:
    if shape.everything:
        return true()
    options: list[ColumnElement[bool]] = []
    if shape.scope_actors:
        options.append(StatementRow.actor_key.in_(bindparam("scope_actor_keys", expanding=True)))
    if shape.scope_activities:
        options.append(
            StatementRow.object_activity_id.in_(bindparam("scope_activity_ids", expanding=True))
        )
    if shape.scope_authority:
        options.append(StatementRow.authority_key == bindparam("scope_authority"))
    return or_(*options) if options else false()


def scope_condition(scope: ReadScope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    options: list[ColumnElement[bool]] = []
    if scope.actor_keys:
        options.append(StatementRow.actor_key.in_(scope.actor_keys))
    if scope.activity_ids:
        options.append(StatementRow.object_activity_id.in_(scope.activity_ids))
    if scope.authority_key is not None:
        options.append(StatementRow.authority_key == scope.authority_key)
    return or_(*options) if options else false()


# --- more links ----------------------------------------------------------------------------


def encode_more(statement_filter: StatementFilter, cursor: Cursor, extra: dict[str, Any]) -> str:
    payload = {
        "f": {
            key: (value.isoformat() if isinstance(value, datetime) else value)
            for key, value in asdict(statement_filter).items()
        },
        "c": [cursor.stored.isoformat(), cursor.seq, cursor.ceiling],
        "x": extra,
    }
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def decode_more(token: str) -> tuple[StatementFilter, Cursor, dict[str, Any]]:
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        fields = dict(payload["f"])
        for key in ("since", "until"):
            if fields.get(key) is not None:
                fields[key] = datetime.fromisoformat(fields[key])
        fields["agent_keys"] = tuple(fields.get("agent_keys") or ())
        statement_filter = replace(StatementFilter(), **fields)
        stored, seq, ceiling = payload["c"]
        cursor = Cursor(stored=datetime.fromisoformat(stored), seq=int(seq), ceiling=int(ceiling))
        extra = dict(payload.get("x") or {})
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidParameter("The 'more' link is not valid") from exc
    return statement_filter, cursor, extra
