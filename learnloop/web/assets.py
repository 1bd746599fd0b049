"""Browser files served by the app: vendor files from ``node_modules`` (pinned in
package.json) and this package's own static files, each by an explicit allow-list so a
request can never name any other file."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from learnloop.errors import NotFound

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
STATIC_DIR = Path(__file__).resolve().parent / "static"

# name under /assets/vendor/ → file under node_modules/
VENDOR_FILES: dict[str, str] = {
    "chart.js": "chart.js/dist/chart.umd.js",
    "htmx.js": "htmx.org/dist/htmx.min.js",
    # Built by scripts/bootstrap from learnloop/web/static/editor/richtext-entry.js.
    "richtext.js": ".learnloop-build/richtext.js",
}

# name under /assets/static/ → file under learnloop/web/static/
STATIC_FILES: dict[str, str] = {
    "analytics.css": "analytics.css",
    "analytics.js": "analytics.js",
    "app.css": "app.css",
    "app.js": "app.js",
    # The H5P editor (docs: editor contract §3): the form engine and its page styles, the
    # widget files and their styles.
    "editor/engine.js": "editor/engine.js",
    "editor/editor.css": "editor/editor.css",
    "editor/widgets.css": "editor/widgets.css",
    "editor/widgets-media.js": "editor/widgets-media.js",
}
# The widget files named by pattern in the contract (widget-*.js, visual-*.js): the ones
# present when the app starts join the allow-list, so a request still names only these.
STATIC_FILES.update(
    {
        f"editor/{path.name}": f"editor/{path.name}"
        for pattern in ("widget-*.js", "visual-*.js")
        for path in sorted((STATIC_DIR / "editor").glob(pattern))
    }
)

MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
CACHE = "public, max-age=3600"

router = APIRouter(prefix="/assets", tags=["assets"], include_in_schema=False)


def _serve(base: Path, table: dict[str, str], name: str) -> FileResponse:
    relative = table.get(name)
    if relative is None:
        raise NotFound(f"No such asset: {name}")
    path = base / relative
    if not path.is_file():
        raise NotFound(f"Asset {name} is not installed (run npm ci)")
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
        headers={"Cache-Control": CACHE, "X-Content-Type-Options": "nosniff"},
    )


@router.get("/vendor/{name}")
def vendor_file(name: str) -> FileResponse:
    return _serve(NODE_MODULES, VENDOR_FILES, name)


@router.get("/static/{name:path}")
def static_file(name: str) -> FileResponse:
    return _serve(STATIC_DIR, STATIC_FILES, name)
