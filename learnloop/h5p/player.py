"""The player model: the ``H5PIntegration`` object H5P core reads, and its assets.

Built as Lumi's ``H5PPlayer.generateIntegration`` builds it, for the H5P core that the
npm package ``h5p-standalone`` ships (its ``frame.bundle.js`` is h5p.js, the event
dispatcher, xAPI, request queue … with jQuery). H5P core reads:

- ``contents["cid-<id>"]``: ``library`` (ubername), ``jsonContent`` (params as a JSON
  *string*), ``fullScreen``, ``exportUrl``, ``embedCode``, ``resizeCode``,
  ``displayOptions``, ``url`` (the xAPI object id), ``contentUrl`` (where content files
  are), ``contentUserData`` (preloaded values, ``{subContentId: {dataType: string}}``);
- ``url``/``urlLibraries`` for paths, ``ajax.setFinished`` and ``ajax.contentUserData``
  (with ``:contentId``, ``:dataType``, ``:subContentId`` placeholders), ``user``,
  ``saveFreq`` (seconds, or false), ``postUserStatistics``, ``l10n``.

The AJAX URLs carry the caller's credential so that the browser's requests authenticate
the same way the page did: the token for ``?token=``/bearer callers (the reference's
iframe embedding), the CSRF token for cookie callers (:mod:`learnloop.auth.csrf`).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.files_origin import files_base, files_url
from learnloop.h5p.content import content_libraries, main_library
from learnloop.h5p.libraries import library_assets
from learnloop.h5p.models import DependencyType, H5PContent, H5PLibrary
from learnloop.h5p.player_files import content_files_url
from learnloop.h5p.player_l10n import CORE_L10N, translated_params
from learnloop.h5p.user_data import preloaded_user_data
from learnloop.storage import FileStorage

H5P_PREFIX = "/h5p"
CORE_URL = f"{H5P_PREFIX}/core"
# h5p-standalone's frame.bundle.js is H5P core (h5p.js and friends) plus its jQuery.
CORE_SCRIPTS = [f"{CORE_URL}/frame.bundle.js"]
CORE_STYLES = [f"{CORE_URL}/styles/h5p.css"]
RESIZER_URL = f"{H5P_PREFIX}/player/resizer.js"
PRELOADED = frozenset({DependencyType.PRELOADED.value})


@dataclass(frozen=True)
class Credentials:
    """What the generated URLs carry: an explicit token, or a CSRF token (cookie callers)."""

    token: str | None = None
    csrf: str | None = None

    def query(self) -> str:
        pairs = {}
        if self.token:
            pairs["token"] = self.token
        if self.csrf:
            pairs["csrf"] = self.csrf
        return f"?{urlencode(pairs)}" if pairs else ""


@dataclass(frozen=True)
class PlayerModel:
    integration: dict[str, Any]
    scripts: list[str]
    styles: list[str]
    content_id: str
    title: str
    language: str


def content_activity_url(settings: Settings, content_id: str) -> str:
    """The xAPI object id; the same IRI the reference's h5p-event endpoint uses."""
    return f"{settings.base_url.rstrip('/')}{H5P_PREFIX}/content/{content_id}"


def embed_url(settings: Settings, content_id: str) -> str:
    return f"{settings.base_url.rstrip('/')}{H5P_PREFIX}/embed/{content_id}"


def _versioned(files_base: str, library: H5PLibrary, key: str) -> str:
    # Library folders are served as immutable; the patch version busts caches on upgrade.
    return f"{files_base}{H5P_PREFIX}/{key}?v={library.version}"


def content_assets(
    libraries: list[H5PLibrary], files_base: str = ""
) -> tuple[list[str], list[str]]:
    """URLs of the libraries' scripts and styles, on the files origin ``files_base`` if any."""
    scripts: list[str] = []
    styles: list[str] = []
    for library in libraries:
        assets = library_assets([library])
        scripts.extend(_versioned(files_base, library, key) for key in assets.scripts)
        styles.extend(_versioned(files_base, library, key) for key in assets.styles)
    return scripts, styles


