"""Translations for the player: H5P core's strings and libraries' language files.

``CORE_L10N`` is ``H5PIntegration.l10n.H5P``: the strings H5P core looks up with
``H5P.t`` (h5p.js), in English, as h5p-standalone's loader ships them.

``?language=xx`` on the player: libraries ship ``language/<lang>.json`` files that mirror
their ``semantics.json`` with translated labels and *defaults*. Content keeps the
defaults it was authored with (the UI texts of a content type are semantics fields such
as ``l10n.checkAnswer``), so a parameter still equal to the English default is replaced
by the default of the requested language, recursively through groups, lists and
sub-content libraries. Parameters the author changed are kept as they are.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from learnloop.h5p.errors import InvalidLibraryName
from learnloop.h5p.libraries import get_library, library_prefix, parse_ubername
from learnloop.h5p.models import H5PLibrary
from learnloop.storage import FileStorage, InvalidStorageKey, StoredFileNotFound

CORE_L10N: dict[str, str] = {
    "fullscreen": "Fullscreen",
    "disableFullscreen": "Disable fullscreen",
    "download": "Download",
    "copyrights": "Rights of use",
    "embed": "Embed",
    "size": "Size",
    "showAdvanced": "Show advanced",
    "hideAdvanced": "Hide advanced",
    "advancedHelp": (
        "Include this script on your website if you want dynamic sizing of the embedded content:"
    ),
    "copyrightInformation": "Rights of use",
    "close": "Close",
    "title": "Title",
    "author": "Author",
    "year": "Year",
    "source": "Source",
    "license": "License",
    "thumbnail": "Thumbnail",
    "noCopyrights": "No copyright information available for this content.",
    "reuse": "Reuse",
    "reuseContent": "Reuse Content",
    "reuseDescription": "Reuse this content.",
    "downloadDescription": "Download this content as a H5P file.",
    "copyrightsDescription": "View copyright information for this content.",
    "embedDescription": "View the embed code for this content.",
    "h5pDescription": "Visit H5P.org to check out more cool content.",
    "contentChanged": "This content has changed since you last used it.",
    "startingOver": "You'll be starting over.",
    "by": "by",
    "showMore": "Show more",
    "showLess": "Show less",
    "subLevel": "Sublevel",
    "confirmDialogHeader": "Confirm action",
    "confirmDialogBody": "Please confirm that you wish to proceed. This action is not reversible.",
    "cancelLabel": "Cancel",
    "confirmLabel": "Confirm",
    "licenseU": "Undisclosed",
    "licenseCCBY": "Attribution",
    "licenseCCBYSA": "Attribution-ShareAlike",
    "licenseCCBYND": "Attribution-NoDerivs",
    "licenseCCBYNC": "Attribution-NonCommercial",
    "licenseCCBYNCSA": "Attribution-NonCommercial-ShareAlike",
    "licenseCCBYNCND": "Attribution-NonCommercial-NoDerivs",
    "licenseCC40": "4.0 International",
    "licenseCC30": "3.0 Unported",
    "licenseCC25": "2.5 Generic",
    "licenseCC20": "2.0 Generic",
    "licenseCC10": "1.0 Generic",
    "licenseGPL": "General Public License",
    "licenseV3": "Version 3",
    "licenseV2": "Version 2",
    "licenseV1": "Version 1",
    "licensePD": "Public Domain",
    "licenseCC010": "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
    "licensePDM": "Public Domain Mark",
    "licenseC": "Copyright",
    "contentType": "Content Type",
    "licenseExtras": "License Extras",
    "changes": "Changelog",
    "contentCopied": "Content is copied to the clipboard",
    "connectionLost": (
        "Connection lost. Results will be stored and sent when you regain connection."
    ),
    "connectionReestablished": "Connection reestablished.",
    "resubmitScores": "Attempting to submit stored results.",
    "offlineDialogHeader": "Your connection to the server was lost",
    "offlineDialogBody": (
        "We were unable to send information about your completion of this task. "
        "Please check your internet connection."
    ),
    "offlineDialogRetryMessage": "Retrying in :num....",
    "offlineDialogRetryButtonLabel": "Retry now",
    "offlineSuccessfulSubmit": "Successfully submitted results.",
}

MAX_DEPTH = 20


def language_candidates(language: str) -> list[str]:
    """``de-CH`` → ``de-ch``, ``de`` (H5P names language files in lower case)."""
    lowered = language.lower()
    base = lowered.split("-", 1)[0]
    return [lowered] if base == lowered else [lowered, base]


def load_language_file(
    storage: FileStorage, library: H5PLibrary, language: str
) -> dict[str, Any] | None:
    for candidate in language_candidates(language):
        key = f"{library_prefix(library)}/language/{candidate}.json"
        try:
            document = json.loads(storage.get_bytes(key))
        except (StoredFileNotFound, InvalidStorageKey, ValueError):
            continue
        if isinstance(document, dict):
            return document
    return None


class _Translator:
    def __init__(self, session: Session, storage: FileStorage, language: str) -> None:
        self.session = session
        self.storage = storage
        self.language = language
        self.cache: dict[str, tuple[list[Any], list[Any]] | None] = {}

    def semantics_pair(self, library: H5PLibrary) -> tuple[list[Any], list[Any]] | None:
        if library.ubername not in self.cache:
            document = load_language_file(self.storage, library, self.language)
            translated = document.get("semantics") if document else None
            if isinstance(translated, list) and isinstance(library.semantics, list):
                self.cache[library.ubername] = (library.semantics, translated)
            else:
                self.cache[library.ubername] = None
        return self.cache[library.ubername]

    def library_params(self, library: H5PLibrary, params: Any, depth: int) -> Any:
        pair = self.semantics_pair(library)
        if pair is None:
            return self.nested_libraries(library.semantics or [], params, depth)
        return self.fields(pair[0], pair[1], params, depth)

    def nested_libraries(self, fields: list[Any], params: Any, depth: int) -> Any:
        """No translation for this library: still descend into its sub-content."""
        return self.fields(fields, [{} for _ in fields], params, depth)

    def fields(self, fields: list[Any], translated: list[Any], params: Any, depth: int) -> Any:
        if not isinstance(params, dict) or depth > MAX_DEPTH:
            return params
        result = dict(params)
        for index, field in enumerate(fields):
            if not isinstance(field, dict) or not isinstance(field.get("name"), str):
                continue
            name = field["name"]
            if name not in result:
                continue
            other = translated[index] if index < len(translated) else {}
            result[name] = self.value(
                field, other if isinstance(other, dict) else {}, result[name], depth
            )
        return result

    def value(self, field: dict[str, Any], other: dict[str, Any], value: Any, depth: int) -> Any:
        kind = field.get("type")
        if kind == "group":
            subfields = field.get("fields") or []
            translated = other.get("fields") or []
            if len(subfields) == 1 and not isinstance(value, dict):
                # A group of one field stores that field's value directly (H5P semantics).
                inner = translated[0] if translated else {}
                return self.value(
                    subfields[0], inner if isinstance(inner, dict) else {}, value, depth
                )
            return self.fields(subfields, translated, value, depth + 1)
        if kind == "list" and isinstance(value, list) and isinstance(field.get("field"), dict):
            candidate = other.get("field")
            item_other: dict[str, Any] = candidate if isinstance(candidate, dict) else {}
            return [self.value(field["field"], item_other, item, depth + 1) for item in value]
        if kind == "library" and isinstance(value, dict):
            return self.sub_content(value, depth + 1)
        default = field.get("default")
        translated_default = other.get("default")
        if isinstance(default, str) and isinstance(translated_default, str) and value == default:
            return translated_default
        return value

    def sub_content(self, value: dict[str, Any], depth: int) -> dict[str, Any]:
        ubername = value.get("library")
        if not isinstance(ubername, str) or "params" not in value:
            return value
        try:
            library = get_library(self.session, parse_ubername(ubername))
        except InvalidLibraryName:
            return value
        if library is None:
            return value
        return {**value, "params": self.library_params(library, value["params"], depth)}


def translated_params(
    session: Session, storage: FileStorage, library: H5PLibrary, params: Any, language: str
) -> Any:
    return _Translator(session, storage, language).library_params(library, params, 0)
