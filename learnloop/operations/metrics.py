"""Prometheus metrics: ``GET /metrics`` in the text exposition format.

What is measured:

- ``learnloop_http_requests_total{method, route, status}`` and
  ``learnloop_http_request_duration_seconds{method, route}``: the route is the matched
  path *template* (``/xapi/activities/state``, ``/h5p/content/{content_id}``), never the
  raw path, so ids do not explode the label space; unmatched paths are ``<unmatched>``.
- ``learnloop_xapi_statements_stored_total``: statements whose ingest transaction
  committed (counted in the session's ``after_commit``, so a rolled-back batch is not).
- ``learnloop_jobs{status}``: background jobs by state, read from the job table at scrape
  time (the table is shared by every process, so every process reports the same numbers).
- ``learnloop_db_pool_*``: this process's connection pool.

Processes: by default each process keeps its own counters (scrape every process, or run
one server process per scrape target). With ``PROMETHEUS_MULTIPROC_DIR`` set to an empty
directory before the processes start, prometheus-client's multiprocess mode aggregates
the counters and histograms of all processes of one machine in every scrape.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool
from starlette.types import Scope

from learnloop.db import Database
from learnloop.jobs.models import Job, JobStatus
from learnloop.xapi.hooks import StoredStatement

UNMATCHED_ROUTE = "<unmatched>"
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_PENDING_STATEMENTS = "learnloop_metrics_pending_statements"
METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The metrics of one app instance, on a registry of its own (tests build many apps)."""

    def __init__(self, database: Database) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "learnloop_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "learnloop_http_request_duration_seconds",
            "Time from request start to the last response byte, by route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.statements_stored = Counter(
            "learnloop_xapi_statements_stored",
            "xAPI statements stored (counted when their transaction committed).",
            registry=self.registry,
        )
        self.database = database
        self.registry.register(_DatabaseCollector(database))

    def exposition(self) -> bytes:
        """The text exposition of every metric (all processes' in multiprocess mode)."""
        multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not multiprocess_dir:
            return generate_latest(self.registry)
        combined = CollectorRegistry()
        MultiProcessCollector(combined, path=multiprocess_dir)  # type: ignore[no-untyped-call]
        combined.register(_DatabaseCollector(self.database))
        return generate_latest(combined)

    # -- requests ------------------------------------------------------------------------

    def observe_request(self, scope: Scope, status: int, seconds: float) -> None:
        """Count and time a finished request by the route template FastAPI matched
        (``request_pipeline.RequestPipeline`` calls it for every HTTP request)."""
        # The router writes the matched route into the (shared) scope dict.
        route = scope.get("route")
        template = getattr(route, "path", None) or UNMATCHED_ROUTE
        method = str(scope.get("method", ""))
        self.requests.labels(method, template, str(status)).inc()
        self.latency.labels(method, template).observe(seconds)

    # -- statements stored ---------------------------------------------------------------

    def count_stored(self, session: Session, stored: Sequence[StoredStatement]) -> None:
        """An on-stored hook: remember the count on the session until it commits."""
        session.info[_PENDING_STATEMENTS] = session.info.get(_PENDING_STATEMENTS, 0) + len(stored)

    def watch_commits(self) -> None:
        factory = self.database.session_factory

        @event.listens_for(factory, "after_commit")
        def _committed(session: Session) -> None:
            pending = session.info.pop(_PENDING_STATEMENTS, 0)
            if pending:
                self.statements_stored.inc(pending)

        @event.listens_for(factory, "after_rollback")
        def _rolled_back(session: Session) -> None:
            session.info.pop(_PENDING_STATEMENTS, None)


class _DatabaseCollector(Collector):
    """Jobs by state and the connection pool, read when scraped."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterable[Metric]:
        jobs = GaugeMetricFamily(
            "learnloop_jobs", "Background jobs by state (whole deployment).", labels=["status"]
        )
        up = GaugeMetricFamily(
            "learnloop_database_up", "1 when the database answered the last scrape."
        )
        try:
            with self.database.session() as session:
                counts = dict(
                    session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
                )
            for status in JobStatus:
                jobs.add_metric([status.value], float(counts.get(status.value, 0)))
            up.add_metric([], 1.0)
        except SQLAlchemyError:
            up.add_metric([], 0.0)
        yield jobs
        yield up
        yield from _pool_metrics(self.database.engine.pool)


def _pool_metrics(pool: Any) -> Iterable[Metric]:
    if not isinstance(pool, QueuePool):
        return
    for name, documentation, value in (
        ("learnloop_db_pool_size", "Connections the pool keeps open.", pool.size()),
        ("learnloop_db_pool_checked_out", "Connections in use.", pool.checkedout()),
        ("learnloop_db_pool_checked_in", "Idle connections in the pool.", pool.checkedin()),
        ("learnloop_db_pool_overflow", "Connections beyond the pool size.", pool.overflow()),
    ):
        gauge = GaugeMetricFamily(name, documentation + " (this process)")
        gauge.add_metric([], float(value))
        yield gauge
