"""Which hosted content a statement is about.

The reference writes statements about ``{baseUrl}/h5p/content/{contentId}``; H5P emits
the questions of a compound content as ``{that id}?subContentId={uuid}`` (H5P core
``H5P.XAPIEvent.setObject``). Any host is accepted: the base URL of a deployment can
change, and the path is what names the content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from learnloop.analytics.models import CONTENT_ID_LENGTH, QUESTION_ID_LENGTH

_CONTENT_SEGMENT = "/h5p/content/"
_CONTENT_PATH = re.compile(r"/h5p/content/([^/]+)/?$")


@dataclass(frozen=True)
class ContentActivity:
    content_id: str
    question_id: str | None


def content_activity(activity_id: str) -> ContentActivity | None:
    """``…/h5p/content/abc?subContentId=q1`` → content ``abc``, question ``q1``."""
    if _CONTENT_SEGMENT not in activity_id:
        return None  # most statements are about other activities: skip parsing them
    try:
        parts = urlsplit(activity_id)
    except ValueError:
        return None
    match = _CONTENT_PATH.search(parts.path)
    if match is None:
        return None
    content_id = match.group(1)
    if len(content_id) > CONTENT_ID_LENGTH:
        return None
    question_ids = parse_qs(parts.query).get("subContentId")
    question_id = question_ids[0] if question_ids else None
    if question_id is not None and (not question_id or len(question_id) > QUESTION_ID_LENGTH):
        return None
    return ContentActivity(content_id=content_id, question_id=question_id)


def content_activity_id(base_url: str, content_id: str) -> str:
    return f"{base_url.rstrip('/')}/h5p/content/{content_id}"
