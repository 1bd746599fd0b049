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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from learnloop.h5p import library_schema
from learnloop.h5p.errors import PackageProblem, PackageValidationError
from learnloop.h5p.library_validation import (
    LibraryKey,
    PackageLibrary,
    ValidationRules,
    check_dependencies,
    parse_json,
    read_libraries,
)
from learnloop.h5p.zip_safety import SafeZip

# H5PCore::$defaultContentWhitelist and $defaultLibraryWhitelistExtras (h5p.classes.php).
_CONTENT_EXTENSION_LIST = (
    "json png jpg jpeg gif bmp tif tiff svg eot ttf woff woff2 otf webm mp4 ogg mp3 m4a wav "
    "txt pdf rtf doc docx xls xlsx ppt pptx odt ods odp xml csv diff patch swf md textile vtt "
    "webvtt gltf glb"
)
CONTENT_EXTENSIONS = frozenset(_CONTENT_EXTENSION_LIST.split())
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css"}


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


def _is_ignored(name: str) -> bool:
    # H5P core skips every file or folder whose name starts with "." or "_" (__MACOSX …).
    return any(segment.startswith((".", "_")) for segment in name.split("/"))


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


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

    libraries = read_libraries(archive, names, rules, installed_patches, problems)
    if not problems:
        # Only with every library readable: a broken one would also show up as missing.
        check_dependencies(h5p_json, libraries, installed_patches, problems)
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
        document = parse_json(archive, "h5p.json")
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
        document = parse_json(archive, "content/content.json")
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
