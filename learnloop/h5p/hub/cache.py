"""This site's registration and the content-type cache kept in the database.

The cache is what ``GET /h5p/content-types`` answers, so the endpoint keeps working when
the hub is unreachable (offline schools); a refresh that fails leaves it as it was and
records why, which the listing reports.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from learnloop import __version__
from learnloop.config import Settings
from learnloop.db import utcnow
from learnloop.errors import AppError
from learnloop.h5p.hub.client import HubClient, SiteInfo
from learnloop.h5p.hub.models import HubContentType, HubSite
from learnloop.h5p.models import H5PLibrary

SITE_ROW_ID = 1
MACHINE_NAME = re.compile(r"^[A-Za-z][\w.\-]{0,254}$")
MAX_ERROR_LENGTH = 2000


def get_site(session: Session) -> HubSite:
    site = session.get(HubSite, SITE_ROW_ID)
    if site is None:
        site = HubSite(id=SITE_ROW_ID)
        session.add(site)
        session.flush()
    return site


def site_info(settings: Settings, uuid: str) -> SiteInfo:
    # H5P core's local_id is a crc32 of the site's address: stable, and not the address.
    local_id = format(zlib.crc32(settings.base_url.encode()), "x")
    core_api = f"{settings.h5p_core_api_major}.{settings.h5p_core_api_minor}"
    return SiteInfo(
        uuid=uuid,
        platform_name="LearnLoop",
        platform_version=__version__,
        h5p_version=core_api,
        core_api_version=core_api,
        local_id=local_id,
    )


def ensure_registered(session: Session, settings: Settings, client: HubClient) -> SiteInfo:
    """This site's info with its uuid, registering with the hub the first time."""
    site = get_site(session)
    if site.uuid is None:
        site.uuid = client.register(site_info(settings, ""))
        site.registered_at = utcnow()
        session.flush()
    return site_info(settings, site.uuid)


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return 0


def _text(value: Any, limit: int | None = None) -> str:
    text = value if isinstance(value, str) else ""
    return text[:limit] if limit else text


def _parsed(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The columns of one hub entry, or None for an entry without a usable id/version."""
    machine_name = entry.get("id")
    version = entry.get("version")
    if not isinstance(machine_name, str) or not MACHINE_NAME.match(machine_name):
        return None
    if not isinstance(version, dict):
        return None
    screenshots = [
        {"url": _text(shot.get("url")), "alt": _text(shot.get("alt"))}
        for shot in entry.get("screenshots") or []
        if isinstance(shot, dict) and isinstance(shot.get("url"), str)
    ]
    return {
        "machine_name": machine_name,
        "major_version": _int(version.get("major")),
        "minor_version": _int(version.get("minor")),
        "patch_version": _int(version.get("patch")),
        "title": _text(entry.get("title"), 255) or machine_name,
        "summary": _text(entry.get("summary")),
        "description": _text(entry.get("description")),
        "icon": _text(entry.get("icon")),
        "screenshots": screenshots,
        "popularity": _int(entry.get("popularity")),
        "is_recommended": entry.get("isRecommended") is True,
        "document": entry,
    }


def replace_cache(session: Session, entries: list[dict[str, Any]]) -> int:
    """Make the cache exactly the hub's list; returns how many types it holds."""
    parsed: dict[str, dict[str, Any]] = {}
    for entry in entries:
        columns = _parsed(entry)
        if columns is not None:
            parsed[columns["machine_name"]] = columns
    existing = {row.machine_name: row for row in session.scalars(select(HubContentType))}
    gone = [name for name in existing if name not in parsed]
    if gone:
        session.execute(delete(HubContentType).where(HubContentType.machine_name.in_(gone)))
    for name, columns in parsed.items():
        row = existing.get(name)
        if row is None:
            session.add(HubContentType(**columns))
        else:
            for key, value in columns.items():
                setattr(row, key, value)
    session.flush()
    return len(parsed)


def refresh_cache(session: Session, settings: Settings, client: HubClient) -> int:
    """Ask the hub for its content types and replace the cache with them.

    A failure is recorded on the site row and raised; the cache stays as it was.
    """
    site = get_site(session)
    try:
        info = ensure_registered(session, settings, client)
        entries = client.content_types(info)
    except AppError as exc:
        record_refresh_error(session, exc.message)
        raise
    count = replace_cache(session, entries)
    site.content_types_refreshed_at = utcnow()
    site.last_error = None
    site.last_error_at = None
    session.flush()
    return count


def record_refresh_error(session: Session, message: str) -> None:
    site = get_site(session)
    site.last_error = message[:MAX_ERROR_LENGTH]
    site.last_error_at = utcnow()
    session.flush()


def cached_content_types(session: Session) -> list[HubContentType]:
    return list(
        session.scalars(
            select(HubContentType).order_by(
                HubContentType.popularity.desc(), HubContentType.machine_name
            )
        )
    )


def cached_content_type(session: Session, machine_name: str) -> HubContentType | None:
    return session.get(HubContentType, machine_name)


@dataclass(frozen=True)
class ContentTypeState:
    content_type: HubContentType
    installed_versions: list[str]
    installed: bool
    updatable: bool


def with_install_state(
    session: Session, content_types: list[HubContentType]
) -> list[ContentTypeState]:
    """Each cached type with what is installed: ``updatable`` when the hub has a newer
    version than the newest installed one (H5P core's ``isUpdateAvailable``)."""
    names = [content_type.machine_name for content_type in content_types]
    installed: dict[str, list[tuple[int, int, int]]] = {}
    if names:
        rows = session.execute(
            select(
                H5PLibrary.machine_name,
                H5PLibrary.major_version,
                H5PLibrary.minor_version,
                H5PLibrary.patch_version,
            ).where(H5PLibrary.machine_name.in_(names))
        )
        for name, major, minor, patch in rows:
            installed.setdefault(name, []).append((major, minor, patch))
    states: list[ContentTypeState] = []
    for content_type in content_types:
        versions = sorted(installed.get(content_type.machine_name, []))
        hub_version = (
            content_type.major_version,
            content_type.minor_version,
            content_type.patch_version,
        )
        states.append(
            ContentTypeState(
                content_type=content_type,
                installed_versions=[f"{a}.{b}.{c}" for a, b, c in versions],
                installed=bool(versions),
                updatable=bool(versions) and versions[-1] < hub_version,
            )
        )
    return states


def last_refresh(session: Session) -> tuple[datetime | None, str | None]:
    site = session.get(HubSite, SITE_ROW_ID)
    if site is None:
        return None, None
    return site.content_types_refreshed_at, site.last_error
