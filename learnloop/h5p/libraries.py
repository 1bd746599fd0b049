"""Installed libraries: install/upgrade from a package, dependency order, listing, deletion.

H5P keeps one copy per ``machineName major.minor`` shared by all content (H5P core's
``H5PStorage::saveLibraries``, Lumi's ``LibraryManager``): a package with a newer patch
upgrades it in place, an older or equal patch is ignored. Library files live under
``libraries/<machineName>-<major>.<minor>/`` in the ``FileStorage``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, exists, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learnloop.h5p.errors import (
    InvalidLibraryName,
    LibraryInstallConflict,
    LibraryInUse,
    LibraryNotFound,
)
from learnloop.h5p.library_validation import (
    DEPENDENCY_FIELDS,
    LibraryKey,
    PackageLibrary,
    library_key,
)
from learnloop.h5p.models import (
    DependencyType,
    H5PContentLibrary,
    H5PLibrary,
    H5PLibraryDependency,
)
from learnloop.storage import FileStorage

UBERNAME = re.compile(r"^(?P<name>[\w.\-]{1,255}) (?P<major>\d{1,5})\.(?P<minor>\d{1,5})$")
FIELD_TYPES = {
    "preloadedDependencies": DependencyType.PRELOADED,
    "dynamicDependencies": DependencyType.DYNAMIC,
    "editorDependencies": DependencyType.EDITOR,
}


def parse_ubername(value: str) -> LibraryKey:
    """``"H5P.MultiChoice 1.16"`` -> ``("H5P.MultiChoice", 1, 16)``."""
    match = UBERNAME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise InvalidLibraryName(
            f'Invalid library {value!r}: expected "H5P.Name major.minor", '
            'e.g. "H5P.MultiChoice 1.16"'
        )
    return match["name"], int(match["major"]), int(match["minor"])


def library_prefix(library: H5PLibrary) -> str:
    return f"libraries/{library.folder_name}"


def get_library(session: Session, key: LibraryKey) -> H5PLibrary | None:
    return session.scalars(
        select(H5PLibrary).where(
            H5PLibrary.machine_name == key[0],
            H5PLibrary.major_version == key[1],
            H5PLibrary.minor_version == key[2],
        )
    ).one_or_none()


def _rows_by_key(session: Session, keys: Iterable[LibraryKey]) -> dict[LibraryKey, H5PLibrary]:
    wanted = list(set(keys))
    if not wanted:
        return {}
    rows = session.scalars(
        select(H5PLibrary).where(
            tuple_(H5PLibrary.machine_name, H5PLibrary.major_version, H5PLibrary.minor_version).in_(
                wanted
            )
        )
    )
    return {(row.machine_name, row.major_version, row.minor_version): row for row in rows}


def installed_patches(session: Session, keys: Iterable[LibraryKey]) -> dict[LibraryKey, int]:
    """Installed patch versions of ``keys`` (and nothing else), in one query."""
    wanted = list(set(keys))
    if not wanted:
        return {}
    rows = session.execute(
        select(
            H5PLibrary.machine_name,
            H5PLibrary.major_version,
            H5PLibrary.minor_version,
            H5PLibrary.patch_version,
        ).where(
            tuple_(H5PLibrary.machine_name, H5PLibrary.major_version, H5PLibrary.minor_version).in_(
                wanted
            )
        )
    )
    return {(row[0], row[1], row[2]): row[3] for row in rows}


def all_installed_patches(session: Session) -> dict[LibraryKey, int]:
    rows = session.execute(
        select(
            H5PLibrary.machine_name,
            H5PLibrary.major_version,
            H5PLibrary.minor_version,
            H5PLibrary.patch_version,
        )
    )
    return {(row[0], row[1], row[2]): row[3] for row in rows}


@dataclass
class InstallResult:
    installed: list[H5PLibrary]
    upgraded: list[H5PLibrary]
    # Storage writes to do once the rows are flushed: (key, library folder, file path).
    files: list[tuple[str, PackageLibrary, str]]


def install_rows(session: Session, libraries: Sequence[PackageLibrary]) -> InstallResult:
    """Create or upgrade the rows of ``libraries`` (already validated) and their dependencies.

    Files are not written here; the caller writes ``result.files`` after every check passed.
    """
    result = InstallResult(installed=[], upgraded=[], files=[])
    rows: dict[LibraryKey, H5PLibrary] = {}
    existing = _rows_by_key(session, [package_library.key for package_library in libraries])
    for package_library in libraries:
        key = package_library.key
        document = package_library.library_json
        row = existing.get(key)
        if row is None:
            row = H5PLibrary(machine_name=key[0], major_version=key[1], minor_version=key[2])
            session.add(row)
            result.installed.append(row)
        else:
            result.upgraded.append(row)
        row.patch_version = package_library.patch
        row.title = str(document["title"])[:255]
        row.runnable = bool(document.get("runnable"))
        row.library_json = document
        row.semantics = package_library.semantics
        rows[key] = row
        for path in package_library.files:
            result.files.append(
                (f"libraries/{package_library.folder}/{path}", package_library, path)
            )
    try:
        session.flush()
    except IntegrityError as exc:
        # Another import installed the same library version between our read and write.
        raise LibraryInstallConflict(
            "A library in this package is being installed by another import; try again"
        ) from exc

    # Dependencies are rewritten for every installed or upgraded library.
    ids = [row.id for row in rows.values()]
    if ids:
        session.execute(
            delete(H5PLibraryDependency).where(H5PLibraryDependency.library_id.in_(ids))
        )
    wanted_keys = {
        library_key(reference)
        for package_library in libraries
        for field_name in DEPENDENCY_FIELDS
        for reference in package_library.library_json.get(field_name, [])
    }
    id_by_key = _ids_by_key(session, wanted_keys)
    for key, row in rows.items():
        document = next(p.library_json for p in libraries if p.key == key)
        seen: set[tuple[int, str]] = set()
        for field_name, dependency_type in FIELD_TYPES.items():
            for weight, reference in enumerate(document.get(field_name, [])):
                required = id_by_key[library_key(reference)]
                if (required, dependency_type.value) in seen:
                    continue
                seen.add((required, dependency_type.value))
                session.add(
                    H5PLibraryDependency(
                        library_id=row.id,
                        required_library_id=required,
                        dependency_type=dependency_type.value,
                        weight=weight,
                    )
                )
    session.flush()
    return result


def _ids_by_key(session: Session, keys: Iterable[LibraryKey]) -> dict[LibraryKey, int]:
    wanted = list(set(keys))
    if not wanted:
        return {}
    rows = session.execute(
        select(
            H5PLibrary.machine_name,
            H5PLibrary.major_version,
            H5PLibrary.minor_version,
            H5PLibrary.id,
        ).where(
            tuple_(H5PLibrary.machine_name, H5PLibrary.major_version, H5PLibrary.minor_version).in_(
                wanted
            )
        )
    )
    return {(row[0], row[1], row[2]): row[3] for row in rows}


# --- dependency resolution ---------------------------------------------------------------


@dataclass(frozen=True)
class DependencyGraph:
    libraries: dict[int, H5PLibrary]
    # library id -> [(type, weight, required id)]
    edges: dict[int, list[tuple[str, int, int]]]

    @classmethod
    def load(cls, session: Session) -> DependencyGraph:
        """All libraries and dependency rows in two queries (a few hundred rows at most)."""
        libraries = {row.id: row for row in session.scalars(select(H5PLibrary))}
        edges: dict[int, list[tuple[str, int, int]]] = {}
        for dependency in session.scalars(select(H5PLibraryDependency)):
            edges.setdefault(dependency.library_id, []).append(
                (dependency.dependency_type, dependency.weight, dependency.required_library_id)
            )
        for value in edges.values():
            value.sort(key=lambda edge: (edge[0], edge[1]))
        return cls(libraries, edges)

    def ordered(
        self, roots: Sequence[int], types: frozenset[str] = frozenset({"preloaded"})
    ) -> list[H5PLibrary]:
        """Depth-first, dependencies before dependents (H5P core's weights, Lumi's
        ``DependencyGetter``): the order the player loads scripts and styles in."""
        order: list[int] = []
        visiting: set[int] = set()
        done: set[int] = set()

        def visit(library_id: int) -> None:
            if library_id in done or library_id in visiting:
                return  # cycles exist in the wild (H5P.Question <-> H5P.JoubelUI variants)
            visiting.add(library_id)
            for dependency_type, _weight, required in self.edges.get(library_id, []):
                if dependency_type in types:
                    visit(required)
            visiting.discard(library_id)
            done.add(library_id)
            order.append(library_id)

        for root in roots:
            visit(root)
        return [self.libraries[library_id] for library_id in order]


def resolve_dependencies(
    session: Session,
    library: H5PLibrary,
    types: frozenset[str] = frozenset({"preloaded"}),
) -> list[H5PLibrary]:
    """``library`` and what it needs, in load order (the library itself last)."""
    return DependencyGraph.load(session).ordered([library.id], types)


@dataclass(frozen=True)
class LibraryAssets:
    scripts: list[str]
    styles: list[str]


def library_assets(libraries: Sequence[H5PLibrary]) -> LibraryAssets:
    """Storage keys of the preloaded JS and CSS of ``libraries``, in the order given."""
    scripts: list[str] = []
    styles: list[str] = []
    for library in libraries:
        prefix = library_prefix(library)
        for entry in library.library_json.get("preloadedJs", []):
            scripts.append(f"{prefix}/{str(entry['path']).lstrip('/')}")
        for entry in library.library_json.get("preloadedCss", []):
            styles.append(f"{prefix}/{str(entry['path']).lstrip('/')}")
    return LibraryAssets(scripts, styles)


# --- listing and deletion ----------------------------------------------------------------


def list_libraries(session: Session) -> list[H5PLibrary]:
    return list(
        session.scalars(
            select(H5PLibrary).order_by(
                H5PLibrary.machine_name, H5PLibrary.major_version, H5PLibrary.minor_version
            )
        )
    )


def installed_machine_names(session: Session, names: Iterable[str]) -> set[str]:
    wanted = list(set(names))
    return set(
        session.scalars(
            select(H5PLibrary.machine_name).where(H5PLibrary.machine_name.in_(wanted)).distinct()
        )
    )


def is_in_use(session: Session, library: H5PLibrary) -> bool:
    return bool(
        session.scalar(
            select(
                or_(
                    exists().where(H5PContentLibrary.library_id == library.id),
                    exists().where(H5PLibraryDependency.required_library_id == library.id),
                )
            )
        )
    )


def delete_library(session: Session, storage: FileStorage, key: LibraryKey) -> None:
    """Remove a library no content and no other library uses (409 otherwise)."""
    library = get_library(session, key)
    if library is None:
        raise LibraryNotFound(f"Library {key[0]} {key[1]}.{key[2]} is not installed")
    if is_in_use(session, library):
        raise LibraryInUse(f"Library {library.ubername} is used by content or by another library")
    prefix = library_prefix(library)
    session.delete(library)
    session.flush()
    storage.delete_prefix(prefix)
