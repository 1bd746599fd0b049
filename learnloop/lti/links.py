"""The resource links LearnLoop hands to platforms: ``<base>/lti/content/<content id>``."""

from __future__ import annotations

from urllib.parse import quote, unquote

CONTENT_LINK_PATH = "/lti/content/"


def content_link(base_url: str, content_id: str) -> str:
    return base_url.rstrip("/") + CONTENT_LINK_PATH + quote(content_id, safe="")


def linked_content_id(base_url: str, target_link_uri: str) -> str | None:
    prefix = base_url.rstrip("/") + CONTENT_LINK_PATH
    if not target_link_uri.startswith(prefix):
        return None
    content_id = unquote(target_link_uri[len(prefix) :].split("?", 1)[0])
    return content_id or None
