"""Query plans: agent and activity filters, related or not, use indexes (no table scan)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from learnloop.xapi.callers import EVERYTHING
from learnloop.xapi.queries import StatementFilter, _page_query, _Shape

FILTERS = {
    "agent": StatementFilter(agent_keys=("mbox:mailto:a@example.com",)),
    "related_agents": StatementFilter(
        agent_keys=("mbox:mailto:a@example.com",), related_agents=True
    ),
    "activity": StatementFilter(activity="http://e.com/a"),
    "related_activities": StatementFilter(activity="http://e.com/a", related_activities=True),
    "agent_verb_activity": StatementFilter(
        agent_keys=("mbox:mailto:a@example.com",), verb="http://e.com/v", activity="http://e.com/a"
    ),
}


def _plan(session, statement_filter: StatementFilter) -> str:
    query = _page_query(_Shape.of(statement_filter, EVERYTHING, None)).params(
        limit=101,
        agent_keys=list(statement_filter.agent_keys),
        verb=statement_filter.verb,
        activity=statement_filter.activity,
    )
    dialect = session.get_bind().dialect
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    assert "NULL" not in sql
    if dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_seqscan = off"))
        rows = session.execute(text("EXPLAIN " + sql)).scalars()
    else:
        rows = (row[3] for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    return "\n".join(rows)


@pytest.mark.parametrize("name", list(FILTERS))
def test_filtered_queries_do_not_scan_the_statements_table(session, name):
    plan = _plan(session, FILTERS[name])
    assert "Seq Scan on xapi_statements " not in plan, plan
    assert "SCAN xapi_statements\n" not in plan + "\n", plan
    if "agent" in name:
        assert "agents_key" in plan or "pk_xapi_statement_agents" in plan, plan
    if name == "related_activities":
        assert "activities_activity" in plan, plan
