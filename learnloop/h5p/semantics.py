"""Content parameters filtered against a library's ``semantics.json``.

This is H5P core's ``H5PContentValidator`` (h5p.classes.php): fields the semantics do
not describe are dropped, numbers are clamped and rounded, booleans and selects are
checked, rich text (fields with ``tags``) is reduced to the allowed tags and plain text is
HTML-escaped, files must be relative paths or http(s) URLs, and sub-content must name a
library its field allows. In ``strict`` mode (the content API) the first value that does
not fit raises :class:`InvalidParameters` naming the field; otherwise (package import,
like core's ``filterParameters``) such values are dropped.

Single-field groups hold their field's value directly, as the H5P editor writes them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from learnloop.h5p.errors import InvalidParameters
from learnloop.h5p.html_filter import (
    allowed_tags,
    escape_plain_text,
    filter_html,
    style_patterns,
)

SemanticsLookup = Callable[[str], list[Any] | None]

SUB_CONTENT_ID = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)
URL = re.compile(r"^https?://", re.IGNORECASE)
FILE_KEYS = frozenset(
    {"path", "mime", "copyright", "width", "height", "codecs", "quality", "originalImage"}
)
LIBRARY_KEYS = frozenset({"library", "params", "subContentId", "metadata"})
ALLOWED_MIME = {
    "image": ("image/",),
    "video": ("video/",),
    "audio": ("audio/", "video/"),
}


class _Drop(Exception):
    """A value that does not fit: removed in lenient mode, reported in strict mode."""


@dataclass
class FilterResult:
    params: dict[str, Any]
    # "H5P.Text 1.0" etc.: libraries named by sub-content, for the dependency list.
    used_libraries: set[str] = field(default_factory=set)
    # Files the params refer to (relative to the content folder).
    used_files: set[str] = field(default_factory=set)
    # Of those, the ones the params marked "#tmp": editor uploads still in the user's
    # temporary area, moved into the content on save (H5P core's behaviour).
    temp_files: set[str] = field(default_factory=set)
    dropped: list[str] = field(default_factory=list)


class _Validator:
    def __init__(self, lookup: SemanticsLookup, strict: bool) -> None:
        self.lookup = lookup
        self.strict = strict
        self.result = FilterResult(params={})
        self.depth = 0

    def fail(self, path: str, reason: str) -> _Drop:
        if self.strict:
            raise InvalidParameters(
                f"Invalid content parameters at {path or 'params'}: {reason}",
                details={"field": path or "params", "reason": reason},
            )
        self.result.dropped.append(f"{path}: {reason}")
        return _Drop()

    # --- entry points ----------------------------------------------------------------

    def fields(self, value: Any, fields: list[Any], path: str) -> dict[str, Any]:
        """A flat list of fields (semantics.json's top level, or a group's fields)."""
        if not isinstance(value, dict):
            raise self.fail(path, "must be an object")
        by_name = {
            f["name"]: f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)
        }
        output: dict[str, Any] = {}
        for key, item in value.items():
            semantic = by_name.get(key)
            if semantic is None:
                # Unknown fields are dropped silently, as core does.
                continue
            child_path = f"{path}.{key}" if path else key
            if item is None and semantic.get("optional"):
                continue  # an optional field left empty in the editor
            try:
                output[key] = self.value(item, semantic, child_path)
            except _Drop:
                continue
        return output

    def value(self, value: Any, semantic: dict[str, Any], path: str) -> Any:
        kind = semantic.get("type")
        handler = {
            "text": self.text,
            "number": self.number,
            "boolean": self.boolean,
            "select": self.select,
            "list": self.list_,
            "group": self.group,
            "library": self.library,
            "image": self.image,
            "file": self.file,
            "video": self.media_list,
            "audio": self.media_list,
        }.get(str(kind))
        if handler is None:
            raise self.fail(path, f"unknown field type {kind!r}")
        return handler(value, semantic, path)

    # --- field types -------------------------------------------------------------------

    def text(self, value: Any, semantic: dict[str, Any], path: str) -> str:
        if not isinstance(value, str):
            raise self.fail(path, "must be a string")
        if "tags" in semantic and isinstance(semantic["tags"], list):
            font = semantic.get("font") if isinstance(semantic.get("font"), dict) else None
            text = filter_html(
                value,
                allowed_tags([str(tag) for tag in semantic["tags"]]),
                style_patterns(font),
            )
        else:
            text = escape_plain_text(value)
        max_length = semantic.get("maxLength")
        if isinstance(max_length, int) and len(text) > max_length:
            text = text[:max_length]
        regexp = semantic.get("regexp")
        if isinstance(regexp, dict) and isinstance(regexp.get("pattern"), str):
            flags = re.IGNORECASE if "i" in str(regexp.get("modifiers", "")) else 0
            try:
                pattern = re.compile(regexp["pattern"], flags)
            except re.error:
                pattern = None
            if pattern is not None and not pattern.search(text):
                raise self.fail(path, f"does not match the pattern {regexp['pattern']}")
        return text

    def number(self, value: Any, semantic: dict[str, Any], path: str) -> int | float:
        if isinstance(value, bool):
            raise self.fail(path, "must be a number")
        if isinstance(value, str):
            try:
                value = float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                raise self.fail(path, "must be a number") from None
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(path, "must be a number")
        number: int | float = value
        minimum, maximum = semantic.get("min"), semantic.get("max")
        if isinstance(minimum, int | float) and number < minimum:
            number = minimum
        if isinstance(maximum, int | float) and number > maximum:
            number = maximum
        decimals = semantic.get("decimals")
        if isinstance(decimals, int) and isinstance(number, float):
            number = round(number, decimals)
        return number

    def boolean(self, value: Any, _semantic: dict[str, Any], path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, "must be true or false")
        return value

    def select(self, value: Any, semantic: dict[str, Any], path: str) -> Any:
        options = _select_options(semantic)
        if semantic.get("optional") and value == "" and not semantic.get("multiple"):
            # The editor's "nothing selected" of an optional select: core's validateSelect
            # keeps it (InteractiveVideo's and CoursePresentation's goto.type is often "").
            return value
        if not options:
            # Options filled in by the editor at run time (widget "dynamicCheckboxes"):
            # core cannot check membership and keeps the values as plain text.
            return self._free_select(value, semantic, path)
        if semantic.get("multiple"):
            if not isinstance(value, list):
                raise self.fail(path, "must be a list of options")
            kept = [item for item in value if _is_scalar(item) and item in options]
            if len(kept) != len(value):
                raise self.fail(path, "has a value that is not one of the options")
            return kept
        if not _is_scalar(value) or value not in options:
            raise self.fail(path, f"{value!r} is not one of the options")
        return value

    def _free_select(self, value: Any, semantic: dict[str, Any], path: str) -> Any:
        def one(item: Any) -> Any:
            if isinstance(item, str):
                return escape_plain_text(item)
            if isinstance(item, int | float) and not isinstance(item, bool):
                return item
            raise self.fail(path, "must be a string or a number")

        if semantic.get("multiple"):
            if not isinstance(value, list):
                raise self.fail(path, "must be a list of options")
            return [one(item) for item in value]
        return one(value)

    def list_(self, value: Any, semantic: dict[str, Any], path: str) -> list[Any]:
        if isinstance(value, dict):
            # PHP-written content sometimes stores a list as an object keyed "0", "1", …
            value = list(value.values())
        if not isinstance(value, list):
            raise self.fail(path, "must be a list")
        item_semantic = semantic.get("field")
        if not isinstance(item_semantic, dict):
            raise self.fail(path, "has no item semantics")
        output = []
        for index, item in enumerate(value):
            try:
                output.append(self.value(item, item_semantic, f"{path}[{index}]"))
            except _Drop:
                continue
        maximum = semantic.get("max")
        if isinstance(maximum, int) and len(output) > maximum:
            if self.strict:
                raise self.fail(path, f"has more than {maximum} items")
            output = output[:maximum]
        return output

    def group(self, value: Any, semantic: dict[str, Any], path: str) -> Any:
        fields = [f for f in semantic.get("fields", []) if isinstance(f, dict)]
        if len(fields) == 1:
            # The editor stores a one-field group as its field's value.
            return self.value(value, fields[0], path)
        output = self.fields(value, fields, path)
        sub_content_id = value.get("subContentId")
        if (
            semantic.get("isSubContent") is True
            and isinstance(sub_content_id, str)
            and SUB_CONTENT_ID.match(sub_content_id)
        ):
            # Groups marked isSubContent keep their id (xAPI statements refer to it).
            output["subContentId"] = sub_content_id
        return output

    def library(self, value: Any, semantic: dict[str, Any], path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be an object")
        name = value.get("library")
        if not isinstance(name, str):
            raise self.fail(path, "must name its library")
        options = [option for option in semantic.get("options", []) if isinstance(option, str)]
        if name not in options:
            raise self.fail(path, f"library {name} is not allowed here")
        sub_semantics = self.lookup(name)
        if sub_semantics is None:
            raise self.fail(path, f"library {name} is not installed")
        output: dict[str, Any] = {"library": name}
        self.depth += 1
        try:
            output["params"] = self.fields(value.get("params", {}), sub_semantics, f"{path}.params")
        finally:
            self.depth -= 1
        self.result.used_libraries.add(name)
        sub_content_id = value.get("subContentId")
        if isinstance(sub_content_id, str) and SUB_CONTENT_ID.match(sub_content_id):
            output["subContentId"] = sub_content_id
        if isinstance(value.get("metadata"), dict):
            output["metadata"] = _escape_strings(value["metadata"])
        return output

    def _file_path(self, value: dict[str, Any], path: str) -> str:
        raw = value.get("path")
        if not isinstance(raw, str) or not raw:
            raise self.fail(path, "must have a path")
        file_path = raw.removesuffix("#tmp")
        is_temp = file_path != raw
        if URL.match(file_path):
            return escape_plain_text(file_path)
        segments = file_path.split("/")
        if (
            file_path.startswith("/")
            or "\\" in file_path
            or ":" in segments[0]
            or any(segment in ("", ".", "..") for segment in segments)
        ):
            raise self.fail(path, "path must be a file inside the content or an http(s) URL")
        self.result.used_files.add(file_path)
        if is_temp:
            self.result.temp_files.add(file_path)
        return file_path

    def file(self, value: Any, semantic: dict[str, Any], path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be a file object")
        output: dict[str, Any] = {}
        for key, item in value.items():
            if key not in FILE_KEYS:
                continue
            if key == "path":
                output["path"] = self._file_path(value, path)
            elif key == "mime":
                prefixes = ALLOWED_MIME.get(str(semantic.get("type")), ())
                if isinstance(item, str) and (not prefixes or item.startswith(prefixes)):
                    output["mime"] = escape_plain_text(item)
            elif key in ("width", "height"):
                if isinstance(item, int | float) and not isinstance(item, bool):
                    output[key] = item
            elif key == "originalImage":
                if isinstance(item, dict):
                    output[key] = self.file(item, semantic, f"{path}.originalImage")
            else:
                output[key] = _escape_strings(item)
        if "path" not in output:
            raise self.fail(path, "must have a path")
        return output

    def image(self, value: Any, semantic: dict[str, Any], path: str) -> dict[str, Any]:
        return self.file(value, semantic, path)

    def media_list(self, value: Any, semantic: dict[str, Any], path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, "must be a list of files")
        output = []
        for index, item in enumerate(value):
            try:
                output.append(self.file(item, semantic, f"{path}[{index}]"))
            except _Drop:
                continue
        return output


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _select_options(semantic: dict[str, Any]) -> set[Any]:
    """The values a select offers; options of an ``optgroup`` count as its own (core's
    validateSelect flattens them)."""
    values: set[Any] = set()
    for option in semantic.get("options", []):
        if not isinstance(option, dict):
            continue
        if option.get("type") == "optgroup" and isinstance(option.get("options"), list):
            values.update(sub.get("value") for sub in option["options"] if isinstance(sub, dict))
        elif "value" in option:
            values.add(option.get("value"))
    return values


def _escape_strings(value: Any) -> Any:
    """Copyright and metadata blocks: free-form, but never markup."""
    if isinstance(value, str):
        return escape_plain_text(value)
    if isinstance(value, list):
        return [_escape_strings(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _escape_strings(item) for key, item in value.items()}
    return value


def filter_params(
    params: Any, semantics: list[Any], lookup: SemanticsLookup, *, strict: bool
) -> FilterResult:
    """Filter ``params`` (content.json) against the main library's ``semantics``."""
    validator = _Validator(lookup, strict)
    try:
        filtered = validator.fields(params, semantics, "")
    except _Drop:
        filtered = {}
    validator.result.params = filtered
    return validator.result
