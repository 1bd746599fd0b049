"""The learner's pages: ``/my-assignments`` (what is assigned, due dates, status, score)
and ``/play/{id}`` (the player inside the app's layout; H5P core restores the saved
state, so playing again resumes where the learner left off)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from learnloop.deps import SessionDep
from learnloop.h5p import content as content_service
from learnloop.web.assignments.listing import learner_assignments
from learnloop.web.layout import PageRoute, SignedIn, render

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)

ContentId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/my-assignments")
def my_assignments(request: Request, user: SignedIn, session: SessionDep) -> Response:
    return render(
        request,
        "assignments/mine.html",
        {"assignments": learner_assignments(session, user.id)},
        user=user,
    )


@router.get("/play/{content_id}")
def play_page(
    content_id: ContentId, request: Request, user: SignedIn, session: SessionDep
) -> Response:
    content = content_service.readable_content(session, user, content_id)
    return render(request, "assignments/play.html", {"content": content}, user=user)
