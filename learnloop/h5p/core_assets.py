"""H5P core's browser files, served from the npm package ``h5p-standalone``.

The H5P core JavaScript exists on no Python registry, so it is installed with npm
(pinned in ``package.json``, never committed) and read from
``node_modules/h5p-standalone/dist``. ``Settings.h5p_core_dir`` may point elsewhere
(a packaged deployment copies ``dist`` next to the app).
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Settings
from learnloop.errors import NotFound, ServiceUnavailable

PACKAGE_DIST = Path("node_modules") / "h5p-standalone" / "dist"
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


class CoreAssetNotFound(NotFound):
    code = "file_not_found"


class CoreNotInstalled(ServiceUnavailable):
    code = "h5p-core-not-installed"


def core_directory(settings: Settings) -> Path:
    """The configured directory, else ``node_modules`` in the working or source tree."""
    candidates = (
        [settings.h5p_core_dir]
        if settings.h5p_core_dir is not None
        else [Path.cwd() / PACKAGE_DIST, REPOSITORY_ROOT / PACKAGE_DIST]
    )
    for candidate in candidates:
        if (candidate / "frame.bundle.js").is_file():
            return candidate.resolve()
    raise CoreNotInstalled(
        "The H5P core player is not installed: run `npm ci --ignore-scripts` "
        "(h5p-standalone) or set LEARNLOOP_H5P_CORE_DIR"
    )


def core_file(settings: Settings, relative: str) -> Path:
    """The file at ``relative`` inside the core directory; nothing outside it."""
    root = core_directory(settings)
    if not relative or "\x00" in relative or "\\" in relative:
        raise CoreAssetNotFound("File not found")
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise CoreAssetNotFound("File not found")
    return path
