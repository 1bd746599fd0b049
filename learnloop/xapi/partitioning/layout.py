"""Partition intervals, names and bounds: pure date arithmetic in UTC.

A partition holds the statements whose ``stored`` lies in ``[start, next start)``. Names
carry the start (``xapi_statements_p2026_12`` for a month, ``…_p2026_11_30`` for a week
or a day), so ``\\d+ xapi_statements`` lists them in time order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

STATEMENTS_TABLE = "xapi_statements"
DEFAULT_PARTITION = "xapi_statements_default"
PARTITION_PREFIX = "xapi_statements_p"


class PartitionInterval(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, starting on Monday
    MONTH = "month"


@dataclass(frozen=True)
class PartitionSpan:
    start: datetime
    end: datetime
    interval: PartitionInterval

    @property
    def name(self) -> str:
        if self.interval is PartitionInterval.MONTH:
            return f"{PARTITION_PREFIX}{self.start:%Y_%m}"
        return f"{PARTITION_PREFIX}{self.start:%Y_%m_%d}"


def interval_start(moment: datetime, interval: PartitionInterval) -> datetime:
    """The start of the interval holding ``moment`` (naive values are taken as UTC)."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    day = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval is PartitionInterval.DAY:
        return day
    if interval is PartitionInterval.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_start(start: datetime, interval: PartitionInterval) -> datetime:
    if interval is PartitionInterval.DAY:
        return start + timedelta(days=1)
    if interval is PartitionInterval.WEEK:
        return start + timedelta(days=7)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def span_of(moment: datetime, interval: PartitionInterval) -> PartitionSpan:
    start = interval_start(moment, interval)
    return PartitionSpan(start, next_start(start, interval), interval)


def spans_between(
    first: datetime, last: datetime, interval: PartitionInterval
) -> Iterator[PartitionSpan]:
    """Every span from the one holding ``first`` to the one holding ``last``, inclusive."""
    span = span_of(first, interval)
    final = interval_start(last, interval)
    while span.start <= final:
        yield span
        span = PartitionSpan(span.end, next_start(span.end, interval), interval)


def upcoming_spans(now: datetime, interval: PartitionInterval, ahead: int) -> list[PartitionSpan]:
    """The current interval and the ``ahead`` intervals after it."""
    current = span_of(now, interval)
    last = current.start
    for _ in range(ahead):
        last = next_start(last, interval)
    return list(spans_between(current.start, last, interval))
