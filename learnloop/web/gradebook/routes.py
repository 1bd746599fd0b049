"""The class gradebook (page and CSV) and the attempt report of one learner on one item.
Only the class's teacher (or an admin) sees them, and only for the class's members and
assigned content."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from learnloop.analytics import classes as class_service
from learnloop.auth.models import User
from learnloop.deps import SessionDep
from learnloop.errors import NotFound
from learnloop.web.classes.views import class_assignments
from learnloop.web.gradebook.attempts import attempt_report
from learnloop.web.gradebook.grid import gradebook, gradebook_csv
from learnloop.web.layout import PageRoute, TeacherPage, render

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)

ClassId = Annotated[str, Path(min_length=1, max_length=36)]


@router.get("/classes/{class_id}/gradebook")
def gradebook_page(
    class_id: ClassId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    output: Annotated[str, Query(alias="format", max_length=10)] = "html",
) -> Response:
    learner_class = class_service.get_class(session, user, class_id)
    book = gradebook(session, learner_class)
    if output == "csv":
        filename = "".join(c if c.isalnum() else "-" for c in learner_class.name)[:60]
        return Response(
            gradebook_csv(book),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="gradebook-{filename}.csv"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
    return render(
        request,
        "gradebook/grid.html",
        {"learner_class": learner_class, "book": book},
        user=user,
    )


@router.get("/classes/{class_id}/report/{learner_id}/{content_id}")
def attempt_page(
    class_id: ClassId,
    learner_id: Annotated[str, Path(min_length=1, max_length=36)],
    content_id: Annotated[str, Path(min_length=1, max_length=100)],
    request: Request,
    user: TeacherPage,
    session: SessionDep,
) -> Response:
    learner_class = class_service.get_class(session, user, class_id)
    if learner_id not in class_service.member_ids(session, class_id):
        raise NotFound("This learner is not in the class")
    item = next(
        (a for a in class_assignments(session, class_id) if a.content_id == content_id), None
    )
    if item is None:
        raise NotFound("This content is not assigned to the class")
    learner = session.get(User, learner_id)
    book = gradebook(session, learner_class)
    return render(
        request,
        "gradebook/attempt.html",
        {
            "learner_class": learner_class,
            "learner": learner,
            "item": item,
            "standing": book.cell(learner_id, content_id),
            "questions": attempt_report(session, learner_id, content_id),
        },
        user=user,
    )
