"""The teacher's content library: list (search, filter, sort), upload, and per item
preview, rename, curriculum, visibility, download, embed code, share link, assign to a
class and delete (after a confirmation page).

Uploads go to the import API (``POST /h5p/import``) from the page's script, one request
per file, so each file has its own progress bar and its own error message.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from learnloop.analytics import classes as class_service
from learnloop.analytics.access import teacher_content_ids
from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import BadRequest
from learnloop.h5p import content as content_service
from learnloop.h5p import curriculum as curriculum_service
from learnloop.h5p.models import Visibility
from learnloop.h5p.player import embed_url
from learnloop.h5p.quality.service import quality_report
from learnloop.h5p.slugs import content_type_slug
from learnloop.plans.plans import effective_plan, feature_list
from learnloop.storage import FileStorage
from learnloop.web.layout import PageRoute, TeacherPage, redirect, render
from learnloop.web.library.catalog import SORT_LABELS, LibraryQuery, library_listing

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)

ContentId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
ShortText = Annotated[str, Form(max_length=200)]
DIFFICULTIES = ("", "beginner", "intermediate", "advanced")


def due_at_from(value: str) -> datetime | None:
    """A due date from a date input: the end of that day, UTC."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest("The due date must be a date such as 2026-12-31") from exc
    return datetime.combine(day, time(23, 59), tzinfo=UTC)


@router.get("/library")
def library_page(
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    content_type: Annotated[str, Query(alias="type", max_length=200)] = "",
    topic: Annotated[str, Query(max_length=200)] = "",
    visibility: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[str, Query(max_length=20)] = "updated",
) -> Response:
    query = LibraryQuery(
        search=q,
        content_type=content_type,
        topic=topic,
        visibility=visibility if visibility in ("public", "private") else "",
        sort=sort if sort in SORT_LABELS else "updated",
    )
    listing = library_listing(session, user, query)
    return render(
        request,
        "library/list.html",
        {
            "listing": listing,
            "query": query,
            "sort_labels": SORT_LABELS,
            "slug": content_type_slug,
        },
        user=user,
    )


@router.get("/library/{content_id}")
def content_page(
    content_id: ContentId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    content = content_service.owned_content(session, user, content_id)
    ownership = content_service.get_ownership(session, content_id)
    library = content_service.main_library(session, content)
    share_link = embed_url(settings, content_id)
    return render(
        request,
        "library/detail.html",
        {
            "content": content,
            "library": library,
            "visibility": ownership.visibility if ownership else Visibility.PUBLIC.value,
            "curriculum": curriculum_service.get_curriculum(session, content_id),
            "classes": class_service.list_classes(session, user),
            "share_link": share_link,
            "embed_code": (
                f'<iframe src="{share_link}" width="800" height="600" frameborder="0" '
                f'allowfullscreen="allowfullscreen" title="{html.escape(content.title)}"></iframe>'
            ),
            "difficulties": DIFFICULTIES,
            "may_export_scorm": "scorm-export"
            in feature_list(effective_plan(session, user.plan_id, settings.default_plan)),
            # The critic's report (learnloop.h5p.quality), cached per content version.
            "quality": quality_report(session, content, library).report,
        },
        user=user,
    )


@router.post("/library/{content_id}/rename")
def rename_content(
    content_id: ContentId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    title: ShortText,
) -> Response:
    if not title.strip():
        raise BadRequest("A title cannot be empty")
    content = content_service.owned_content(session, user, content_id)
    library = content_service.main_library(session, content)
    content_service.update_content(
        session, user, content_id, library, content.params, {"title": title.strip()}
    )
    return redirect(f"/library/{content_id}", "renamed")


@router.post("/library/{content_id}/curriculum")
def save_curriculum(
    content_id: ContentId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    subject: ShortText = "",
    grade: ShortText = "",
    topics: Annotated[str, Form(max_length=2000)] = "",
    difficulty: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    if difficulty not in DIFFICULTIES:
        raise BadRequest("Difficulty must be beginner, intermediate or advanced")
    topic_names = [topic.strip()[:200] for topic in topics.split(",") if topic.strip()][:50]
    curriculum_service.set_curriculum(
        session,
        user,
        content_id,
        {
            "subject_name": subject.strip() or None,
            "grade_name": grade.strip() or None,
            "topic_names": topic_names,
            "difficulty": difficulty or None,
        },
    )
    return redirect(f"/library/{content_id}", "saved")


@router.post("/library/{content_id}/visibility")
def save_visibility(
    content_id: ContentId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    visibility: Annotated[str, Form(max_length=20)],
) -> Response:
    if visibility not in (Visibility.PUBLIC.value, Visibility.PRIVATE.value):
        raise BadRequest("Visibility must be public or private")
    content_service.set_visibility(session, user, content_id, visibility)
    return redirect(f"/library/{content_id}", "saved")


@router.post("/library/{content_id}/assign")
def assign_to_class(
    content_id: ContentId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    class_id: Annotated[str, Form(max_length=36)],
    due: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    learner_class = class_service.get_class(session, user, class_id)
    class_service.assign_content(
        session, user, learner_class, [content_id], teacher_content_ids(session, user.id)
    )
    class_service.set_due_date(session, learner_class, content_id, due_at_from(due))
    return redirect(f"/classes/{learner_class.id}", "assigned")


@router.get("/library/{content_id}/delete")
def confirm_delete(
    content_id: ContentId, request: Request, user: TeacherPage, session: SessionDep
) -> Response:
    content = content_service.owned_content(session, user, content_id)
    return render(request, "library/delete.html", {"content": content}, user=user)


@router.post("/library/{content_id}/delete")
def delete_content(
    content_id: ContentId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
) -> Response:
    storage: FileStorage = request.app.state.storage
    content_service.delete_content(session, storage, user, content_id)
    return redirect("/library", "deleted")
