"""JSON from users, parsed with a bound on nesting (issue 12 item 12).

Python's ``json`` raises ``RecursionError`` (an unhandled 500) on deeply nested input, and
code that walks a parsed document recursively (H5P params, semantics) fails the same way
far below that. Every parse of user JSON goes through :func:`loads`, and the request
guard refuses deeper request bodies before any handler parses them.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Deeper than any H5P content, statement or document seen in practice (H5P course
# presentations nest about 30 levels), and shallow enough that recursive walkers stay far
# from Python's recursion limit of 1000 frames.
MAX_JSON_DEPTH = 128


class JsonTooDeep(ValueError):
    """A ``ValueError``, like ``json.JSONDecodeError``: callers that already answer invalid
    JSON with a 400 answer this one the same way."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels")


def nesting_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests deeper than ``limit`` (iterative: never recurses)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads(data: str | bytes, limit: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that raises :class:`JsonTooDeep` instead of ``RecursionError`` and
    for documents nested deeper than ``limit``."""
    try:
        value = json.loads(data)
    except RecursionError as exc:
        raise JsonTooDeep(limit) from exc
    if nesting_depth_exceeds(value, limit):
        raise JsonTooDeep(limit)
    return value


def body_nests_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a request body is JSON nested deeper than ``limit``. A body with no more
    brackets than the limit cannot be (the common case, answered without parsing);
    otherwise it is parsed with orjson, whose own bound (1024) turns the 100k-deep case
    into a decode error. A body that is not JSON is left to the handler to refuse."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return "depth" in str(exc) or "recursion" in str(exc).lower()
    return nesting_depth_exceeds(value, limit)
