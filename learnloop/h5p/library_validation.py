"""Checking the library folders of a package (part of :mod:`package_validation`).

Each top-level folder but ``content/`` must be ``machineName-major.minor``, hold a
``library.json`` that conforms to the schema and names that same library, need no newer
H5P core API than ours, ship the JS/CSS it preloads, and carry language files with valid
names and JSON. Every dependency must be in the package or already installed.
Error ids are Lumi's ``PackageValidator`` ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from learnloop import safe_json
from learnloop.h5p import library_schema
from learnloop.h5p.errors import PackageProblem
from learnloop.h5p.zip_safety import SafeZip

LIBRARY_FOLDER = re.compile(r"^[\w0-9\-.]{1,255}$")
LIBRARY_FOLDER_PARTS = re.compile(r"^(?P<name>[\w0-9\-.]+)-(?P<major>\d{1,5})\.(?P<minor>\d{1,5})$")
LANGUAGE_FILE = re.compile(r"^(-?[a-z]+){1,7}\.json$", re.IGNORECASE)

LibraryKey = tuple[str, int, int]
DEPENDENCY_FIELDS = ("preloadedDependencies", "dynamicDependencies", "editorDependencies")


def library_key(reference: Mapping[str, Any]) -> LibraryKey:
    return (
        str(reference["machineName"]),
        int(reference["majorVersion"]),
        int(reference["minorVersion"]),
    )


def folder_for(key: LibraryKey) -> str:
    return f"{key[0]}-{key[1]}.{key[2]}"


@dataclass
class PackageLibrary:
    folder: str
    key: LibraryKey
    patch: int
    library_json: dict[str, Any]
    semantics: list[Any] | None
    # Paths inside the library folder, e.g. "js/multichoice.js".
    files: list[str]
    # True when the same or a newer patch is installed: the package's copy is ignored.
    already_installed: bool = False


@dataclass(frozen=True)
class ValidationRules:
    core_api: tuple[int, int]
    max_content_filename_length: int


def parse_json(archive: SafeZip, name: str) -> Any:
    # Bounded nesting: a 100k-deep content.json is a refused package, not a 500.
    return safe_json.loads(archive.read(name).decode("utf-8-sig"))


def read_libraries(
    archive: SafeZip,
    names: list[str],
    rules: ValidationRules,
    installed_patches: Mapping[LibraryKey, int],
    problems: list[PackageProblem],
) -> dict[LibraryKey, PackageLibrary]:
    files_by_folder: dict[str, list[str]] = {}
    for name in names:
        folder, slash, rest = name.partition("/")
        if slash and folder != "content":
            files_by_folder.setdefault(folder, []).append(rest)

    libraries: dict[LibraryKey, PackageLibrary] = {}
    for folder, files in sorted(files_by_folder.items()):
        library = _read_library(archive, folder, files, rules, installed_patches, problems)
        if library is not None:
            libraries[library.key] = library
    return libraries


def _read_library(
    archive: SafeZip,
    folder: str,
    files: list[str],
    rules: ValidationRules,
    installed_patches: Mapping[LibraryKey, int],
    problems: list[PackageProblem],
) -> PackageLibrary | None:
    details = {"library": folder}
    if not LIBRARY_FOLDER.match(folder) or not LIBRARY_FOLDER_PARTS.match(folder):
        problems.append(
            PackageProblem(
                "invalid-library-name",
                f"{folder} is not a valid library folder name (machineName-major.minor)",
                details,
            )
        )
        return None
    if "library.json" not in files:
        problems.append(
            PackageProblem("missing-library-json", f"Library {folder} has no library.json", details)
        )
        return None
    try:
        library_json = parse_json(archive, f"{folder}/library.json")
    except (UnicodeDecodeError, ValueError) as exc:
        problems.append(
            PackageProblem(
                "invalid-library-json-file",
                f"library.json of {folder} is not valid JSON: {exc}",
                details,
            )
        )
        return None
    reason = library_schema.library_json_problem(library_json)
    if reason:
        problems.append(
            PackageProblem(
                "invalid-schema-library-json-file",
                f"library.json of {folder} does not conform to the schema: {reason}",
                {"name": folder, "reason": reason},
            )
        )
        return None
    key = library_key(library_json)
    patch = int(library_json["patchVersion"])
    if folder_for(key) != folder:
        problems.append(
            PackageProblem(
                "library-directory-name-mismatch",
                f"The folder {folder} does not match the library it holds "
                f"({library_json['machineName']} {key[1]}.{key[2]})",
                details,
            )
        )
        return None
    installed = installed_patches.get(key)
    if installed is not None and installed >= patch:
        # Lumi's skipInstalledLibraries: the installed copy wins, so this one is not read.
        return PackageLibrary(folder, key, patch, library_json, None, files, True)

    before = len(problems)
    core_api = library_json.get("coreApi")
    if (
        isinstance(core_api, dict)
        and (
            int(core_api["majorVersion"]),
            int(core_api["minorVersion"]),
        )
        > rules.core_api
    ):
        problems.append(
            PackageProblem(
                "api-version-unsupported",
                f"{folder} needs H5P core API {core_api['majorVersion']}."
                f"{core_api['minorVersion']}; this server provides "
                f"{rules.core_api[0]}.{rules.core_api[1]}",
                details,
            )
        )
    file_set = set(files)
    for field_name in ("preloadedJs", "preloadedCss"):
        for entry in library_json.get(field_name, []):
            path = str(entry["path"]).replace("\\", "/").lstrip("/")
            if path not in file_set:
                problems.append(
                    PackageProblem(
                        "library-file-missing",
                        f"{folder} lists {path} in {field_name} but the file is missing",
                        {"file": path, "library": folder},
                    )
                )
    for path in files:
        directory, _, base = path.rpartition("/")
        if directory != "language":
            continue
        if not LANGUAGE_FILE.match(base):
            problems.append(
                PackageProblem(
                    "invalid-language-file",
                    f"The language file name {base} in {folder} is invalid",
                    {"file": base, "library": folder},
                )
            )
            continue
        try:
            parse_json(archive, f"{folder}/{path}")
        except (UnicodeDecodeError, ValueError):
            problems.append(
                PackageProblem(
                    "invalid-language-file-json",
                    f"The language file {base} in {folder} is not valid JSON",
                    {"file": base, "library": folder},
                )
            )
    semantics: list[Any] | None = None
    if "semantics.json" in file_set:
        try:
            parsed = parse_json(archive, f"{folder}/semantics.json")
        except (UnicodeDecodeError, ValueError):
            parsed = None
        if not isinstance(parsed, list):
            problems.append(
                PackageProblem(
                    "invalid-semantics-json-file",
                    f"semantics.json of {folder} is not a JSON array",
                    details,
                )
            )
        else:
            semantics = parsed
    if len(problems) > before:
        return None
    return PackageLibrary(folder, key, patch, library_json, semantics, files)


def check_dependencies(
    h5p_json: dict[str, Any],
    libraries: dict[LibraryKey, PackageLibrary],
    installed_patches: Mapping[LibraryKey, int],
    problems: list[PackageProblem],
) -> None:
    available = set(libraries) | set(installed_patches)
    wanted: list[tuple[str, LibraryKey]] = [
        ("h5p.json", library_key(reference)) for reference in h5p_json["preloadedDependencies"]
    ]
    for library in libraries.values():
        if library.already_installed:
            continue
        for field_name in DEPENDENCY_FIELDS:
            for reference in library.library_json.get(field_name, []):
                wanted.append((library.folder, library_key(reference)))
    reported: set[LibraryKey] = set()
    for needed_by, key in wanted:
        if key not in available and key not in reported:
            reported.add(key)
            problems.append(
                PackageProblem(
                    "missing-required-library",
                    f"{needed_by} requires {folder_for(key)}, which is neither in the "
                    "package nor installed",
                    {"library": folder_for(key)},
                )
            )
