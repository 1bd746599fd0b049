"""Content: create, read, update, delete, ownership, visibility, listing.

Ownership follows the reference's ``content_ownership`` rules: the creator owns content;
only the owner updates it, deletes it or changes its visibility; content without an
ownership row (legacy) may be edited by any teacher, and the first one to edit it
becomes its owner. Private content is visible to its owner only (and to admins), and
to the members of classes it is assigned to.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from learnloop.analytics.classes import is_assigned_to_member
from learnloop.auth.models import User
from learnloop.db import utcnow
from learnloop.h5p.errors import (
    ContentNotFound,
    InvalidLibraryName,
    LibraryNotInstalled,
    NotContentOwner,
)
from learnloop.h5p.libraries import DependencyGraph, get_library, parse_ubername
from learnloop.h5p.models import (
    ContentOwnership,
    DependencyType,
    H5PContent,
    H5PContentLibrary,
    H5PLibrary,
    Visibility,
)
from learnloop.h5p.semantics import FilterResult, SemanticsLookup, filter_params
from learnloop.h5p.temp_files import claim_temp_files
from learnloop.plans.plans import effective_plan, ensure_within_quota
from learnloop.storage import FileStorage

DEFAULT_TITLE = "Untitled Content"
METADATA_DEFAULTS: dict[str, Any] = {
    "embedTypes": ["iframe"],
    "language": "und",
    "defaultLanguage": "en",
    "license": "U",
}
# Content ids: milliseconds since 2020 in the high bits and 22 random bits below, so
# ids from several processes do not collide and sort roughly by creation time. They look
# like the reference's numeric ids ("987654321").
_EPOCH_MS = 1_577_836_800_000
_RANDOM_BITS = 22


def new_content_id() -> str:
    milliseconds = int(time.time() * 1000) - _EPOCH_MS
    return str((milliseconds << _RANDOM_BITS) | secrets.randbits(_RANDOM_BITS))


def content_prefix(content_id: str) -> str:
    return f"content/{content_id}"


# --- reading --------------------------------------------------------------------------


def get_content(session: Session, content_id: str) -> H5PContent:
    content = session.get(H5PContent, content_id)
    if content is None:
        raise ContentNotFound(f"Content {content_id} not found")
    return content


def get_ownership(session: Session, content_id: str) -> ContentOwnership | None:
    return session.get(ContentOwnership, content_id)


def main_library(session: Session, content: H5PContent) -> H5PLibrary:
    library = session.get(H5PLibrary, content.main_library_id)
    assert library is not None  # a foreign key with ON DELETE RESTRICT
    return library


def can_read(user: User, ownership: ContentOwnership | None) -> bool:
    if ownership is None or ownership.visibility == Visibility.PUBLIC.value:
        return True
    return ownership.user_id == user.id or user.is_admin


def readable_content(session: Session, user: User, content_id: str) -> H5PContent:
    """The content if ``user`` may see it; someone else's private content is a 404."""
    content = get_content(session, content_id)
    if not can_read(user, get_ownership(session, content_id)) and not is_assigned_to_member(
        session, user.id, content_id
    ):
        raise ContentNotFound(f"Content {content_id} not found")
    return content


def owned_content(session: Session, user: User, content_id: str) -> H5PContent:
    """The content if ``user`` owns it (legacy content counts as anyone's); else 403/404."""
    content = get_content(session, content_id)
    ownership = get_ownership(session, content_id)
    if ownership is not None and ownership.user_id != user.id:
        if ownership.visibility != Visibility.PUBLIC.value and not user.is_admin:
            raise ContentNotFound(f"Content {content_id} not found")
        raise NotContentOwner("You are not the owner of this content")
    return content


def exportable_content(session: Session, user: User, content_id: str) -> H5PContent:
    """Owners export their content; anyone may export public and legacy content."""
    return readable_content(session, user, content_id)


def record_view(session: Session, content_id: str) -> None:
    """The player's view counter (one UPDATE, no read-modify-write race)."""
    session.execute(
        update(ContentOwnership)
        .where(ContentOwnership.content_id == content_id)
        .values(view_count=ContentOwnership.view_count + 1)
    )


# --- params and dependencies -----------------------------------------------------------


def semantics_lookup(session: Session, preloaded: dict[str, list[Any] | None]) -> SemanticsLookup:
    """Semantics by ``"Name major.minor"``, from ``preloaded`` first, then the database."""
    cache = dict(preloaded)

    def lookup(ubername: str) -> list[Any] | None:
        if ubername not in cache:
            try:
                key = parse_ubername(ubername)
            except InvalidLibraryName:
                return None
            library = get_library(session, key)
            cache[ubername] = None if library is None else (library.semantics or [])
        return cache[ubername]

    return lookup


