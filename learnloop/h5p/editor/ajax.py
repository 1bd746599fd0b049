"""The editor's ``/h5p/ajax`` actions that read libraries: ``libraries`` (GET: the content
type picker; POST: the options of a ``library`` field), ``library`` (semantics in the
editor's language), ``translations`` and ``filter``.

Shapes follow h5p-editor-php-library (h5peditor-ajax.class.php, h5peditor.class.php) in
the reference's envelope; the routes' module docstring states the contract with the browser
side. Services here only read and flush; the request commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop import safe_json
from learnloop.errors import BadRequest
from learnloop.h5p import content as content_service
from learnloop.h5p.editor.editability import editability
from learnloop.h5p.editor.schemas import (
    FilteredOut,
    FilterIn,
    LibraryDetailOut,
    LibraryListItemOut,
    LibraryParametersIn,
    RequestedLibraryOut,
)
from learnloop.h5p.editor.translations import (
    DEFAULT_LANGUAGE,
    available_languages,
    load_language,
    translated_semantics,
)
from learnloop.h5p.errors import LibraryNotFound
from learnloop.h5p.libraries import get_library, library_prefix, parse_ubername
from learnloop.h5p.models import H5PLibrary
from learnloop.h5p.schemas import MetadataIn
from learnloop.storage import FileStorage

LIBRARY_FILES_PATH = "/h5p/libraries"


def icon_url(storage: FileStorage, library: H5PLibrary) -> str | None:
    """The library's ``icon.svg`` through the public library files route, if it has one."""
    if storage.exists(f"{library_prefix(library)}/icon.svg"):
        return f"{LIBRARY_FILES_PATH}/{library.folder_name}/icon.svg"
    return None


def runnable_libraries(session: Session, storage: FileStorage) -> list[LibraryListItemOut]:
    """Installed content types (runnable), the newest version of each machine name."""
    rows = session.scalars(
        select(H5PLibrary)
        .where(H5PLibrary.runnable.is_(True))
        .order_by(
            H5PLibrary.machine_name,
            H5PLibrary.major_version.desc(),
            H5PLibrary.minor_version.desc(),
            H5PLibrary.patch_version.desc(),
        )
    )
    newest: dict[str, H5PLibrary] = {}
    for library in rows:
        newest.setdefault(library.machine_name, library)
    items = []
    for library in newest.values():
        verdict = editability(library.semantics)
        items.append(
            LibraryListItemOut(
                machineName=library.machine_name,
                majorVersion=library.major_version,
                minorVersion=library.minor_version,
                patchVersion=library.patch_version,
                uberName=library.ubername,
                title=library.title,
                icon=icon_url(storage, library),
                editable=verdict.editable,
                notEditableReason=verdict.reason,
            )
        )
    return sorted(items, key=lambda item: (item.title.lower(), item.machineName))


def requested_libraries(session: Session, names: list[str]) -> list[RequestedLibraryOut]:
    """One entry per requested ``"Name major.minor"``, in order. As in H5P core (the
    editor storage's ``getLibraries``) a name resolves to exactly that major and minor
    version: sub-content names the version its params were written for."""
    result = []
    for uber_name in names:
        key = parse_ubername(uber_name)
        library = get_library(session, key)
        verdict = editability(library.semantics if library else None)
        result.append(
            RequestedLibraryOut(
                uberName=uber_name,
                name=key[0],
                majorVersion=key[1],
                minorVersion=key[2],
                title=library.title if library else None,
                installed=library is not None,
                runnable=bool(library and library.runnable),
                editable=library is not None and verdict.editable,
                notEditableReason=verdict.reason if library else "Not installed",
            )
        )
    return result


def installed_library(session: Session, machine_name: str, major: int, minor: int) -> H5PLibrary:
    library = get_library(session, (machine_name, major, minor))
    if library is None:
        raise LibraryNotFound(f"Library {machine_name} {major}.{minor} is not installed")
    return library


def library_detail(
    session: Session,
    storage: FileStorage,
    machine_name: str,
    major: int,
    minor: int,
    language: str,
) -> LibraryDetailOut:
    library = installed_library(session, machine_name, major, minor)
    language_file = load_language(storage, library, language)
    verdict = editability(library.semantics)
    return LibraryDetailOut(
        uberName=library.ubername,
        name=library.machine_name,
        majorVersion=library.major_version,
        minorVersion=library.minor_version,
        title=library.title,
        semantics=translated_semantics(
            library.semantics or [], language_file.document if language_file else None
        ),
        language=language_file.code if language_file else DEFAULT_LANGUAGE,
        languages=available_languages(storage, library),
        editable=verdict.editable,
        notEditableReason=verdict.reason,
    )


def library_translations(
    session: Session, storage: FileStorage, language: str, names: list[str]
) -> dict[str, dict[str, Any] | None]:
    """``{"H5P.MultiChoice 1.16": <language/<lang>.json> or None}`` (None: the library is
    not installed or has no file for the language)."""
    result: dict[str, dict[str, Any] | None] = {}
    for uber_name in names:
        library = get_library(session, parse_ubername(uber_name))
        language_file = load_language(storage, library, language) if library else None
        result[uber_name] = language_file.document if language_file else None
    return result


def filter_library_parameters(session: Session, body: FilterIn) -> FilteredOut:
    """The strict semantics filter the save runs, without saving: the filtered params,
    or 422 with ``details`` {field, reason} at the first value that does not fit."""
    parameters = body.libraryParameters
    if isinstance(parameters, str):
        try:
            parameters = LibraryParametersIn.model_validate(safe_json.loads(parameters))
        except ValueError as exc:
            raise BadRequest(f"libraryParameters is not valid: {exc}") from exc
    library = content_service.installed_runnable(session, parameters.library)
    filtered = content_service.filter_content_params(
        session, library, parameters.params, strict=True
    )
    try:
        metadata = MetadataIn.model_validate(parameters.metadata)
    except ValueError as exc:
        raise BadRequest(f"metadata is not valid: {exc}") from exc
    return FilteredOut(
        library=library.ubername,
        params=filtered.params,
        metadata=metadata.model_dump(exclude_none=True),
    )
