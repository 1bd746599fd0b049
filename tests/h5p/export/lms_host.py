"""A local "LMS" for the SCORM tests: a static site on 127.0.0.1 whose host page provides
scorm-again's SCORM 1.2 or 2004 API and launches the exported SCO in a frame."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Frame, Page

from tests.h5p.export.conftest import REPOSITORY_ROOT, unpack

SCORM_AGAIN_DIST = REPOSITORY_ROOT / "node_modules" / "scorm-again" / "dist"
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LMS</title>
<link rel="icon" href="data:,">
<script src="scorm12.js"></script><script src="scorm2004.js"></script></head>
<body><iframe id="sco" title="SCO" style="width: 1000px; height: 900px"></iframe></body></html>
"""
# The LMS side: scorm-again's API with no server behind it, optionally preloaded
# with stored data (a resumed attempt), exposed where ADL's discovery looks.
# A frame between the LMS page and the SCO, as many LMS players have.
NESTING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Player</title><link rel="icon" href="data:,">
</head><body><iframe id="inner" title="SCO" src="sco/index.html"
style="width: 1000px; height: 900px"></iframe></body></html>
"""
# The LMS side: scorm-again's API with no server behind it, optionally preloaded
# with stored data (a resumed attempt), exposed where ADL's discovery looks; the SCO
# opens in a frame, in a frame inside a frame, or in a new window.
LAUNCH_SCRIPT = """
({version, preset, launch}) => {
  const settings = {autocommit: false, lmsCommitUrl: false, logLevel: 5};
  const api = version === '1.2' ? new Scorm12API(settings) : new Scorm2004API(settings);
  if (preset) { api.loadFromJSON(preset, ''); }
  window.lmsEvents = [];
  for (const name of ['LMSInitialize', 'LMSCommit', 'LMSFinish', 'Initialize', 'Commit',
                      'Terminate']) {
    api.on(name, () => window.lmsEvents.push(name));
  }
  window[version === '1.2' ? 'API' : 'API_1484_11'] = api;
  window.lmsApi = api;
  if (launch === 'window') {
    window.open('sco/index.html', 'sco');
  } else {
    document.getElementById('sco').src = launch === 'nested' ? 'nest.html' : 'sco/index.html';
  }
}
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@dataclass
class LocalLms:
    base_url: str
    root: Path

    def install_package(self, package: bytes) -> None:
        target = self.root / "sco"
        if target.exists():
            shutil.rmtree(target)
        unpack(package, target)

    def launch(self, page: Page, version: str, preset: dict[str, Any] | None = None) -> Frame:
        page.goto(f"{self.base_url}/host.html")
        page.evaluate(LAUNCH_SCRIPT, {"version": version, "preset": preset, "launch": "frame"})
        frame = page.frame_locator("#sco")
        frame.locator(".h5p-content.h5p-initialized").wait_for(timeout=30_000)
        handle = page.query_selector("#sco")
        assert handle is not None
        content_frame = handle.content_frame()
        assert content_frame is not None
        return content_frame

    def launch_nested(self, page: Page, version: str) -> Frame:
        page.goto(f"{self.base_url}/host.html")
        page.evaluate(LAUNCH_SCRIPT, {"version": version, "preset": None, "launch": "nested"})
        inner = page.frame_locator("#sco").frame_locator("#inner")
        inner.locator(".h5p-content.h5p-initialized").wait_for(timeout=30_000)
        frame = next(f for f in page.frames if f.url.endswith("/sco/index.html"))
        return frame

    def launch_window(self, page: Page, version: str) -> Page:
        page.goto(f"{self.base_url}/host.html")
        with page.context.expect_page() as opened:
            page.evaluate(LAUNCH_SCRIPT, {"version": version, "preset": None, "launch": "window"})
        window = opened.value
        window.locator(".h5p-content.h5p-initialized").wait_for(timeout=30_000)
        return window

    def unload_sco(self, page: Page) -> None:
        """The learner leaves: the frame navigates away, the SCO finishes on unload."""
        page.evaluate("document.getElementById('sco').src = 'about:blank'")
        page.wait_for_function("window.lmsApi.isTerminated()", timeout=10_000)

    def received(self, page: Page) -> dict[str, Any]:
        data: dict[str, Any] = page.evaluate("JSON.parse(JSON.stringify(window.lmsApi.cmi))")
        return data


@contextmanager
def local_lms(root: Path) -> Iterator[LocalLms]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "host.html").write_text(HOST_PAGE)
    (root / "nest.html").write_text(NESTING_PAGE)
    for name in ("scorm12.js", "scorm2004.js"):
        shutil.copyfile(SCORM_AGAIN_DIST / name, root / name)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalLms(f"http://127.0.0.1:{server.server_address[1]}", root)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
