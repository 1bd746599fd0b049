"""The offline player: H5P core, the content's libraries, the content and a launch page.

SCORM packages and the offline HTML folder both carry this file set, so the content
plays with no connection back to LearnLoop (issue 17). It is built the way the online
player page is (:mod:`learnloop.h5p.player`): H5P core from the npm package
``h5p-standalone`` (``frame.bundle.js``, its styles, fonts and images), then the preloaded
libraries in load order, then ``<div class="h5p-content">``, which H5P core initialises on
load. Differences from the online page, and why:

- every URL is relative to the launch page, and ``h5p-integration.js`` turns the content
  and library URLs into absolute ones at run time: H5P core's ``getPath`` prefixes a
  ``contentUrl`` without a scheme with ``location.host``, which breaks under ``file://``
  and under an LMS's sub-path;
- ``H5PIntegration.user`` is left out, so H5P core keeps user data in memory and never
  sends it anywhere (its AJAX user-data calls stop at "Not signed in"); a SCORM package's
  runtime bridge stores the state in ``cmi.suspend_data`` instead;
- no inline script, so an LMS's Content-Security-Policy without ``'unsafe-inline'`` works;
- only the libraries the content preloads are included, nothing else of the server.

Layout (the reference's SCORM package table: ``index.html``, ``content.json`` and the
media folders ``images/``, ``videos/``, ``audios/``, ``files/`` at the root)::

    index.html  h5p-integration.js  content.json  images/…  videos/…
    h5p-core/frame.bundle.js  h5p-core/styles/…  h5p-core/fonts/…  h5p-core/images/…
    libraries/<Machine.Name-major.minor>/…
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.h5p.content import content_libraries, content_prefix, main_library
from learnloop.h5p.core_assets import core_directory
from learnloop.h5p.export.errors import ContentFileNameTaken
from learnloop.h5p.libraries import library_assets, library_prefix
from learnloop.h5p.models import DependencyType, H5PContent, H5PLibrary
from learnloop.h5p.player import content_activity_url, content_metadata, display_options
from learnloop.h5p.player_l10n import CORE_L10N
from learnloop.storage import FileStorage

LAUNCH_PAGE = "index.html"
INTEGRATION_SCRIPT = "h5p-integration.js"
CONTENT_JSON = "content.json"
CORE_FOLDER = "h5p-core"
LIBRARIES_FOLDER = "libraries"
CORE_SCRIPT = f"{CORE_FOLDER}/frame.bundle.js"
CORE_STYLE = f"{CORE_FOLDER}/styles/h5p.css"
# h5p.css loads its fonts and images relative to itself (../fonts/, ../images/).
CORE_ASSET_FOLDERS = ("styles", "fonts", "images")
PRELOADED = frozenset({DependencyType.PRELOADED.value})
PAGE_STYLE = "html.h5p-iframe, html.h5p-iframe body { margin: 0; padding: 0; background: #fff; }"


@dataclass(frozen=True)
class PackageEntry:
    """One file of the package: its ``/``-separated path and how to read its bytes."""

    path: str
    read: Callable[[], bytes]


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _stored(storage: FileStorage, key: str) -> Callable[[], bytes]:
    return lambda: storage.get_bytes(key)


def _local(path: Path) -> Callable[[], bytes]:
    return path.read_bytes


def needed_libraries(session: Session, content: H5PContent) -> list[H5PLibrary]:
    """The preloaded libraries in load order, the main library last if it was not listed."""
    library = main_library(session, content)
    libraries = content_libraries(session, content.id, PRELOADED)
    if not any(item.id == library.id for item in libraries):
        libraries.append(library)
    return libraries


def core_entries(settings: Settings) -> list[PackageEntry]:
    root = core_directory(settings)
    entries = [PackageEntry(CORE_SCRIPT, _local(root / "frame.bundle.js"))]
    for folder in CORE_ASSET_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                relative = path.relative_to(root).as_posix()
                entries.append(PackageEntry(f"{CORE_FOLDER}/{relative}", _local(path)))
    return entries


def library_entries(storage: FileStorage, libraries: Sequence[H5PLibrary]) -> list[PackageEntry]:
    entries = []
    for library in libraries:
        root = library_prefix(library) + "/"
        for key in storage.list_keys(root):
            # Storage keys are "libraries/<folder>/<path>", the package path as well.
            entries.append(PackageEntry(key, _stored(storage, key)))
    return entries


def content_entries(
    storage: FileStorage, content: H5PContent, reserved: frozenset[str]
) -> list[PackageEntry]:
    entries = [
        PackageEntry(
            CONTENT_JSON, _constant(json.dumps(content.params, ensure_ascii=False).encode())
        )
    ]
    prefix = content_prefix(content.id) + "/"
    for key in storage.list_keys(prefix):
        relative = key.removeprefix(prefix)
        if relative.split("/", 1)[0] in reserved:
            raise ContentFileNameTaken(
                f"The content file {relative!r} has the name of a player file; rename it"
            )
        entries.append(PackageEntry(relative, _stored(storage, key)))
    return entries


def integration_for(
    settings: Settings,
    content: H5PContent,
    library: H5PLibrary,
    scripts: list[str],
    styles: list[str],
    *,
    save_state_seconds: int | None,
) -> dict[str, Any]:
    """``H5PIntegration`` with relative URLs (made absolute by the integration script)."""
    contents = {
        f"cid-{content.id}": {
            "library": library.ubername,
            "jsonContent": json.dumps(content.params, ensure_ascii=False),
            "fullScreen": "1" if library.library_json.get("fullscreen") else "0",
            "exportUrl": "",
            "embedCode": "",
            "resizeCode": "",
            # The xAPI object id stays the server's IRI, so statements an LMS forwards
            # name the same activity as the online player's.
            "url": content_activity_url(settings, content.id),
            "contentUrl": ".",
            "title": content.title,
            "mainId": content.id,
            # Offline there is no server to download from or embed: only the rights dialog.
            "displayOptions": display_options(may_export=False, may_embed=False),
            "metadata": content_metadata(content),
            "scripts": scripts,
            "styles": styles,
        }
    }
    return {
        "baseUrl": ".",
        "url": ".",
        "urlLibraries": LIBRARIES_FOLDER,
        "siteUrl": ".",
        "postUserStatistics": False,
        "ajax": {"setFinished": "", "contentUserData": ""},
        # H5P core hands the content its previous state only while saving is on.
        "saveFreq": save_state_seconds if save_state_seconds else False,
        "l10n": {"H5P": dict(CORE_L10N)},
        "hubIsEnabled": False,
        "reportingIsEnabled": False,
        "libraryConfig": {},
        "crossorigin": None,
        "core": {"scripts": [CORE_SCRIPT], "styles": [CORE_STYLE]},
        "loadedJs": [],
        "loadedCss": [],
        "contents": contents,
    }


def integration_script(integration: dict[str, Any], content_id: str) -> bytes:
    # H5P core's getPath() and getLibraryPath() need absolute URLs: they are resolved
    # against the launch page here, which works under http(s):// and file:// alike.
    return (
        "/* H5PIntegration for the offline player; URLs resolved against this page. */\n"
        f"window.H5PIntegration = {json.dumps(integration, ensure_ascii=True)};\n"
        "(function () {\n"
        "  'use strict';\n"
        "  var here = new URL('.', window.location.href).href.replace(/\\/$/, '');\n"
        "  var integration = window.H5PIntegration;\n"
        "  integration.baseUrl = here;\n"
        "  integration.url = here;\n"
        "  integration.siteUrl = here;\n"
        f"  integration.urlLibraries = here + '/{LIBRARIES_FOLDER}';\n"
        f"  integration.contents[{json.dumps('cid-' + content_id)}].contentUrl = here;\n"
        "})();\n"
    ).encode()


def launch_page(content: H5PContent, language: str, scripts: list[str], styles: list[str]) -> bytes:
    def attribute(value: str) -> str:
        return html.escape(value, quote=True)

    lines = [
        "<!doctype html>",
        f'<html lang="{attribute(language)}" class="h5p-iframe">',
        "<head>",
        '  <meta charset="utf-8">',
        '  <meta name="viewport" content="width=device-width, initial-scale=1">',
        f"  <title>{html.escape(content.title)}</title>",
        '  <link rel="icon" href="data:,">',
        *(f'  <link rel="stylesheet" href="{attribute(href)}">' for href in styles),
        f"  <style>{PAGE_STYLE}</style>",
        f'  <script src="{INTEGRATION_SCRIPT}"></script>',
        "</head>",
        "<body>",
        f'  <div class="h5p-content" data-content-id="{attribute(content.id)}"></div>',
        *(f'  <script src="{attribute(src)}"></script>' for src in scripts),
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines).encode()


def offline_player_entries(
    session: Session,
    storage: FileStorage,
    settings: Settings,
    content: H5PContent,
    *,
    runtime_scripts: Sequence[PackageEntry] = (),
    save_state_seconds: int | None = None,
    package_files: frozenset[str] = frozenset(),
) -> list[PackageEntry]:
    """Every file the offline player needs; ``runtime_scripts`` run after the libraries.

    ``runtime_scripts`` are loaded after the libraries and before H5P core initialises
    the content (on DOM ready), so they may prepare ``H5PIntegration`` and listen to
    ``H5P.externalDispatcher``. ``package_files`` are further top-level names the
    package uses (a manifest), which content files may not take either.
    """
    library = main_library(session, content)
    libraries = needed_libraries(session, content)
    assets = library_assets(libraries)
    scripts = [CORE_SCRIPT, *assets.scripts, *(entry.path for entry in runtime_scripts)]
    styles = [CORE_STYLE, *assets.styles]
    integration = integration_for(
        settings,
        content,
        library,
        list(assets.scripts),
        list(assets.styles),
        save_state_seconds=save_state_seconds,
    )
    language = str(content.metadata_json.get("defaultLanguage") or content.language or "en")
    player_files = [
        PackageEntry(LAUNCH_PAGE, _constant(launch_page(content, language, scripts, styles))),
        PackageEntry(INTEGRATION_SCRIPT, _constant(integration_script(integration, content.id))),
        *runtime_scripts,
    ]
    reserved = frozenset(
        {
            CORE_FOLDER,
            LIBRARIES_FOLDER,
            CONTENT_JSON,
            *(entry.path.split("/", 1)[0] for entry in player_files),
            *package_files,
        }
    )
    return [
        *player_files,
        *core_entries(settings),
        *library_entries(storage, libraries),
        *content_entries(storage, content, reserved),
    ]
