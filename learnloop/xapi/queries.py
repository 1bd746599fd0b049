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
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import Session, aliased

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
    ceiling = cursor.ceiling if cursor is not None else _max_seq(session)
    window = _window_conditions(statement_filter, cursor, ceiling)
    visible = [StatementRow.voided.is_(False), scope_condition(scope), *window]
    order = _order(statement_filter.ascending)

    direct = select(StatementRow.seq, StatementRow.stored).where(
        *visible, *_filter_conditions(StatementRow, statement_filter)
    )
    if statement_filter.has_object_filters and _any_statement_refs(session):
        via_refs = select(StatementRow.seq, StatementRow.stored).where(
            *visible, StatementRow.seq.in_(_referrers_matching(statement_filter, window))
        )
        candidates = union(
            select(direct.order_by(*order).limit(limit + 1).subquery()),
            select(via_refs.order_by(*order).limit(limit + 1).subquery()),
        ).subquery()
        seqs = select(candidates.c.seq, candidates.c.stored)
        ordered = _order_columns(candidates.c.stored, candidates.c.seq, statement_filter.ascending)
        chosen = seqs.order_by(*ordered).limit(limit + 1).subquery()
    else:
        chosen = direct.order_by(*order).limit(limit + 1).subquery()
    rows = session.execute(
        select(StatementRow.seq, StatementRow.stored, cast(StatementRow.statement, Text))
        .join(chosen, chosen.c.seq == StatementRow.seq)
        .order_by(
            *_order_columns(StatementRow.stored, StatementRow.seq, statement_filter.ascending)
        )
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    documents = [orjson.loads(text) for _seq, _stored, text in rows]
    next_cursor = Cursor(stored=rows[-1][1], seq=rows[-1][0], ceiling=ceiling) if has_more else None
    last_stored = max((row[1] for row in rows), default=None)
    return Page(documents=documents, next_cursor=next_cursor, last_stored=last_stored)


def _max_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(StatementRow.seq))) or 0)


def _any_statement_refs(session: Session) -> bool:
    return (
        session.scalar(
            select(literal(1)).where(StatementRow.object_statement_ref.is_not(None)).limit(1)
        )
        is not None
    )


def _order(ascending: bool) -> list[Any]:
    return _order_columns(StatementRow.stored, StatementRow.seq, ascending)


def _order_columns(stored: Any, seq: Any, ascending: bool) -> list[Any]:
    return [stored.asc(), seq.asc()] if ascending else [stored.desc(), seq.desc()]


def _window_conditions(
    statement_filter: StatementFilter, cursor: Cursor | None, ceiling: int
) -> list[ColumnElement[bool]]:
    """Time and sequence conditions: they apply to the statement returned itself, also
    when it matched through a StatementRef (xAPI-Communication 2.1.3)."""
    conditions: list[ColumnElement[bool]] = [StatementRow.seq <= ceiling]
    if statement_filter.since is not None:
        conditions.append(StatementRow.stored > statement_filter.since)
    if statement_filter.until is not None:
        conditions.append(StatementRow.stored <= statement_filter.until)
    if cursor is not None:
        if statement_filter.ascending:
            conditions.append(
                or_(
                    StatementRow.stored > cursor.stored,
                    and_(StatementRow.stored == cursor.stored, StatementRow.seq > cursor.seq),
                )
            )
        else:
            conditions.append(
                or_(
                    StatementRow.stored < cursor.stored,
                    and_(StatementRow.stored == cursor.stored, StatementRow.seq < cursor.seq),
                )
            )
    return conditions


def _filter_conditions(row: Any, statement_filter: StatementFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if statement_filter.agent_keys:
        agents = select(StatementAgent.statement_seq).where(
            StatementAgent.agent_key.in_(statement_filter.agent_keys)
        )
        if not statement_filter.related_agents:
            agents = agents.where(StatementAgent.direct.is_(True))
        conditions.append(row.seq.in_(agents))
    if statement_filter.verb is not None:
        conditions.append(row.verb_id == statement_filter.verb)
    if statement_filter.activity is not None:
        if statement_filter.related_activities:
            conditions.append(
                row.seq.in_(
                    select(StatementActivity.statement_seq).where(
                        StatementActivity.activity_id == statement_filter.activity
                    )
                )
            )
        else:
            conditions.append(row.object_activity_id == statement_filter.activity)
    if statement_filter.registration is not None:
        conditions.append(row.registration == statement_filter.registration.lower())
    return conditions


def _referrers_matching(
    statement_filter: StatementFilter, window: list[ColumnElement[bool]]
) -> Select[Any]:
    """Seqs of statements whose StatementRef object targets - directly or through a chain
    of StatementRefs - a statement that meets the non-time filters (xAPI-Communication
    2.1.3 "Filter Conditions for StatementRefs"). Targets may be voided."""
    referrer = aliased(StatementRow)
    link = aliased(StatementRow)
    base = select(referrer.seq.label("referrer"), referrer.object_statement_ref.label("target"))
    base = base.where(referrer.object_statement_ref.is_not(None))
    chain = base.cte("ref_chain", recursive=True)
    chain = chain.union(
        select(chain.c.referrer, link.object_statement_ref)
        .join(link, link.statement_id == chain.c.target)
        .where(link.object_statement_ref.is_not(None))
    )
    target = aliased(StatementRow)
    return (
        select(chain.c.referrer)
        .join(target, target.statement_id == chain.c.target)
        .where(*_filter_conditions(target, statement_filter))
    )


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
