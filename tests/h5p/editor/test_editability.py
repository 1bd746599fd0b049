"""The editability rule on the real semantics of every hub fixture, and on snippets of the
three types that need their own visual editor."""

from __future__ import annotations

import json
import zipfile

import pytest

from learnloop.h5p.editor.editability import NOT_EDITABLE_REASON, editability
from tests.h5p.editor.test_round_trip import HUB_PACKAGES


def _main_semantics(path):
    with zipfile.ZipFile(path) as archive:
        h5p = json.loads(archive.read("h5p.json"))
        main = next(
            dependency
            for dependency in h5p["preloadedDependencies"]
            if dependency["machineName"] == h5p["mainLibrary"]
        )
        folder = f"{main['machineName']}-{main['majorVersion']}.{main['minorVersion']}"
        return json.loads(archive.read(f"{folder}/semantics.json"))


@pytest.mark.parametrize("package", HUB_PACKAGES)
def test_every_hub_main_type_is_editable(hub_dir, package):
    verdict = editability(_main_semantics(hub_dir / package))
    assert verdict.editable, (package, verdict)
    assert verdict.reason is None


# CoursePresentation, InteractiveVideo and BranchingScenario are not among the offline
# fixtures (their packages are not available here); these snippets keep the shape of their
# semantics where the visual editor's widget sits.
COURSE_PRESENTATION = [
    {
        "name": "presentation",
        "type": "group",
        "widget": "coursepresentation",
        "fields": [
            {
                "name": "slides",
                "type": "list",
                "field": {
                    "name": "slide",
                    "type": "group",
                    "fields": [
                        {"name": "elements", "type": "list", "field": {"name": "e", "type": "text"}}
                    ],
                },
            },
        ],
    },
    {"name": "override", "type": "group", "fields": [{"name": "x", "type": "boolean"}]},
]
INTERACTIVE_VIDEO = [
    {
        "name": "interactiveVideo",
        "type": "group",
        "widget": "wizard",
        "fields": [
            {"name": "video", "type": "group", "fields": [{"name": "files", "type": "video"}]},
            {
                "name": "assets",
                "type": "group",
                "widget": "interactiveVideo",
                "fields": [
                    {"name": "interactions", "type": "list", "field": {"name": "i", "type": "text"}}
                ],
            },
        ],
    }
]
BRANCHING_SCENARIO = [
    {
        "name": "branchingScenario",
        "type": "group",
        "widget": "branchingScenario",
        "fields": [{"name": "content", "type": "list", "field": {"name": "c", "type": "text"}}],
    }
]


@pytest.mark.parametrize(
    ("semantics", "field", "widget"),
    [
        (COURSE_PRESENTATION, "presentation", "coursepresentation"),
        (INTERACTIVE_VIDEO, "interactiveVideo.assets", "interactiveVideo"),
        (BRANCHING_SCENARIO, "branchingScenario", "branchingScenario"),
    ],
)
def test_types_that_need_a_visual_editor_are_not_editable(semantics, field, widget):
    verdict = editability(semantics)
    assert not verdict.editable
    assert verdict.reason == NOT_EDITABLE_REASON
    assert (verdict.field, verdict.widget) == (field, widget)


def test_an_unknown_widget_on_a_scalar_field_falls_back_to_the_plain_input():
    semantics = [{"name": "start", "type": "text", "widget": "someFancyTimePicker"}]
    assert editability(semantics).editable


def test_an_unknown_widget_deep_in_a_list_of_groups_is_found():
    semantics = [
        {
            "name": "items",
            "type": "list",
            "field": {
                "name": "item",
                "type": "group",
                "fields": [{"name": "map", "type": "group", "widget": "mapEditor", "fields": []}],
            },
        }
    ]
    verdict = editability(semantics)
    assert (verdict.editable, verdict.field) == (False, "items[].item.map")


def test_sub_content_libraries_are_judged_on_their_own():
    semantics = [{"name": "q", "type": "library", "options": ["H5P.CoursePresentation 1.25"]}]
    assert editability(semantics).editable


def test_an_unknown_field_type_is_not_editable():
    assert not editability([{"name": "x", "type": "hologram"}]).editable