def filter_content_params(
    session: Session, library: H5PLibrary, params: Any, *, strict: bool
) -> FilterResult:
    lookup = semantics_lookup(session, {library.ubername: library.semantics or []})
    return filter_params(params, library.semantics or [], lookup, strict=strict)


def set_content_libraries(
    session: Session, content: H5PContent, roots: Sequence[H5PLibrary]
) -> list[H5PLibrary]:
    """Record every library the content needs (to export it and to keep them installed).

    Roots are the main library, h5p.json's preloaded dependencies and the libraries of
    sub-content; preloaded dependencies get the player's load order as weight.
    """
    graph = DependencyGraph.load(session)
    root_ids = [library.id for library in roots]
    preloaded = graph.ordered(root_ids, frozenset({DependencyType.PRELOADED.value}))
    with_dynamic = graph.ordered(
        root_ids, frozenset({DependencyType.PRELOADED.value, DependencyType.DYNAMIC.value})
    )
    everything = graph.ordered(root_ids, frozenset(t.value for t in DependencyType))
    session.execute(delete(H5PContentLibrary).where(H5PContentLibrary.content_id == content.id))
    placed: set[int] = set()
    for weight, library in enumerate(preloaded):
        placed.add(library.id)
        session.add(
            H5PContentLibrary(
                content_id=content.id,
                library_id=library.id,
                dependency_type=DependencyType.PRELOADED.value,
                weight=weight,
            )
        )
    for dependency_type, group in (
        (DependencyType.DYNAMIC, with_dynamic),
        (DependencyType.EDITOR, everything),
    ):
        for weight, library in enumerate(group):
            if library.id not in placed:
                placed.add(library.id)
                session.add(
                    H5PContentLibrary(
                        content_id=content.id,
                        library_id=library.id,
                        dependency_type=dependency_type.value,
                        weight=weight,
                    )
                )
    session.flush()
    return everything


def content_libraries(
    session: Session, content_id: str, types: frozenset[str] | None = None
) -> list[H5PLibrary]:
    """The libraries recorded for a content item, preloaded ones in load order first."""
    query = (
        select(H5PLibrary)
        .join(H5PContentLibrary, H5PContentLibrary.library_id == H5PLibrary.id)
        .where(H5PContentLibrary.content_id == content_id)
        .order_by(H5PContentLibrary.dependency_type.desc(), H5PContentLibrary.weight)
    )
    if types is not None:
        query = query.where(H5PContentLibrary.dependency_type.in_(types))
    return list(session.scalars(query))


def sub_content_libraries(session: Session, used: set[str]) -> list[H5PLibrary]:
    libraries = []
    for ubername in sorted(used):
        library = get_library(session, parse_ubername(ubername))
        if library is not None:
            libraries.append(library)
    return libraries


# --- writing --------------------------------------------------------------------------


def owned_count(session: Session, user_id: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(ContentOwnership)
            .where(ContentOwnership.user_id == user_id)
        )
        or 0
    )


def ensure_content_quota(session: Session, user: User, default_plan: str, adding: int = 1) -> None:
    plan = effective_plan(session, user.plan_id, default_plan)
    ensure_within_quota(plan, "content", owned_count(session, user.id), adding)


def installed_runnable(session: Session, ubername: str) -> H5PLibrary:
    key = parse_ubername(ubername)
    library = get_library(session, key)
    if library is None:
        raise LibraryNotInstalled(f"Library {ubername} is not installed")
    if not library.runnable:
        raise LibraryNotInstalled(f"Library {ubername} is not a content type (not runnable)")
    return library


def build_metadata(library: H5PLibrary, overrides: dict[str, Any]) -> dict[str, Any]:
    """h5p.json of API-created content: the reference's defaults plus the overrides."""
    metadata: dict[str, Any] = {"title": DEFAULT_TITLE, **METADATA_DEFAULTS}
    metadata.update({key: value for key, value in overrides.items() if value is not None})
    metadata["mainLibrary"] = library.machine_name
    metadata["preloadedDependencies"] = [
        {
            "machineName": library.machine_name,
            "majorVersion": library.major_version,
            "minorVersion": library.minor_version,
        }
    ]
    return metadata


@dataclass
class SavedContent:
    content: H5PContent
    metadata: dict[str, Any]


