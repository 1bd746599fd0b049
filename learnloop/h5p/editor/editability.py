"""Which content types LearnLoop's form engine can edit, decided from their semantics.

A library is editable unless a field of its semantics (recursively through groups and
lists, not into the libraries a ``library`` field offers: those are judged on their own)
asks for a widget the editor has no implementation for and that cannot fall back to the
plain editor of the field's type without losing what the widget stands for.

Falling back is safe for scalar fields (text, number, boolean, select): whatever the widget,
the value is a string, number or boolean the plain input edits exactly. It is not safe for
a widget on a group, list, library or media field the editor does not know: there the widget
is a whole visual editor (CoursePresentation's ``coursepresentation``, InteractiveVideo's
``interactiveVideo``, BranchingScenario's ``branchingScenario``) whose layout a form cannot
express, so such types are "not editable here" and change through .h5p import and export.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

NOT_EDITABLE_REASON = "Needs its own visual editor: import and export .h5p files to change it"
UNKNOWN_TYPE_REASON = "Uses a field type the editor does not know: import and export .h5p files"

FIELD_TYPES = frozenset(
    {"text", "number", "boolean", "select", "group", "list", "library"}
    | {"image", "file", "video", "audio"}
)
SCALAR_TYPES = frozenset({"text", "number", "boolean", "select"})

# Widgets the editor implements (engine.js and the widget files), or layout variants whose
# value the plain group/list editor writes in the same shape. The hub fixtures use: html,
# textarea, none, showWhen, colorSelector, radioGroup, wizard, dynamicCheckboxes,
# dimensions, imageCoordinateSelector, dragQuestion.
SUPPORTED_WIDGETS = frozenset(
    {
        "html",
        "textarea",
        "none",
        "showWhen",
        "colorSelector",
        "radioGroup",
        "wizard",
        "verticalTabs",
        "tableList",
        "rangeList",
        "summaryTextualEditor",
        "questionSetTextualEditor",
        "dynamicCheckboxes",
        "dimensions",
        "coordinates",
        "imageCoordinateSelector",
        "dragQuestion",
        "imageHotspots",
        "imageHotspotQuestion",
        "select",
        "timecode",
        "duration",
    }
)


@dataclass(frozen=True)
class Editability:
    editable: bool
    reason: str | None = None
    # The field path and widget that decided it (for logs and tests).
    field: str | None = None
    widget: str | None = None


EDITABLE = Editability(editable=True)


def _fields(semantics: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every field with its path; lists' item fields and groups' fields included, the
    params of sub-content (``library`` fields) not."""
    if not isinstance(semantics, list):
        return
    for semantic in semantics:
        if not isinstance(semantic, dict):
            continue
        name = str(semantic.get("name", "?"))
        field_path = f"{path}.{name}" if path else name
        yield field_path, semantic
        if semantic.get("type") == "group":
            yield from _fields(semantic.get("fields"), field_path)
        elif semantic.get("type") == "list" and isinstance(semantic.get("field"), dict):
            yield from _fields([semantic["field"]], f"{field_path}[]")


def editability(semantics: list[Any] | None) -> Editability:
    """Whether the form engine can edit params of these semantics, and if not, why."""
    for path, semantic in _fields(semantics or [], ""):
        kind = semantic.get("type")
        if kind not in FIELD_TYPES:
            return Editability(False, UNKNOWN_TYPE_REASON, path, None)
        widget = semantic.get("widget")
        if not isinstance(widget, str) or widget in SUPPORTED_WIDGETS:
            continue
        if kind in SCALAR_TYPES:
            continue  # the plain input of the type edits the value exactly
        return Editability(False, NOT_EDITABLE_REASON, path, widget)
    return EDITABLE
