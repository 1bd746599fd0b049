"""Classes for teachers: create, rename, delete; the roster (CSV with a preview, add and
remove learners, optionally create learner accounts); assigned content with due dates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import Response

from learnloop.analytics import classes as class_service
from learnloop.analytics.access import teacher_content_ids
from learnloop.analytics.errors import InvalidRoster
from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import Forbidden
from learnloop.web.classes.roster import create_learners, preview_roster
from learnloop.web.classes.views import class_assignments
from learnloop.web.layout import PageRoute, TeacherPage, redirect, render
from learnloop.web.library.catalog import LibraryQuery, library_listing
from learnloop.web.library.routes import due_at_from

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)

ClassId = Annotated[str, Path(min_length=1, max_length=36)]
MAX_ROSTER_BYTES = 1024 * 1024


@router.get("/classes")
def classes_page(request: Request, user: TeacherPage, session: SessionDep) -> Response:
    classes = [
        class_service.class_out(session, learner_class)
        for learner_class in class_service.list_classes(session, user)
    ]
    return render(request, "classes/list.html", {"classes": classes}, user=user)


@router.post("/classes")
def create_class(
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)],
) -> Response:
    learner_class = class_service.create_class(session, user, name)
    return redirect(f"/classes/{learner_class.id}", "created")


@router.get("/classes/{class_id}")
def class_page(
    class_id: ClassId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    learner_class = class_service.get_class(session, user, class_id)
    detail = class_service.class_detail(session, learner_class)
    assigned = class_assignments(session, learner_class.id)
    assigned_ids = {item.content_id for item in assigned}
    library = [
        row
        for row in library_listing(session, user, LibraryQuery(sort="title")).rows
        if row.id not in assigned_ids
    ]
    return render(
        request,
        "classes/detail.html",
        {
            "learner_class": learner_class,
            "detail": detail,
            "assigned": assigned,
            "library": library,
            "may_create_learners": settings.teachers_create_learners,
        },
        user=user,
    )


@router.post("/classes/{class_id}/rename")
def rename_class(
    class_id: ClassId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)],
) -> Response:
    class_service.rename_class(session, class_service.get_class(session, user, class_id), name)
    return redirect(f"/classes/{class_id}", "renamed")


@router.get("/classes/{class_id}/delete")
def confirm_delete(
    class_id: ClassId, request: Request, user: TeacherPage, session: SessionDep
) -> Response:
    learner_class = class_service.get_class(session, user, class_id)
    return render(request, "classes/delete.html", {"learner_class": learner_class}, user=user)


@router.post("/classes/{class_id}/delete")
def delete_class(
    class_id: ClassId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
) -> Response:
    class_service.delete_class(session, class_service.get_class(session, user, class_id))
    return redirect("/classes", "deleted")


@router.post("/classes/{class_id}/roster/preview")
def roster_preview(
    class_id: ClassId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    settings: SettingsDep,
    roster: Annotated[UploadFile | None, File()] = None,
    emails: Annotated[str, Form(max_length=200_000)] = "",
) -> Response:
    """What adding this roster (a CSV file with an ``email`` column, or addresses typed
    one per line) would do; nothing changes until the teacher confirms."""
    learner_class = class_service.get_class(session, user, class_id)
    if roster is not None and roster.filename:
        data = roster.file.read(MAX_ROSTER_BYTES + 1)
        if len(data) > MAX_ROSTER_BYTES:
            raise InvalidRoster("The roster file is larger than 1 MiB")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidRoster("The roster must be a UTF-8 CSV file") from exc
        if "\x00" in text:
            raise InvalidRoster("The roster must be a text CSV file")
        addresses = class_service.roster_emails(text)
    else:
        addresses = class_service.roster_emails(
            "email\n" + "\n".join(line.strip() for line in emails.splitlines())
        )
    preview = preview_roster(session, learner_class, addresses)
    return render(
        request,
        "classes/roster_preview.html",
        {
            "learner_class": learner_class,
            "preview": preview,
            "may_create_learners": settings.teachers_create_learners,
        },
        user=user,
    )


@router.post("/classes/{class_id}/roster/add")
def roster_add(
    class_id: ClassId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    settings: SettingsDep,
    emails: Annotated[list[str], Form(max_length=5000)],
    create_missing: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    learner_class = class_service.get_class(session, user, class_id)
    created = []
    if create_missing:
        if not settings.teachers_create_learners:
            raise Forbidden("Teachers may not create learner accounts on this server")
        missing = preview_roster(session, learner_class, emails).not_learners
        created = create_learners(session, missing)
    preview = preview_roster(session, learner_class, emails)
    class_service.add_members(
        session, learner_class, [entry.user_id for entry in preview.to_add if entry.user_id], []
    )
    if not created:
        return redirect(f"/classes/{class_id}", "added")
    return render(
        request,
        "classes/created_learners.html",
        {"learner_class": learner_class, "created": created},
        user=user,
    )


@router.post("/classes/{class_id}/members/{member_id}/remove")
def remove_member(
    class_id: ClassId,
    member_id: Annotated[str, Path(min_length=1, max_length=36)],
    request: Request,
    user: TeacherPage,
    session: SessionDep,
) -> Response:
    learner_class = class_service.get_class(session, user, class_id)
    class_service.remove_member(session, learner_class, member_id)
    return redirect(f"/classes/{class_id}", "removed")


@router.post("/classes/{class_id}/assign")
def assign_content(
    class_id: ClassId,
    request: Request,
    user: TeacherPage,
    session: SessionDep,
    content_id: Annotated[str, Form(min_length=1, max_length=100)],
    due: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    learner_class = class_service.get_class(session, user, class_id)
    class_service.assign_content(
        session, user, learner_class, [content_id], teacher_content_ids(session, user.id)
    )
    class_service.set_due_date(session, learner_class, content_id.strip(), due_at_from(due))
    return redirect(f"/classes/{class_id}", "assigned")


@router.post("/classes/{class_id}/content/{content_id}/unassign")
def unassign_content(
    class_id: ClassId,
    content_id: Annotated[str, Path(min_length=1, max_length=100)],
    request: Request,
    user: TeacherPage,
    session: SessionDep,
) -> Response:
    learner_class = class_service.get_class(session, user, class_id)
    class_service.unassign_content(session, learner_class, content_id)
    return redirect(f"/classes/{class_id}", "unassigned")
