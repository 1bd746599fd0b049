"""The teacher's content library as a page shows it: the owner's content (one query,
``h5p.content_list``) searched, filtered by type, topic and visibility, and sorted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.h5p.content_list import ContentListRow, list_owned_content

SortKey = Literal["updated", "title", "type", "views"]
SORT_LABELS: dict[str, str] = {
    "updated": "Recently changed",
    "title": "Title (A–Z)",
    "type": "Content type",
    "views": "Most viewed",
}


@dataclass(frozen=True)
class LibraryQuery:
    search: str = ""
    content_type: str = ""
    topic: str = ""
    visibility: str = ""
    sort: str = "updated"


@dataclass(frozen=True)
class LibraryListing:
    rows: list[ContentListRow]
    total: int
    content_types: list[str]
    topics: list[str]


def topics_of(row: ContentListRow) -> list[str]:
    return list(row.curriculum.topic_names) if row.curriculum is not None else []


def library_listing(session: Session, user: User, query: LibraryQuery) -> LibraryListing:
    everything = list_owned_content(session, user)
    needle = query.search.strip().casefold()
    rows = [
        row
        for row in everything
        if (not needle or needle in row.title.casefold())
        and (not query.content_type or row.machine_name == query.content_type)
        and (not query.topic or query.topic in topics_of(row))
        and (not query.visibility or row.visibility == query.visibility)
    ]
    if query.sort == "title":
        rows.sort(key=lambda row: (row.title.casefold(), row.id))
    elif query.sort == "type":
        rows.sort(key=lambda row: (row.machine_name, row.title.casefold()))
    elif query.sort == "views":
        rows.sort(key=lambda row: (-row.view_count, row.title.casefold()))
    return LibraryListing(
        rows=rows,
        total=len(everything),
        content_types=sorted({row.machine_name for row in everything}),
        topics=sorted({topic for row in everything for topic in topics_of(row)}),
    )
