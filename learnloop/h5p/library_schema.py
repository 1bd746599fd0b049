"""The schemas of ``h5p.json`` and ``library.json`` (H5P specification; the rules of
H5P core's ``H5PValidator`` and Lumi's ``h5p-schema.json`` / ``library-schema.json``).

Each check returns the first reason a document does not conform, or ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], str | None]

MACHINE_NAME = re.compile(r"^[\w.\-]{1,255}$")
MAIN_LIBRARY = re.compile(r"^[$a-zA-Z_][0-9a-zA-Z_.$]{1,254}$")
LANGUAGE = re.compile(r"^[-a-zA-Z]{1,10}$")
SHORT_TEXT = re.compile(r"^.{1,255}$")
LONG_TEXT = re.compile(r"^.{1,5000}$", re.DOTALL)
VERSION_STRING = re.compile(r"^[0-9]{1,5}$")
PRELOADED_JS = re.compile(r"^((\\|/)?[a-zA-Z_\-\s0-9.]+)+\.js$")
PRELOADED_CSS = re.compile(r"^((\\|/)?[a-zA-Z_\-\s0-9.]+)+\.css$")
LIBRARY_LICENSE = re.compile(
    r"^(cc-by|cc-by-sa|cc-by-nd|cc-by-nc|cc-by-nc-sa|cc-by-nc-nd|pd|cr|MIT|GPL1|GPL2|GPL3|MPL|MPL2)$"
)
CONTENT_LICENSE = re.compile(
    r"^(CC BY|CC BY-SA|CC BY-ND|CC BY-NC|CC BY-NC-SA|CC BY-NC-ND|CC0 1\.0|GNU GPL|PD|ODC PDDL"
    r"|CC PDM|U|C)$"
)
LICENSE_VERSION = re.compile(r"^(1\.0|2\.0|2\.5|3\.0|4\.0)$")
YEAR = re.compile(r"^[0-9]{1,4}$")
SIZE = re.compile(r"^[0-9]{1,4}$")
SOURCE = re.compile(r"^https?://.+$")
EMBED_TYPES = frozenset({"iframe", "div"})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(minimum: float, maximum: float) -> Check:
    def check(value: Any) -> str | None:
        if not _is_number(value):
            return "must be a number"
        if not minimum <= value <= maximum:
            return f"must be between {minimum:g} and {maximum:g}"
        return None

    return check


def _string(pattern: re.Pattern[str]) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be a string"
        if not pattern.match(value):
            return f'must match pattern "{pattern.pattern}"'
        return None

    return check


def _version_part(value: Any) -> str | None:
    # h5p.json written by older tools carries versions as strings ("1").
    if isinstance(value, str) and VERSION_STRING.match(value):
        return None
    if _is_number(value) and 0 <= value <= 99999 and float(value).is_integer():
        return None
    return "must be a version number"


def _library_name(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be an object"
    for key in ("machineName", "majorVersion", "minorVersion"):
        if key not in value:
            return f"must have required property '{key}'"
    reason = _string(MACHINE_NAME)(value["machineName"])
    if reason:
        return f"machineName {reason}"
    for key in ("majorVersion", "minorVersion"):
        reason = _version_part(value[key])
        if reason:
            return f"{key} {reason}"
    return None


def _array_of(item: Check) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, list):
            return "must be an array"
        for index, element in enumerate(value):
            reason = item(element)
            if reason:
                return f"[{index}] {reason}"
        return None

    return check


def _file_list(pattern: re.Pattern[str]) -> Check:
    def item(value: Any) -> str | None:
        if not isinstance(value, dict) or "path" not in value:
            return "must have required property 'path'"
        return _string(pattern)(value["path"])

    return _array_of(item)


def _embed_types(value: Any) -> str | None:
    if not isinstance(value, list) or not all(
        isinstance(item, str) and item in EMBED_TYPES for item in value
    ):
        return 'must be an array of "iframe" or "div"'
    return None


def _core_api(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be an object"
    for key in ("majorVersion", "minorVersion"):
        if key not in value:
            return f"must have required property '{key}'"
        reason = _number(0, 99999)(value[key])
        if reason:
            return f"{key} {reason}"
    return None


def _object(value: Any) -> str | None:
    return None if isinstance(value, dict) else "must be an object"


def _authors(value: Any) -> str | None:
    def item(author: Any) -> str | None:
        if not isinstance(author, dict):
            return "must be an object"
        for key in ("name", "role"):
            if key not in author:
                return f"must have required property '{key}'"
        return _string(SHORT_TEXT)(author["name"]) or _string(re.compile(r"^\w+$"))(author["role"])

    return _array_of(item)(value)


def _changes(value: Any) -> str | None:
    def item(change: Any) -> str | None:
        if not isinstance(change, dict):
            return "must be an object"
        for key in ("date", "author", "log"):
            if key not in change:
                return f"must have required property '{key}'"
        return None

    return _array_of(item)(value)


LIBRARY_JSON_REQUIRED = (
    "title",
    "majorVersion",
    "minorVersion",
    "patchVersion",
    "machineName",
    "runnable",
)
LIBRARY_JSON_PROPERTIES: dict[str, Check] = {
    "title": _string(SHORT_TEXT),
    "majorVersion": _number(0, 99999),
    "minorVersion": _number(0, 99999),
    "patchVersion": _number(0, 99999),
    "machineName": _string(MACHINE_NAME),
    "runnable": _number(0, 1),
    "author": _string(SHORT_TEXT),
    "license": _string(LIBRARY_LICENSE),
    "description": _string(re.compile(r"^.+$", re.DOTALL)),
    "metadataSettings": _object,
    "dynamicDependencies": _array_of(_library_name),
    "preloadedDependencies": _array_of(_library_name),
    "editorDependencies": _array_of(_library_name),
    "preloadedJs": _file_list(PRELOADED_JS),
    "preloadedCss": _file_list(PRELOADED_CSS),
    "dropLibraryCss": _array_of(
        lambda v: (
            _string(MACHINE_NAME)(v.get("machineName"))
            if isinstance(v, dict)
            else "must be an object"
        )
    ),
    "w": _number(0, 9999),
    "h": _number(0, 9999),
    "embedTypes": _embed_types,
    "fullscreen": _number(0, 1),
    "coreApi": _core_api,
}

H5P_JSON_REQUIRED = ("title", "language", "preloadedDependencies", "mainLibrary", "embedTypes")
H5P_JSON_PROPERTIES: dict[str, Check] = {
    "title": _string(SHORT_TEXT),
    "language": _string(LANGUAGE),
    "preloadedDependencies": _array_of(_library_name),
    "mainLibrary": _string(MAIN_LIBRARY),
    "embedTypes": _embed_types,
    "contentType": _string(SHORT_TEXT),
    "dynamicDependencies": _array_of(_library_name),
    "author": _string(SHORT_TEXT),
    "authors": _authors,
    "source": _string(SOURCE),
    "license": _string(CONTENT_LICENSE),
    "licenseVersion": _string(LICENSE_VERSION),
    "licenseExtras": _string(LONG_TEXT),
    "yearsFrom": _string(YEAR),
    "yearsTo": _string(YEAR),
    "changes": _changes,
    "authorComments": _string(LONG_TEXT),
    "w": _string(SIZE),
    "h": _string(SIZE),
}


def _conform(document: Any, required: tuple[str, ...], properties: dict[str, Check]) -> str | None:
    if not isinstance(document, dict):
        return "must be an object"
    for key in required:
        if key not in document:
            return f"must have required property '{key}'"
    for key, check in properties.items():
        if key in document:
            reason = check(document[key])
            if reason:
                return f"{key} {reason}"
    return None


def library_json_problem(document: Any) -> str | None:
    return _conform(document, LIBRARY_JSON_REQUIRED, LIBRARY_JSON_PROPERTIES)


def h5p_json_problem(document: Any) -> str | None:
    return _conform(document, H5P_JSON_REQUIRED, H5P_JSON_PROPERTIES)


def library_name_problem(document: Any) -> str | None:
    return _library_name(document)
