from decimal import Decimal

import pytest

from learnloop.analytics.durations import duration_milliseconds, duration_seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT120S", Decimal(120)),
        ("PT1H2M3.5S", Decimal("3723.5")),
        ("P1D", Decimal(86400)),
        ("P1DT12H", Decimal(129600)),
        ("P2W", Decimal(1209600)),
        ("PT0,25S", Decimal("0.25")),
        ("P1Y", Decimal(365 * 86400)),
        ("P1M", Decimal(30 * 86400)),
        ("PT1M", Decimal(60)),
        ("PT1.5H", Decimal(5400)),
        ("P0D", Decimal(0)),
    ],
)
def test_iso_8601_durations_become_seconds(text: str, seconds: Decimal) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "120", "PT1.5H2M", "-PT1S", "PT1X", "1H"])
def test_malformed_durations_are_none(text: str) -> None:
    assert duration_seconds(text) is None


def test_milliseconds_round_and_ignore_non_strings() -> None:
    assert duration_milliseconds("PT0.0004S") == 0
    assert duration_milliseconds("PT1.0006S") == 1001
    assert duration_milliseconds(12) is None
