"""What analytics shows about content: title, owner and topics from the H5P tables.

Topics are the curriculum's ``topicNames``; content without any is its own topic, named
by its title (or its id when the server does not host it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.h5p.models import ContentCurriculum, ContentOwnership, H5PContent, Visibility


@dataclass(frozen=True)
class ContentInfo:
    content_id: str
    title: str
    owner_id: str | None
    public: bool
    topics: tuple[str, ...]


def content_infos(session: Session, content_ids: Iterable[str]) -> dict[str, ContentInfo]:
    ids = sorted(set(content_ids))
    if not ids:
        return {}
    titles = {
        content_id: title
        for content_id, title in session.execute(
            select(H5PContent.id, H5PContent.title).where(H5PContent.id.in_(ids))
        )
    }
    owners = {
        content_id: (user_id, visibility)
        for content_id, user_id, visibility in session.execute(
            select(
                ContentOwnership.content_id, ContentOwnership.user_id, ContentOwnership.visibility
            ).where(ContentOwnership.content_id.in_(ids))
        )
    }
    topics = {
        content_id: names
        for content_id, names in session.execute(
            select(ContentCurriculum.content_id, ContentCurriculum.topic_names).where(
                ContentCurriculum.content_id.in_(ids)
            )
        )
    }
    infos: dict[str, ContentInfo] = {}
    for content_id in ids:
        title = titles.get(content_id) or content_id
        owner_id, visibility = owners.get(content_id, (None, None))
        names = tuple(str(name) for name in (topics.get(content_id) or []) if str(name).strip())
        infos[content_id] = ContentInfo(
            content_id=content_id,
            title=title,
            owner_id=owner_id,
            public=visibility == Visibility.PUBLIC.value,
            topics=names or (title,),
        )
    return infos


def owned_content_ids(session: Session, user_id: str) -> set[str]:
    return set(
        session.scalars(
            select(ContentOwnership.content_id).where(ContentOwnership.user_id == user_id)
        )
    )


class OwnedContentActivities:
    """LRS teacher activity provider: the activity IRIs of the H5P content a teacher owns
    (as the player writes them), so the teacher reads statements about it on /xapi/ and
    may describe it with activity profiles, and no other teacher may."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def __call__(self, session: Session, user_id: str) -> list[str]:
        return [
            f"{self.base_url}/h5p/content/{content_id}"
            for content_id in sorted(owned_content_ids(session, user_id))
        ]
