"""``/docs`` loads nothing from the internet: Swagger UI is served from node_modules."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from tests.support.browser import chromium
from tests.support.live_server import LiveServer


def test_docs_reference_only_same_origin_urls(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
    assert urls, page.text
    for url in urls:
        assert not urlsplit(url).netloc, url
        assert url.startswith("/"), url
    assert "cdn" not in page.text.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        response = client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200, asset
        assert response.headers["x-content-type-options"] == "nosniff"


def test_docs_assets_are_an_allow_list(client: TestClient) -> None:
    for name in ("package.json", "..%2F..%2Fpackage.json", "index.html"):
        assert client.get(f"/docs/assets/{name}").status_code == 404


def test_redoc_is_not_offered(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404


def test_docs_render_in_chromium_without_any_external_request(live_server: LiveServer) -> None:
    base = live_server.base_url
    origin = urlsplit(base).netloc
    requested: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}/docs")
        page.wait_for_selector(".swagger-ui .opblock-tag", timeout=30_000)
        assert page.locator(".swagger-ui .info .title").inner_text().startswith("LearnLoop")
        page.close()
    assert requested
    external = [url for url in requested if urlsplit(url).netloc not in (origin, "")]
    assert external == []
