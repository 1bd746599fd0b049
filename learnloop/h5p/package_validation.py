"""Validating an .h5p package before anything of it is written.

The rules are H5P core's (``H5PValidator::isValidPackage`` in h5p.classes.php) with the
error ids of Lumi's ``PackageValidator``: the extension allow-lists for content and for
library files, ``h5p.json`` and every ``library.json`` against their schemas,
``content/content.json`` parses, library folders are named ``machineName-major.minor``,
preloaded JS/CSS exist, language files are named and formed correctly, ``coreApi`` is not
newer than ours, and every dependency can be satisfied. Problems are collected and
reported together; the package is never extracted to disk.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from learnloop.h5p import library_schema
from learnloop.h5p.errors import PackageProblem, PackageValidationError
from learnloop.h5p.zip_safety import SafeZip

# H5PCore::$defaultContentWhitelist and $defaultLibraryWhitelistExtras (h5p.classes.php).
CONTENT_EXTENSIONS = frozenset(
    [
        "json",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "tif",
        "tiff",
        "svg",
        "eot",
        "ttf",
        "woff",
        "woff2",
        "otf",
        "webm",
        "mp4",
        "ogg",
        "mp3",
        "m4a",
        "wav",
        "txt",
        "pdf",
        "rtf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "xml",
        "csv",
        "diff",
        "patch",
        "swf",
        "md",
        "textile",
        "vtt",
        "webvtt",
        "gltf",
        "glb",
    ]
)
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css"}

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


@dataclass
class ValidatedPackage:
    archive: SafeZip
    h5p_json: dict[str, Any]
    content_json: dict[str, Any]
    # Paths inside content/ (content.json excluded) -> path to store under (shortened).
    content_files: dict[str, str]
    libraries: dict[LibraryKey, PackageLibrary] = field(default_factory=dict)

    @property
    def libraries_to_install(self) -> list[PackageLibrary]:
        return [lib for lib in self.libraries.values() if not lib.already_installed]

    def close(self) -> None:
        self.archive.close()


@dataclass(frozen=True)
class ValidationRules:
    core_api: tuple[int, int]
    max_content_filename_length: int


def _is_ignored(name: str) -> bool:
    # H5P core skips every file or folder whose name starts with "." or "_" (__MACOSX …).
    return any(segment.startswith((".", "_")) for segment in name.split("/"))


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _parse_json(archive: SafeZip, name: str) -> Any:
    return json.loads(archive.read(name).decode("utf-8-sig"))


def shortened_name(path: str, max_length: int) -> str:
    """Lumi shortens content file names that are too long; the hash keeps them unique."""
    directory, _, base = path.rpartition("/")
    if len(base) <= max_length:
        return path
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    digest = hashlib.sha256(path.encode()).hexdigest()[:8]
    suffix = f"-{digest}" + (f".{extension}" if extension else "")
    short = stem[: max(1, max_length - len(suffix))] + suffix
    return f"{directory}/{short}" if directory else short


def validate_package(
    archive: SafeZip,
    rules: ValidationRules,
    installed_patches: Mapping[LibraryKey, int],
) -> ValidatedPackage:
    """Check every H5P rule; raise :class:`PackageValidationError` listing all problems.

    ``installed_patches`` maps each installed ``(machineName, major, minor)`` to its patch.
    """
    problems: list[PackageProblem] = []
    names = [name for name in archive.entries if not _is_ignored(name)]

    for name in names:
        if "/" not in name:
            continue
        allowed = CONTENT_EXTENSIONS if name.startswith("content/") else LIBRARY_EXTENSIONS
        if _extension(name) not in allowed:
            problems.append(
                PackageProblem(
                    "not-in-whitelist",
                    f"File {name} has an extension that is not allowed",
                    {"file": name},
                )
            )

    h5p_json = _read_h5p_json(archive, names, problems)
    content_json = _read_content_json(archive, names, problems)
    if problems or h5p_json is None or content_json is None:
        raise PackageValidationError(problems)

    libraries = _read_libraries(archive, names, rules, installed_patches, problems)
    if not problems:
        # Only with every library readable: a broken one would also show up as missing.
        _check_dependencies(h5p_json, libraries, installed_patches, problems)
    if problems:
        raise PackageValidationError(problems)

    content_files = {
        name.removeprefix("content/"): shortened_name(
            name.removeprefix("content/"), rules.max_content_filename_length
        )
        for name in names
        if name.startswith("content/") and name != "content/content.json"
    }
    return ValidatedPackage(
        archive=archive,
        h5p_json=h5p_json,
        content_json=content_json,
        content_files=content_files,
        libraries=libraries,
    )


def _read_h5p_json(
    archive: SafeZip, names: list[str], problems: list[PackageProblem]
) -> dict[str, Any] | None:
    if "h5p.json" not in names:
        problems.append(
            PackageProblem(
                "invalid-h5p-json-file",
                "The package has no h5p.json: it holds no content to import",
            )
        )
        return None
    try:
        document = _parse_json(archive, "h5p.json")
    except (UnicodeDecodeError, ValueError) as exc:
        problems.append(
            PackageProblem(
                "unable-to-parse-package",
                f"h5p.json is not valid JSON: {exc}",
                {"file": "h5p.json"},
            )
        )
        return None
    reason = library_schema.h5p_json_problem(document)
    if reason:
        problems.append(
            PackageProblem(
                "invalid-h5p-json-file-2",
                f"h5p.json does not conform to the schema: {reason}",
                {"file": "h5p.json", "reason": reason},
            )
        )
        return None
    if not any(
        dependency["machineName"] == document["mainLibrary"]
        for dependency in document["preloadedDependencies"]
    ):
        problems.append(
            PackageProblem(
                "invalid-h5p-json-file-2",
                "h5p.json: mainLibrary is not among the preloadedDependencies",
                {"file": "h5p.json"},
            )
        )
        return None
    result: dict[str, Any] = document
    return result


def _read_content_json(
    archive: SafeZip, names: list[str], problems: list[PackageProblem]
) -> dict[str, Any] | None:
    if "content/content.json" not in names:
        problems.append(
            PackageProblem("invalid-content-folder", "The package has no content/content.json")
        )
        return None
    try:
        document = _parse_json(archive, "content/content.json")
    except (UnicodeDecodeError, ValueError) as exc:
        problems.append(
            PackageProblem(
                "unable-to-parse-package",
                f"content/content.json is not valid JSON: {exc}",
                {"file": "content/content.json"},
            )
        )
        return None
    if not isinstance(document, dict):
        problems.append(
            PackageProblem(
                "unable-to-parse-package",
                "content/content.json must hold a JSON object",
                {"file": "content/content.json"},
            )
        )
        return None
    return document


def _read_libraries(
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
        library_json = _parse_json(archive, f"{folder}/library.json")
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
            _parse_json(archive, f"{folder}/{path}")
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
            parsed = _parse_json(archive, f"{folder}/semantics.json")
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


def _check_dependencies(
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
