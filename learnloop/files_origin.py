"""Where files users uploaded are served from, and with which headers.

Nothing a user uploaded (H5P library and content files, temporary uploads, cmi5 AU files)
may run with the app origin's privileges (ARCHITECTURE.md, "Untrusted files"). Two layers:

- ``LEARNLOOP_FILES_BASE_URL`` (recommended in production): a separate origin, e.g.
  ``https://files.learn.example``, that reaches this same server. File URLs handed to the
  player point there, and a file route asked on any other host answers with a redirect
  to it, so a document from an upload never shares the app's origin or its cookie.
- Always: ``Content-Security-Policy: sandbox`` without ``allow-same-origin`` on every
  file response, so a file opened directly (an SVG, XML or HTML page navigated to) runs
  in an opaque origin even when it is served from the app's own host. Scripts and styles
  a page loads as subresources are not affected by the header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse

from learnloop.config import Settings

# H5P files are never meant to be documents: opened directly they get no script at all.
SANDBOXED_FILE_POLICY = "sandbox; frame-ancestors *"
# cmi5 AUs are documents that need script (CSP3 sandbox tokens, as for <iframe sandbox>);
# without allow-same-origin they reach the LRS only through the fetch token's credentials
# (Origin: null, answered by the LRS's CORS) and never with the signed-in user's cookie.
SANDBOXED_PAGE_POLICY = (
    "sandbox allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox "
    "allow-modals allow-downloads"
)
UPLOADED_FILE_HEADERS = {
    "Content-Security-Policy": SANDBOXED_FILE_POLICY,
    "X-Content-Type-Options": "nosniff",
}


def files_base(settings: Settings) -> str:
    """The files origin without a trailing slash, or "" to serve files from the app's host."""
    return settings.files_base_url.rstrip("/")


def files_url(settings: Settings, path: str) -> str:
    """``path`` (absolute, e.g. ``/h5p/libraries/...``) on the files origin when one is set."""
    return f"{files_base(settings)}{path}"


def files_origin_redirect(request: Request, settings: Settings) -> RedirectResponse | None:
    """A redirect to the same path on the files origin when the request came to another
    host; None when files are served here (no files origin, or this is it)."""
    base = files_base(settings)
    if not base:
        return None
    if request.url.netloc.lower() == urlsplit(base).netloc.lower():
        return None
    target = f"{base}{request.url.path}"
    if request.url.query:
        target = f"{target}?{request.url.query}"
    return RedirectResponse(target, status_code=307, headers={"X-Content-Type-Options": "nosniff"})
