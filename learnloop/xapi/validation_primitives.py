"""Value formats of xAPI-Data 4.0 (IRIs, UUIDs, timestamps, durations, language maps,
extensions) and the JSON type checks every other validator uses.

xAPI-Data 2.2 (LRS requirements): reject null values outside extensions, wrong JSON types
(a string where a number or boolean is required), badly formatted values (mailto IRI, UUID,
IRI) and keys not allowed by the specification. Errors carry the JSON path of the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import cache, lru_cache, wraps
from typing import Any

import orjson

from learnloop.xapi.errors import InvalidStatement

UUID_PATTERN = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# RFC 3987 absolute IRI, best effort (xAPI-Data 2.2: "MAY use best-effort validation"):
# a scheme, a colon, and something after it without whitespace or angle brackets.
IRI_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
# ISO 8601 combined date and time (xAPI-Data 4.5) with a time zone designator. Offsets of
# "-00:00" mean "unknown local offset" in RFC 3339 and are refused like a missing zone.
TIMESTAMP_PATTERN = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)$"
)
_NUM = r"\d+(?:[.,]\d+)?"
# ISO 8601:2004 4.4.3.2 format with designators (xAPI-Data 4.6); weeks stand alone.
DURATION_PATTERN = re.compile(
    rf"^P(?!$)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$"
    rf"|^P{_NUM}W$"
)
# RFC 5646 language tag: the sequence of subtag lengths (xAPI-Data 2.2 "MUST at least
# validate that the sequence of token lengths for language map keys matches").
LANGUAGE_TAG_PATTERN = re.compile(
    r"^(?:"
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language (+ extlang)
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|\d{3}))?"  # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*"  # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[A-Za-z0-9]{1,8})+)?"  # private use
    r"|x(?:-[A-Za-z0-9]{1,8})+"
    r"|i-[A-Za-z]{2,8}|[A-Za-z]{2,3}-[A-Za-z]{2,8}-[A-Za-z]{2,8}"  # grandfathered, roughly
    r")$"
)
MAILTO_PATTERN = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
SHA1_HEX_PATTERN = re.compile(r"^[0-9a-fA-F]{40}$")


# At most this many remembered objects per check, each at most this long serialised.
KNOWN_VALID_LIMIT = 2048
KNOWN_VALID_MAX_BYTES = 4096


def remembers_valid(check: Callable[[Any, str], Any]) -> Callable[[Any, str], None]:
    """Wrap a check of a JSON object whose outcome depends on the value alone (not on its
    path or the xAPI version): objects it passed are remembered by their serialisation,
    and the same object met again is not checked again. Verbs, actors and activities
    (definitions included) repeat from statement to statement, and serialising one costs
    a fraction of checking it. Failures are not remembered: they raise with their path.
    The memory is bounded (KNOWN_VALID_LIMIT objects of at most
    KNOWN_VALID_MAX_BYTES): it is emptied when full."""
    passed: set[bytes] = set()

    @wraps(check)
    def remembering(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            check(value, path)  # raises with the reason
            return
        try:
            key = orjson.dumps(value)
        except orjson.JSONEncodeError:  # not from a JSON document; just check it
            check(value, path)
            return
        if key in passed:
            return
        check(value, path)
        if len(key) > KNOWN_VALID_MAX_BYTES:
            return
        if len(passed) >= KNOWN_VALID_LIMIT:
            passed.clear()
        passed.add(key)

    return remembering


def fail(path: str, message: str) -> InvalidStatement:
    return InvalidStatement(f"{path}: {message}")


def require_object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(path, f"must be a JSON object, not {json_type(value)}")
    return value


def require_string(value: Any, path: str, *, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise fail(path, f"must be a string, not {json_type(value)}")
    if not allow_empty and not value:
        raise fail(path, "must not be empty")
    return value


def require_bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise fail(path, f"must be a boolean (true or false), not {json_type(value)}")
    return value


def require_number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(path, f"must be a number, not {json_type(value)}")
    return float(value)


def require_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise fail(path, f"must be an array, not {json_type(value)}")
    return value


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def check_keys(
    obj: Mapping[str, Any], path: str, allowed: Iterable[str], required: Iterable[str] = ()
) -> None:
    """xAPI-Data 2.2: unknown properties (including wrong case) are rejected."""
    allowed_set = _key_set(allowed if isinstance(allowed, tuple) else tuple(allowed))
    if not obj.keys() <= allowed_set:
        unexpected = next(key for key in obj if key not in allowed_set)
        raise fail(path, f"unexpected property {unexpected!r}")
    for key in required:
        if key not in obj:
            raise fail(path, f"missing required property {key!r}")


@cache
def _key_set(allowed: tuple[str, ...]) -> frozenset[str]:
    # The allowed keys are constants of the validators: build each set once.
    return frozenset(allowed)


def check_uuid(value: Any, path: str) -> str:
    text = require_string(value, path)
    if not UUID_PATTERN.match(text):
        raise fail(path, f"{text!r} is not a UUID in standard string form (xAPI-Data 4.4)")
    return text


@lru_cache(maxsize=4096)
def _is_iri(text: str) -> bool:
    # Verb ids, activity ids and types repeat from statement to statement.
    return IRI_PATTERN.match(text) is not None


# The length of the IRI columns (xapi.models.IRI_LENGTH); longer ones were a 500 on
# PostgreSQL (issue 12 item 12).
MAX_IRI_LENGTH = 2048


def check_iri(value: Any, path: str) -> str:
    text = require_string(value, path)
    if len(text) > MAX_IRI_LENGTH:
        raise fail(path, f"IRIs longer than {MAX_IRI_LENGTH} characters are not accepted")
    if not _is_iri(text):
        raise fail(path, f"{text!r} is not an absolute IRI with a scheme (xAPI-Data 4.3)")
    return text


def parse_timestamp(text: str) -> datetime | None:
    match = TIMESTAMP_PATTERN.match(text)
    if match is None:
        return None
    zone = match.group(8)
    if zone.startswith("-") and zone[1:].replace(":", "").strip("0") == "":
        return None
    normalised = text.replace(",", ".").replace("Z", "+00:00")
    fraction = match.group(7)
    if fraction is not None and len(fraction) > 6:
        normalised = normalised.replace("." + fraction, "." + fraction[:6])
    if len(zone) == 3:  # "+05" → "+05:00"
        normalised += ":00"
    elif len(zone) == 5 and ":" not in zone:  # "+0530" → "+05:30"
        normalised = normalised[:-2] + ":" + normalised[-2:]
    try:
        return datetime.fromisoformat(normalised)
    except ValueError:
        return None


def check_timestamp(value: Any, path: str) -> datetime:
    text = require_string(value, path)
    parsed = parse_timestamp(text)
    if parsed is None:
        raise fail(
            path,
            f"{text!r} is not an ISO 8601 timestamp with a time zone (xAPI-Data 4.5)",
        )
    return parsed


# Longer durations are refused: sums of them would overflow the 64-bit millisecond
# counters of the analytics projections (a 500 before; issue 12 item 12). About 317 years.
MAX_DURATION_SECONDS = 10**10
_DURATION_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _duration_too_long(text: str) -> bool:
    # A cheap bound before any arithmetic: no component may have more digits than the
    # whole limit in seconds; then the components' sum in seconds (a week, a year: 365 d).
    numbers = _DURATION_NUMBER.findall(text)
    if any(len(number.split(".")[0].split(",")[0]) > 11 for number in numbers):
        return True
    units = {"Y": 365 * 86400, "W": 7 * 86400, "D": 86400, "H": 3600, "S": 1}
    total = 0.0
    in_time = False
    for number, unit in re.findall(r"(\d+(?:[.,]\d+)?)([YMWDHS])|T", text):
        if not unit:
            in_time = True
            continue
        seconds = (60 if in_time else 30 * 86400) if unit == "M" else units[unit]
        total += float(number.replace(",", ".")) * seconds
    return total > MAX_DURATION_SECONDS


def check_duration(value: Any, path: str) -> str:
    text = require_string(value, path)
    if not DURATION_PATTERN.match(text):
        raise fail(path, f"{text!r} is not an ISO 8601 duration (xAPI-Data 4.6)")
    if _duration_too_long(text):
        raise fail(path, f"durations longer than {MAX_DURATION_SECONDS} seconds are not accepted")
    return text


@lru_cache(maxsize=1024)
def _is_language_tag(text: str) -> bool:
    # A few tags ("en-US", "de", …) make up nearly every language map key.
    return LANGUAGE_TAG_PATTERN.match(text) is not None


def check_language_tag(value: Any, path: str) -> str:
    text = require_string(value, path)
    if not _is_language_tag(text):
        raise fail(path, f"{text!r} is not an RFC 5646 language tag")
    return text


def check_language_map(value: Any, path: str) -> None:
    """xAPI-Data 4.2: keys are RFC 5646 tags, values strings."""
    mapping = require_object(value, path)
    for tag, text in mapping.items():
        if not (isinstance(tag, str) and _is_language_tag(tag)):
            check_language_tag(tag, f"{path} key")  # raises, naming the key
        if not isinstance(text, str):
            require_string(text, f"{path}.{tag}")  # raises, naming the value


def check_extensions(value: Any, path: str) -> None:
    """xAPI-Data 4.1: keys MUST be IRIs; values are anything, null included."""
    mapping = require_object(value, path)
    for key in mapping:
        check_iri(key, f"{path} key")
