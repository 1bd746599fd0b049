"""Download names for exported packages: a safe ASCII ``filename`` plus ``filename*``.

The reference names its downloads ``<title>.h5p`` and ``<title>_scorm<version>.zip``.
Titles are free text, so the ASCII name drops everything that could break the header or
name a path, and the UTF-8 name (RFC 6266 / RFC 5987) keeps the title as written.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9 ._\-]+")
MAX_STEM_LENGTH = 100


def ascii_stem(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    cleaned = UNSAFE_FILENAME.sub("", ascii_title).strip(" .")
    cleaned = re.sub(r"\s+", " ", cleaned)[:MAX_STEM_LENGTH].strip(" .")
    return cleaned or "content"


def download_filename(title: str, suffix: str) -> str:
    """``suffix`` is appended as is: ``.h5p``, ``_scorm1.2.zip``."""
    return f"{ascii_stem(title)}{suffix}"


def attachment_disposition(title: str, suffix: str) -> str:
    utf8_stem = title.strip()[:MAX_STEM_LENGTH] or "content"
    utf8_name = quote(f"{utf8_stem}{suffix}".replace("/", "_"), safe="")
    return (
        f"attachment; filename=\"{download_filename(title, suffix)}\"; filename*=UTF-8''{utf8_name}"
    )