def create_content(
    session: Session,
    owner: User | None,
    library: H5PLibrary,
    params: Any,
    metadata: dict[str, Any],
    *,
    strict: bool = True,
    content_id: str | None = None,
    extra_roots: Sequence[H5PLibrary] = (),
    storage: FileStorage | None = None,
) -> SavedContent:
    """Store new content (params filtered against semantics) and record its owner.

    With ``storage``, files the params mark "#tmp" (editor uploads) move from the owner's
    temporary area into the content; the stored params name them without the suffix.
    """
    filtered = filter_content_params(session, library, params, strict=strict)
    content = H5PContent(
        id=content_id or new_content_id(),
        title=str(metadata.get("title") or DEFAULT_TITLE)[:255],
        main_library_id=library.id,
        params=filtered.params,
        metadata_json=metadata,
        embed_types=list(metadata.get("embedTypes") or ["iframe"]),
        language=str(metadata.get("language") or "und")[:32],
    )
    session.add(content)
    session.flush()
    if storage is not None and owner is not None:
        _claim_editor_uploads(session, storage, owner, content, filtered)
    roots = [library, *extra_roots, *sub_content_libraries(session, filtered.used_libraries)]
    set_content_libraries(session, content, roots)
    if owner is not None:
        session.add(ContentOwnership(content_id=content.id, user_id=owner.id))
        session.flush()
    return SavedContent(content, metadata)


def update_content(
    session: Session,
    user: User,
    content_id: str,
    library: H5PLibrary,
    params: Any,
    overrides: dict[str, Any],
    storage: FileStorage | None = None,
) -> SavedContent:
    """Replace the content's params and metadata (owner only); "#tmp" files as in
    :func:`create_content`."""
    content = owned_content(session, user, content_id)
    filtered = filter_content_params(session, library, params, strict=True)
    if storage is not None:
        _claim_editor_uploads(session, storage, user, content, filtered)
    same_library = content.main_library_id == library.id
    # What the request leaves out keeps its current value (title, license, authors …).
    metadata = {
        **(content.metadata_json if same_library else {}),
        **build_metadata(library, {**_metadata_overrides(content), **overrides}),
    }
    extra_roots: list[H5PLibrary] = []
    if same_library and content.metadata_json.get("preloadedDependencies"):
        # An imported package's h5p.json lists more than the main library; keep it.
        metadata["preloadedDependencies"] = content.metadata_json["preloadedDependencies"]
        extra_roots = _listed_libraries(session, metadata["preloadedDependencies"])
    content.title = str(metadata.get("title") or DEFAULT_TITLE)[:255]
    content.main_library_id = library.id
    content.params = filtered.params
    content.metadata_json = metadata
    content.embed_types = list(metadata.get("embedTypes") or ["iframe"])
    content.language = str(metadata.get("language") or "und")[:32]
    content.updated_at = utcnow()
    session.flush()
    set_content_libraries(
        session,
        content,
        [library, *extra_roots, *sub_content_libraries(session, filtered.used_libraries)],
    )
    if get_ownership(session, content_id) is None:
        # Legacy content: the first teacher to edit it becomes its owner.
        session.add(ContentOwnership(content_id=content_id, user_id=user.id))
        session.flush()
    return SavedContent(content, metadata)


def _claim_editor_uploads(
    session: Session, storage: FileStorage, user: User, content: H5PContent, filtered: FilterResult
) -> None:
    if filtered.temp_files:
        moved = claim_temp_files(
            session, storage, user.id, filtered.temp_files, content_prefix(content.id)
        )
        # The bytes stay the user's: they leave the temporary area and join the content.
        content.files_bytes += moved
        session.flush()


def _listed_libraries(session: Session, references: list[Any]) -> list[H5PLibrary]:
    libraries = []
    for reference in references:
        if isinstance(reference, dict):
            library = get_library(
                session,
                (
                    str(reference.get("machineName")),
                    int(reference.get("majorVersion", -1)),
                    int(reference.get("minorVersion", -1)),
                ),
            )
            if library is not None:
                libraries.append(library)
    return libraries


def _metadata_overrides(content: H5PContent) -> dict[str, Any]:
    return {
        key: content.metadata_json[key]
        for key in ("title", "embedTypes", "language", "defaultLanguage", "license")
        if key in content.metadata_json
    }


def delete_content(session: Session, storage: FileStorage, user: User, content_id: str) -> None:
    """Hard delete: files, ownership, curriculum and every row that references the content.

    The database removes dependent rows through ``ON DELETE CASCADE`` (see models.py).
    """
    content = owned_content(session, user, content_id)
    session.delete(content)
    session.flush()
    storage.delete_prefix(content_prefix(content_id))


def set_visibility(session: Session, user: User, content_id: str, visibility: str) -> str:
    owned_content(session, user, content_id)
    ownership = get_ownership(session, content_id)
    if ownership is None:
        ownership = ContentOwnership(content_id=content_id, user_id=user.id)
        session.add(ownership)
    ownership.visibility = visibility
    if visibility == Visibility.PUBLIC.value and ownership.published_at is None:
        ownership.published_at = utcnow()
    session.flush()
    return visibility
