"""What the editor pages add to the web app's page headers."""

from __future__ import annotations

from urllib.parse import urlsplit

from learnloop.config import Settings
from learnloop.files_origin import files_base
from learnloop.web.layout import PAGE_HEADERS


def editor_headers(settings: Settings) -> dict[str, str]:
    """The pages' CSP, plus the files origin for previews of uploaded and stored media:
    content and temp files may be redirected there (learnloop/files_origin.py), and an
    <img>/<video> of the form must still load them."""
    policy = PAGE_HEADERS["Content-Security-Policy"]
    parts = urlsplit(files_base(settings))
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    media = f"'self' data: blob:{' ' + origin if origin else ''}"
    policy = policy.replace("img-src 'self' data:", f"img-src {media}; media-src {media}")
    return {"Content-Security-Policy": policy}
