"""Stored integers → the numbers the API shows."""

from __future__ import annotations

from datetime import UTC, datetime


def percent(milli: int | float | None) -> float:
    """Thousandths of a percent → percent with two decimals (0 when unknown)."""
    return 0.0 if milli is None else round(float(milli) / 1000, 2)


def seconds(milliseconds: int | float | None) -> float:
    return 0.0 if milliseconds is None else round(float(milliseconds) / 1000, 3)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def rate(part: int, whole: int) -> float:
    return 0.0 if whole <= 0 else round(part * 100 / whole, 2)
