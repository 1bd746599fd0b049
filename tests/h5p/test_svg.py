"""SVG content is cleaned of scripts, event handlers and outside references."""

from __future__ import annotations

import pytest

from learnloop.h5p.svg import UnsafeSvg, sanitize_svg
from tests.h5p.conftest import import_file

NASTY = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
  <script>alert(2)</script>
  <foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil"/></body></foreignObject>
  <a href="javascript:alert(3)"><rect width="10" height="10" onclick="alert(4)"/></a>
  <image href="https://evil.example/track.png" width="1" height="1"/>
  <use xlink:href="https://evil.example/sprite.svg#x"/>
  <use href="#local"/>
  <rect id="local" style="fill: url(https://evil.example/p.svg#g)" fill="url(#grad)"/>
  <style>@import url(https://evil.example/x.css); rect { fill: red; }</style>
  <circle cx="5" cy="5" r="4" style="fill:#666"/>
</svg>"""


def test_scripts_handlers_and_outside_references_are_removed():
    cleaned = sanitize_svg(NASTY).decode()
    for forbidden in (
        "script",
        "alert",
        "onload",
        "onclick",
        "foreignObject",
        "evil",
        "javascript",
        "@import",
    ):
        assert forbidden not in cleaned, forbidden
    assert '<use href="#local"' in cleaned
    assert 'fill="url(#grad)"' in cleaned
    assert '<circle cx="5" cy="5" r="4" style="fill:#666"' in cleaned


def test_entities_and_non_svg_documents_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    with pytest.raises(UnsafeSvg):
        sanitize_svg(bomb)
    with pytest.raises(UnsafeSvg):
        sanitize_svg(b"<html><script>alert(1)</script></html>")
    with pytest.raises(UnsafeSvg):
        sanitize_svg(b"not xml at all")


def test_sanitising_twice_changes_nothing():
    once = sanitize_svg(NASTY)
    assert sanitize_svg(once) == once


def test_xss_svg_fixture_imports_with_its_svg_sanitised(client, admin, validator_dir, storage):
    response = import_file(client, admin.headers, validator_dir / "xss-svg.h5p")

    assert response.status_code == 201, response.text
    content_id = response.json()["data"]["contentId"]
    stored = storage.get_bytes(f"content/{content_id}/images/xss.svg").decode()
    assert "<script" not in stored and "alert" not in stored and "sodipodi" not in stored
    assert "<circle" in stored
    served = client.get(f"/h5p/content/{content_id}/images/xss.svg", headers=admin.headers)
    assert served.headers["content-type"] == "image/svg+xml"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in served.text
