"""Creating the partitions of the coming intervals before statements arrive for them.

A statement stored where no partition is lands in the default partition. Creating a
partition for a range the default partition already holds rows of would fail (PostgreSQL
checks the default partition's rows against the new bound), so such a range is skipped and
reported: this version moves nothing out of the default partition. Keeping ``ahead``
intervals ready means the default partition stays empty while the job runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, text

from learnloop.xapi.partitioning.catalog import partition_exists, quoted, stored_interval
from learnloop.xapi.partitioning.conversion import PartitioningUnavailable, create_partition
from learnloop.xapi.partitioning.layout import DEFAULT_PARTITION, upcoming_spans

# One number for pg_advisory_xact_lock: the workers that run the job queue behind it.
PARTITION_LOCK_KEY = 0x6C6C_7061_7274  # "llpart"
# Creating a partition takes an ACCESS EXCLUSIVE lock on the statements table for a moment;
# behind a long query it would make every statement request wait, so give up and retry.
PARTITION_LOCK_TIMEOUT = "5s"


@dataclass
class UpcomingReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    # Ranges the default partition already holds statements of (see the module docstring).
    blocked: list[str] = field(default_factory=list)


def ensure_upcoming_partitions(
    connection: Connection, *, ahead: int, now: datetime
) -> UpcomingReport:
    """Make sure partitions exist for the interval holding ``now`` and ``ahead`` more.
    Idempotent, and safe with several workers (advisory lock, CREATE … IF NOT EXISTS)."""
    interval = stored_interval(connection)
    if interval is None:
        raise PartitioningUnavailable(
            "The statements table is not partitioned by LearnLoop "
            "(run `learnloop db partition-statements` first)"
        )
    connection.execute(text(f"SET LOCAL lock_timeout = '{PARTITION_LOCK_TIMEOUT}'"))
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PARTITION_LOCK_KEY})
    report = UpcomingReport()
    for span in upcoming_spans(now, interval, ahead):
        if partition_exists(connection, span.name):
            report.existing.append(span.name)
            continue
        held = connection.scalar(
            text(
                f"SELECT EXISTS (SELECT 1 FROM {quoted(DEFAULT_PARTITION)} "  # noqa: S608 (constant)
                "WHERE stored >= :start AND stored < :end)"
            ),
            {"start": span.start, "end": span.end},
        )
        if held:
            report.blocked.append(span.name)
            continue
        create_partition(connection, span)
        report.created.append(span.name)
    return report
