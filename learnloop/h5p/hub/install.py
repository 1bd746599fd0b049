"""Installing content types from the hub (H5P core's ``ajax library-install``).

A downloaded package goes through exactly the validation of an uploaded one
(:func:`learnloop.h5p.importer.install_package_libraries`); the caller checks the right
to install libraries (learnloop.h5p.library_rights).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.errors import AppError
from learnloop.h5p.hub import cache
from learnloop.h5p.hub.client import HubClient
from learnloop.h5p.hub.errors import ContentTypeNotInHub, HubBadAnswer, InvalidMachineName
from learnloop.h5p.importer import LibraryInstallResult, install_package_libraries
from learnloop.h5p.models import H5PLibrary
from learnloop.h5p.slugs import ESSENTIAL_CONTENT_TYPES, essential_names
from learnloop.storage import FileStorage

NOT_FOUND_IN_HUB = "Not found in hub"


def _ensure_cache(session: Session, settings: Settings, client: HubClient) -> None:
    """An empty, never refreshed cache is filled first (a fresh server's first install)."""
    refreshed_at, _error = cache.last_refresh(session)
    if refreshed_at is None:
        cache.refresh_cache(session, settings, client)


def install_from_hub(
    session: Session,
    storage: FileStorage,
    settings: Settings,
    client: HubClient,
    machine_name: str,
) -> LibraryInstallResult:
    if not cache.MACHINE_NAME.match(machine_name):
        raise InvalidMachineName(f"Invalid machine name {machine_name[:100]!r}")
    _ensure_cache(session, settings, client)
    if cache.cached_content_type(session, machine_name) is None:
        raise ContentTypeNotInHub(f"{machine_name}: {NOT_FOUND_IN_HUB}")
    package = client.download(machine_name)
    try:
        result = install_package_libraries(session, storage, settings, package)
    finally:
        package.close()
    provided = session.scalar(
        select(H5PLibrary.id).where(H5PLibrary.machine_name == machine_name).limit(1)
    )
    if provided is None:
        raise HubBadAnswer(f"The hub's package for {machine_name} does not contain it")
    return result


@dataclass(frozen=True)
class EssentialResult:
    name: str
    success: bool
    error: str | None = None


@dataclass
class EssentialsReport:
    results: list[EssentialResult] = field(default_factory=list)
    # Why the cache could not be refreshed first, if it could not (it was used as it was).
    refresh_error: str | None = None

    @property
    def installed(self) -> int:
        return sum(1 for result in self.results if result.success)


def install_essentials(
    session: Session, storage: FileStorage, settings: Settings, client: HubClient
) -> EssentialsReport:
    """Refresh the cache, then install each essential type in a savepoint of its own, so
    one bad package fails only its own line of the report."""
    report = EssentialsReport()
    try:
        with session.begin_nested():
            cache.refresh_cache(session, settings, client)
    except AppError as exc:
        report.refresh_error = exc.message
        # The savepoint took the recorded error along; record it again outside it.
        cache.record_refresh_error(session, exc.message)
    for essential in ESSENTIAL_CONTENT_TYPES:
        hub_name = next(
            (
                name
                for name in essential_names(essential)
                if cache.cached_content_type(session, name) is not None
            ),
            None,
        )
        if hub_name is None:
            report.results.append(EssentialResult(essential, False, NOT_FOUND_IN_HUB))
            continue
        try:
            with session.begin_nested():
                install_from_hub(session, storage, settings, client, hub_name)
        except AppError as exc:
            report.results.append(EssentialResult(essential, False, exc.message))
            continue
        report.results.append(EssentialResult(essential, True))
    return report
