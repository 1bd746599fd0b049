"""A library's semantics in the editor's language: ``language/<code>.json`` merged in.

The H5P editor does this in the browser (h5peditor.js, ``loadLibrary``):
``semantics = $.extend(true, [], semantics, language.semantics)`` — jQuery's deep extend,
so the language file's entries overwrite the semantics' strings field by field and index by
index (label, description, default, placeholder, entity, important, options[].label,
nested fields). LearnLoop does the same merge on the server, so the form engine receives
translated semantics. A missing language leaves the semantics as they are (English).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from learnloop.h5p.libraries import library_prefix
from learnloop.h5p.models import H5PLibrary
from learnloop.h5p.player_l10n import language_candidates
from learnloop.storage import FileStorage, InvalidStorageKey, StoredFileNotFound

DEFAULT_LANGUAGE = "en"


def deep_extend(target: Any, source: Any) -> Any:
    """jQuery's ``$.extend(true, target, source)`` on JSON values: objects and arrays of
    ``source`` merge into ``target`` recursively (arrays by index), anything else replaces.
    ``target`` is changed and returned."""
    if isinstance(source, dict):
        keys: Any = source.items()
    elif isinstance(source, list):
        keys = enumerate(source)
    else:
        return target
    for name, value in keys:
        if isinstance(value, dict | list):
            current = _get(target, name)
            if isinstance(value, list):
                clone: Any = current if isinstance(current, list) else []
            else:
                clone = current if isinstance(current, dict) else {}
            _set(target, name, deep_extend(clone, value))
        else:
            _set(target, name, copy.deepcopy(value))
    return target


def _get(target: Any, name: Any) -> Any:
    if isinstance(target, dict):
        return target.get(name)
    if isinstance(target, list) and isinstance(name, int) and name < len(target):
        return target[name]
    return None


def _set(target: Any, name: Any, value: Any) -> None:
    if isinstance(target, dict):
        target[name] = value
    elif isinstance(target, list) and isinstance(name, int):
        while len(target) <= name:
            target.append(None)  # jQuery leaves a hole; JSON writes it as null
        target[name] = value


def translated_semantics(semantics: list[Any], language: dict[str, Any] | None) -> list[Any]:
    """A copy of ``semantics`` with the language document's ``semantics`` merged in."""
    merged: list[Any] = deep_extend([], semantics)
    if language is not None and isinstance(language.get("semantics"), list):
        deep_extend(merged, language["semantics"])
    return merged


def available_languages(storage: FileStorage, library: H5PLibrary) -> list[str]:
    """Language codes the library ships (``language/<code>.json``; ``.en.json`` is the
    translators' template, not a language), always with English, which the semantics are."""
    prefix = f"{library_prefix(library)}/language/"
    codes = {DEFAULT_LANGUAGE}
    for key in storage.list_keys(prefix):
        name = key.rsplit("/", 1)[-1]
        if name.endswith(".json") and not name.startswith("."):
            codes.add(name.removesuffix(".json"))
    return sorted(codes)


@dataclass(frozen=True)
class LanguageFile:
    code: str
    document: dict[str, Any]


def load_language(storage: FileStorage, library: H5PLibrary, language: str) -> LanguageFile | None:
    """``language/<code>.json`` for ``language`` (``de-CH`` falls back to ``de``)."""
    for candidate in language_candidates(language):
        key = f"{library_prefix(library)}/language/{candidate}.json"
        try:
            document = json.loads(storage.get_bytes(key))
        except (StoredFileNotFound, InvalidStorageKey, ValueError):
            continue
        if isinstance(document, dict):
            return LanguageFile(candidate, document)
    return None
