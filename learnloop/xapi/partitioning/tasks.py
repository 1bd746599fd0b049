"""The ``xapi.statement-partitions`` job (learnloop/jobs): each run makes sure the coming
partitions exist and schedules the next run, so one pending job exists while the table is
partitioned and no process has to remember anything. On SQLite or an unpartitioned table
it does nothing and ends the chain."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from learnloop.db import utcnow
from learnloop.jobs.models import Job, JobStatus
from learnloop.jobs.queue import enqueue
from learnloop.jobs.worker import JobContext, JobRegistry
from learnloop.xapi.partitioning.catalog import is_partitioned, is_postgresql
from learnloop.xapi.partitioning.upcoming import UpcomingReport, ensure_upcoming_partitions

STATEMENT_PARTITIONS_JOB = "xapi.statement-partitions"
# Far more often than the shortest interval (a day) needs: a missed run costs nothing.
RUN_EVERY = timedelta(hours=6)
RETRY_AFTER_LOCK_TIMEOUT = timedelta(minutes=10)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires

logger = logging.getLogger("learnloop.xapi.partitions")


def schedule_partition_job(session: Session, delay: timedelta = timedelta(0)) -> None:
    """Make sure a run is pending (one is enough)."""
    pending = session.scalar(
        select(Job.id)
        .where(Job.kind == STATEMENT_PARTITIONS_JOB, Job.status == JobStatus.PENDING.value)
        .limit(1)
    )
    if pending is None:
        enqueue(session, STATEMENT_PARTITIONS_JOB, {}, run_after=utcnow() + delay)


def run_statement_partitions(context: JobContext, _payload: dict[str, Any]) -> None:
    connection = context.session.connection()
    if not is_postgresql(connection) or not is_partitioned(connection):
        return
    try:
        with context.session.begin_nested():
            # The connection asked for inside the block: that is when the SAVEPOINT is sent.
            report = ensure_upcoming_partitions(
                context.session.connection(),
                ahead=context.settings.xapi_statement_partitions_ahead,
                now=utcnow(),
            )
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        # A long query held the statements table: waiting is a state, not a failure (a
        # failing job ends in the dead letters after a few attempts and the chain stops).
        logger.warning("statement partitions: the table was busy, trying again later")
        schedule_partition_job(context.session, RETRY_AFTER_LOCK_TIMEOUT)
        return
    log_report(report)
    schedule_partition_job(context.session, RUN_EVERY)


def log_report(report: UpcomingReport) -> None:
    if report.created:
        logger.info("created statement partitions %s", ", ".join(report.created))
    if report.blocked:
        logger.warning(
            "statement partitions %s not created: the default partition holds statements of "
            "their range (see docs/deployment.md, partitioned statements)",
            ", ".join(report.blocked),
        )


def register_statement_partition_jobs(registry: JobRegistry) -> None:
    registry.register(STATEMENT_PARTITIONS_JOB, run_statement_partitions)
