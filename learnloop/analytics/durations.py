"""ISO 8601 durations as xAPI ``result.duration`` carries them (xAPI-Data 2.4.5,
4.6 "ISO 8601 Durations"): ``PT1H2M3.5S``, ``P1DT12H``, ``P2W``.

Years and months have no fixed length; like most LRS reporting we count a year as 365
days and a month as 30 days. Only the last component may carry a fraction (ISO 8601
4.4.3.2), with ``.`` or ``,`` as the decimal sign.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_PATTERN = re.compile(
    rf"^P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?$"
)
_UNIT_SECONDS = (
    Decimal(365 * 86400),
    Decimal(30 * 86400),
    Decimal(7 * 86400),
    Decimal(86400),
    Decimal(3600),
    Decimal(60),
    Decimal(1),
)


def duration_seconds(text: str) -> Decimal | None:
    """Seconds in an ISO 8601 duration, or None when ``text`` is not one."""
    match = _PATTERN.match(text.strip())
    if match is None or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        return None
    groups = match.groups()
    present = [index for index, value in enumerate(groups) if value is not None]
    if not present:
        return None
    # Only the smallest given component may be fractional (ISO 8601 4.4.3.2).
    if any(("." in groups[i] or "," in groups[i]) for i in present[:-1]):
        return None
    total = Decimal(0)
    for index in present:
        try:
            value = Decimal(str(groups[index]).replace(",", "."))
        except InvalidOperation:
            return None
        total += value * _UNIT_SECONDS[index]
    return total


def duration_milliseconds(text: object) -> int | None:
    if not isinstance(text, str):
        return None
    seconds = duration_seconds(text)
    if seconds is None:
        return None
    return int((seconds * 1000).to_integral_value())
