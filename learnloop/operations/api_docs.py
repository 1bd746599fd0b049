"""``/docs``: Swagger UI for the OpenAPI document, served from this server.

FastAPI's default pages load Swagger UI and ReDoc from a CDN, so they stay blank on a
server without internet access and tell a third party who reads the docs. Swagger UI
comes from ``swagger-ui-dist`` (npm, pinned in package.json) through the allow-list
below. ReDoc ships in no installed package, so ``/redoc`` is not offered.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from learnloop.errors import NotFound

SWAGGER_UI_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"
ASSET_PREFIX = "/docs/assets"
# name under /docs/assets/ → file under node_modules/swagger-ui-dist/
SWAGGER_UI_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} — API",
        swagger_js_url=f"{root}{ASSET_PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSET_PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSET_PREFIX}/favicon-32x32.png",
    )


@router.get(ASSET_PREFIX + "/{name}")
def swagger_ui_file(name: str) -> FileResponse:
    media_type = SWAGGER_UI_FILES.get(name)
    if media_type is None:
        raise NotFound(f"No such asset: {name}")
    path = SWAGGER_UI_DIR / name
    if not path.is_file():
        raise NotFound(f"Asset {name} is not installed (run npm ci)")
    return FileResponse(
        path,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