def display_options(*, may_export: bool, may_embed: bool = True) -> dict[str, bool]:
    """H5PIntegration's displayOptions: the frame's buttons (download, embed, rights)."""
    return {
        "frame": True,
        "export": may_export,
        "embed": may_embed,
        "copyright": True,
        "icon": False,
        "copy": False,
    }


def content_metadata(content: H5PContent) -> dict[str, Any]:
    """The content's metadata as H5PIntegration.contents carries it."""
    metadata = content.metadata_json
    wanted = ("title", "license", "authors", "source", "yearFrom", "yearTo", "licenseVersion")
    result = {key: metadata[key] for key in wanted if key in metadata}
    result.setdefault("title", content.title)
    result["defaultLanguage"] = metadata.get("defaultLanguage", "en")
    return result


def build_player_model(
    session: Session,
    storage: FileStorage,
    settings: Settings,
    user: User,
    content: H5PContent,
    *,
    credentials: Credentials,
    language: str | None,
    may_export: bool,
) -> PlayerModel:
    library = main_library(session, content)
    libraries = content_libraries(session, content.id, PRELOADED)
    if not any(item.id == library.id for item in libraries):
        libraries.append(library)  # content recorded before its libraries: still playable
    scripts, styles = content_assets(libraries, files_base(settings))
    params: Any = content.params
    if language:
        params = translated_params(session, storage, library, params, language)
    query = credentials.query()
    base = settings.base_url.rstrip("/")
    embed = embed_url(settings, content.id)
    title = html.escape(content.title, quote=True)
    contents = {
        f"cid-{content.id}": {
            "library": library.ubername,
            "jsonContent": json.dumps(params, ensure_ascii=False),
            "fullScreen": "1" if library.library_json.get("fullscreen") else "0",
            "exportUrl": f"{H5P_PREFIX}/content/{content.id}/export",
            "embedCode": (
                f'<iframe src="{embed}" width=":w" height=":h" frameborder="0" '
                f'allowfullscreen="allowfullscreen" title="{title}"></iframe>'
            ),
            "resizeCode": f'<script src="{base}{RESIZER_URL}" charset="UTF-8"></script>',
            "url": content_activity_url(settings, content.id),
            "contentUrl": files_url(settings, content_files_url(settings, content.id, user.id)),
            "title": content.title,
            "mainId": content.id,
            "displayOptions": display_options(may_export=may_export),
            "metadata": content_metadata(content),
            "contentUserData": preloaded_user_data(session, content, user.id),
            "scripts": scripts,
            "styles": styles,
        }
    }
    l10n: dict[str, Any] = {"H5P": dict(CORE_L10N)}
    saving = settings.h5p_save_freq_seconds > 0
    integration: dict[str, Any] = {
        "baseUrl": base,
        "url": H5P_PREFIX,
        "urlLibraries": files_url(settings, f"{H5P_PREFIX}/libraries"),
        "siteUrl": base,
        "postUserStatistics": settings.h5p_set_finished_enabled,
        "ajax": {
            "setFinished": f"{settings.h5p_set_finished_url}{query}",
            "contentUserData": (
                f"{H5P_PREFIX}/contentUserData/:contentId/:dataType/:subContentId{query}"
            ),
        },
        "saveFreq": settings.h5p_save_freq_seconds if saving else False,
        "user": {"name": user.display_name, "mail": user.email, "id": user.id},
        "l10n": l10n,
        "hubIsEnabled": False,
        "reportingIsEnabled": False,
        "libraryConfig": {},
        "crossorigin": None,
        "core": {"scripts": CORE_SCRIPTS, "styles": CORE_STYLES},
        "loadedJs": [],
        "loadedCss": [],
        "contents": contents,
    }
    return PlayerModel(
        integration=integration,
        scripts=[*CORE_SCRIPTS, *scripts],
        styles=[*CORE_STYLES, *styles],
        content_id=content.id,
        title=content.title,
        language=language or str(content.metadata_json.get("defaultLanguage") or "en"),
    )
