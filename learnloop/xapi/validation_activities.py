"""Activities and Activity Definitions, interaction activities included (xAPI-Data 2.4.4.1)."""

from __future__ import annotations

from typing import Any

from learnloop.xapi.validation_primitives import (
    check_extensions,
    check_iri,
    check_keys,
    check_language_map,
    fail,
    remembers_valid,
    require_list,
    require_object,
    require_string,
)

INTERACTION_TYPES = (
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
)
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
# xAPI-Data 2.4.4.1 "Interaction Components": the component lists each type supports.
COMPONENTS_FOR_TYPE: dict[str, tuple[str, ...]] = {
    "choice": ("choices",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "matching": ("source", "target"),
    "performance": ("steps",),
}
DEFINITION_KEYS = (
    "name",
    "description",
    "type",
    "moreInfo",
    "extensions",
    "interactionType",
    "correctResponsesPattern",
    *COMPONENT_LISTS,
)


@remembers_valid
def check_activity(value: Any, path: str) -> None:
    activity = require_object(value, path)
    object_type = activity.get("objectType")
    if object_type is not None and object_type != "Activity":
        raise fail(path, f"objectType must be 'Activity', not {object_type!r}")
    check_keys(activity, path, ("objectType", "id", "definition"), ("id",))
    check_iri(activity["id"], f"{path}.id")
    if "definition" in activity:
        check_definition(activity["definition"], f"{path}.definition")


def check_definition(value: Any, path: str) -> None:
    definition = require_object(value, path)
    check_keys(definition, path, DEFINITION_KEYS)
    for key in ("name", "description"):
        if key in definition:
            check_language_map(definition[key], f"{path}.{key}")
    if "type" in definition:
        check_iri(definition["type"], f"{path}.type")
    if "moreInfo" in definition:
        check_iri(definition["moreInfo"], f"{path}.moreInfo")
    if "extensions" in definition:
        check_extensions(definition["extensions"], f"{path}.extensions")
    _check_interaction(definition, path)


def _check_interaction(definition: dict[str, Any], path: str) -> None:
    interaction_type = definition.get("interactionType")
    lists_present = [name for name in COMPONENT_LISTS if name in definition]
    if interaction_type is None:
        if "correctResponsesPattern" in definition or lists_present:
            raise fail(
                path,
                "correctResponsesPattern and component lists need an interactionType "
                "(xAPI-Data 2.4.4.1 Interaction Activities)",
            )
        return
    require_string(interaction_type, f"{path}.interactionType")
    if interaction_type not in INTERACTION_TYPES:
        raise fail(
            f"{path}.interactionType",
            f"{interaction_type!r} is not one of {', '.join(INTERACTION_TYPES)}",
        )
    if "correctResponsesPattern" in definition:
        patterns = require_list(
            definition["correctResponsesPattern"], f"{path}.correctResponsesPattern"
        )
        for index, pattern in enumerate(patterns):
            require_string(pattern, f"{path}.correctResponsesPattern[{index}]")
    allowed = COMPONENTS_FOR_TYPE.get(interaction_type, ())
    for name in lists_present:
        if name not in allowed:
            raise fail(
                f"{path}.{name}",
                f"is not a component list of a {interaction_type!r} interaction "
                "(xAPI-Data 2.4.4.1 Interaction Components)",
            )
        _check_components(definition[name], f"{path}.{name}")


def _check_components(value: Any, path: str) -> None:
    components = require_list(value, path)
    seen: set[str] = set()
    for index, component in enumerate(components):
        component_path = f"{path}[{index}]"
        item = require_object(component, component_path)
        check_keys(item, component_path, ("id", "description"), ("id",))
        component_id = require_string(item["id"], f"{component_path}.id", allow_empty=False)
        if component_id in seen:
            raise fail(
                f"{component_path}.id",
                f"{component_id!r} appears twice; component ids must be distinct",
            )
        seen.add(component_id)
        if "description" in item:
            check_language_map(item["description"], f"{component_path}.description")
