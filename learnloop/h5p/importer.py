"""Importing an .h5p package: validate everything, then write rows, then files.

Order matters for "nothing of a rejected package remains": the zip is checked and every
H5P rule applied (:mod:`package_validation`), SVGs are sanitised and the quota checked,
all before the first row or file is written. Rows are written next (the request's
transaction rolls them back on any error); files last, and if a write fails the files
written so far are removed. The package itself is read from the caller's (temporary)
file and never extracted to disk.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.h5p.content import (
    content_prefix,
    create_content,
    ensure_content_quota,
)
from learnloop.h5p.errors import PackageProblem, PackageValidationError
from learnloop.h5p.libraries import (
    InstallResult,
    all_installed_patches,
    get_library,
    install_rows,
)
from learnloop.h5p.library_rights import refuse_library_changes
from learnloop.h5p.library_validation import ValidationRules, library_key
from learnloop.h5p.package_validation import ValidatedPackage, validate_package
from learnloop.h5p.storage_quota import ensure_storage_quota
from learnloop.h5p.svg import UnsafeSvg, sanitize_svg
from learnloop.h5p.zip_safety import ZipLimits, open_safe_zip
from learnloop.storage import FileStorage

WRITE_THREADS = 8
MAX_PENDING_WRITES = 64


@dataclass(frozen=True)
class LibraryInstallResult:
    installed: list[str]
    upgraded: list[str]


@dataclass(frozen=True)
class ImportResult:
    content_id: str
    installed_libraries: int
    upgraded_libraries: int


def zip_limits(settings: Settings) -> ZipLimits:
    return ZipLimits(
        max_entries=settings.h5p_max_package_entries,
        max_total_bytes=settings.h5p_max_total_uncompressed_bytes,
        max_file_bytes=settings.h5p_max_file_bytes,
        max_ratio=settings.h5p_max_compression_ratio,
    )


def validation_rules(settings: Settings) -> ValidationRules:
    return ValidationRules(
        core_api=(settings.h5p_core_api_major, settings.h5p_core_api_minor),
        max_content_filename_length=settings.h5p_max_content_filename_length,
    )


def _sanitized_svgs(package: ValidatedPackage) -> dict[str, bytes]:
    cleaned: dict[str, bytes] = {}
    problems = []
    for source in package.content_files:
        if source.lower().endswith(".svg"):
            try:
                cleaned[source] = sanitize_svg(package.archive.read(f"content/{source}"))
            except UnsafeSvg as exc:
                problems.append(
                    PackageProblem("invalid-svg", f"content/{source}: {exc}", {"file": source})
                )
    if problems:
        raise PackageValidationError(problems)
    return cleaned


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    """Point file references at shortened names (Lumi does the same on import)."""
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list):
        return [_renamed(item, renames) for item in value]
    if isinstance(value, dict):
        return {key: _renamed(item, renames) for key, item in value.items()}
    return value


def _normalized_h5p_json(h5p_json: dict[str, Any]) -> dict[str, Any]:
    metadata = dict(h5p_json)
    for field_name in ("preloadedDependencies", "dynamicDependencies"):
        if field_name in metadata:
            metadata[field_name] = [
                {"machineName": key[0], "majorVersion": key[1], "minorVersion": key[2]}
                for key in (library_key(reference) for reference in metadata[field_name])
            ]
    return metadata


def _reader(package: ValidatedPackage, name: str) -> Callable[[], bytes]:
    return lambda: package.archive.read(name)


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def write_files(storage: FileStorage, files: list[tuple[str, Callable[[], bytes]]]) -> None:
    """Write every file, or none: on a failure the files written so far are removed.

    Entries are read from the zip here, in order, and written by a few threads: a local
    store spends most of a small file's time in open/rename, which overlap well.
    """
    written: list[str] = []
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=WRITE_THREADS, thread_name_prefix="h5p-write") as pool:
        pending: dict[Future[None], str] = {}
        try:
            for key, read in files:
                pending[pool.submit(storage.put_bytes, key, read())] = key
                if len(pending) >= MAX_PENDING_WRITES:
                    failure = _collect(pending, written, FIRST_COMPLETED) or failure
                    if failure is not None:
                        break
        except BaseException as exc:
            failure = exc
        failure = _collect(pending, written, ALL_COMPLETED) or failure
    if failure is not None:
        for key in written:
            storage.delete(key)
        raise failure


def _collect(
    pending: dict[Future[None], str], written: list[str], return_when: str
) -> BaseException | None:
    done, _ = wait(pending, return_when=return_when)
    failure = None
    for future in done:
        key = pending.pop(future)
        error = future.exception()
        if error is None:
            written.append(key)
        else:
            failure = failure or error
    return failure


def import_package(
    session: Session,
    storage: FileStorage,
    settings: Settings,
    owner: User | None,
    source: IO[bytes],
    *,
    may_install_libraries: bool,
) -> ImportResult:
    """Validate and import the package in ``source`` (a seekable binary file).

    Without ``may_install_libraries`` (see :mod:`library_rights`) a package that would
    install or upgrade a library is refused with 403 before anything is written.
    """
    archive = open_safe_zip(source, zip_limits(settings))
    try:
        installed = all_installed_patches(session)
        package = validate_package(archive, validation_rules(settings), installed)
        if not may_install_libraries:
            refuse_library_changes(package.libraries_to_install, installed)
        svgs = _sanitized_svgs(package)
        files_bytes = _content_files_bytes(package, svgs)
        if owner is not None:
            ensure_content_quota(session, owner, settings.default_plan)
            ensure_storage_quota(session, owner, settings, files_bytes)
        return _store(session, storage, owner, package, svgs, files_bytes)
    finally:
        archive.close()


def install_package_libraries(
    session: Session, storage: FileStorage, settings: Settings, source: IO[bytes]
) -> LibraryInstallResult:
    """Install or upgrade the libraries of a package without creating its content
    (H5P core's library upload). The caller checks the right to do so."""
    archive = open_safe_zip(source, zip_limits(settings))
    try:
        package = validate_package(
            archive, validation_rules(settings), all_installed_patches(session)
        )
        install = install_rows(session, package.libraries_to_install)
        _write_library_files(storage, package, install, [])
        return LibraryInstallResult(
            installed=[row.ubername for row in install.installed],
            upgraded=[row.ubername for row in install.upgraded],
        )
    finally:
        archive.close()


def _write_library_files(
    storage: FileStorage,
    package: ValidatedPackage,
    install: InstallResult,
    other_files: list[tuple[str, Callable[[], bytes]]],
) -> None:
    files: list[tuple[str, Callable[[], bytes]]] = [
        (key, _reader(package, f"{package_library.folder}/{path}"))
        for key, package_library, path in install.files
    ]
    write_files(storage, files + other_files)
    # An upgrade replaces the folder's files: drop those the new patch no longer has.
    new_keys = {key for key, _library, _path in install.files}
    for library in install.upgraded:
        for key in storage.list_keys(f"libraries/{library.folder_name}"):
            if key not in new_keys:
                storage.delete(key)


def _content_files_bytes(package: ValidatedPackage, svgs: dict[str, bytes]) -> int:
    """Bytes the content's files will take in storage (sanitised SVGs as stored)."""
    entries = package.archive.entries
    return sum(
        len(svgs[source]) if source in svgs else entries[f"content/{source}"].file_size
        for source in package.content_files
    )


def _store(
    session: Session,
    storage: FileStorage,
    owner: User | None,
    package: ValidatedPackage,
    svgs: dict[str, bytes],
    files_bytes: int,
) -> ImportResult:
    install = install_rows(session, package.libraries_to_install)
    metadata = _normalized_h5p_json(package.h5p_json)
    main_key = next(
        library_key(reference)
        for reference in metadata["preloadedDependencies"]
        if reference["machineName"] == metadata["mainLibrary"]
    )
    main = get_library(session, main_key)
    assert main is not None  # validation made sure every dependency is available
    roots = [
        library
        for library in (
            get_library(session, library_key(reference))
            for reference in metadata["preloadedDependencies"]
        )
        if library is not None
    ]
    renames = {old: new for old, new in package.content_files.items() if old != new}
    params = _renamed(package.content_json, renames)
    saved = create_content(session, owner, main, params, metadata, strict=False, extra_roots=roots)
    content_id = saved.content.id
    saved.content.files_bytes = files_bytes
    session.flush()

    content_files: list[tuple[str, Callable[[], bytes]]] = []
    for source, target in package.content_files.items():
        cleaned = svgs.get(source)
        read = _constant(cleaned) if cleaned is not None else _reader(package, f"content/{source}")
        content_files.append((f"{content_prefix(content_id)}/{target}", read))
    _write_library_files(storage, package, install, content_files)
    return ImportResult(
        content_id=content_id,
        installed_libraries=len(install.installed),
        upgraded_libraries=len(install.upgraded),
    )
