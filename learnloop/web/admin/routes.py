"""Admin pages: users (create, role, plan, password reset, deactivate), plans, LRS
clients (the secret is shown once, on creation), H5P libraries (installed, in use,
delete) and background jobs (dead letters, retry)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from learnloop.auth import users as user_service
from learnloop.auth.models import Role
from learnloop.deps import SessionDep, SettingsDep
from learnloop.errors import BadRequest
from learnloop.h5p import libraries as library_service
from learnloop.h5p.library_validation import LIBRARY_FOLDER_PARTS
from learnloop.jobs import queue as job_queue
from learnloop.jobs.models import JobStatus
from learnloop.plans import plans as plan_service
from learnloop.storage import FileStorage
from learnloop.web.admin.overview import installed_libraries
from learnloop.web.layout import AdminPage, PageRoute, redirect, render
from learnloop.xapi import credentials

router = APIRouter(prefix="/admin", tags=["pages"], include_in_schema=False, route_class=PageRoute)

UserId = Annotated[str, Path(min_length=1, max_length=36)]
ROLES = [role.value for role in Role]


@router.get("")
def admin_home(request: Request, user: AdminPage, session: SessionDep) -> Response:
    dead = job_queue.list_jobs(session, JobStatus.DEAD, limit=100)
    return render(
        request,
        "admin/home.html",
        {
            "user_count": user_service.count_users(session),
            "dead_jobs": len(dead),
            "library_count": len(library_service.list_libraries(session)),
            "client_count": len(credentials.list_clients(session)),
        },
        user=user,
    )


@router.get("/users")
def users_page(request: Request, user: AdminPage, session: SessionDep) -> Response:
    return render(
        request,
        "admin/users.html",
        {
            "users": user_service.list_users(session),
            "plans": plan_service.list_plans(session),
            "roles": ROLES,
        },
        user=user,
    )


@router.post("/users")
def create_user(
    request: Request,
    user: AdminPage,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)],
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=16)] = "learner",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if "@" not in email or " " in email.strip():
        raise BadRequest("Enter a valid email address")
    chosen = password or secrets.token_urlsafe(9)
    created = user_service.create_user(
        session,
        email=email,
        display_name=display_name,
        role=user_service.parse_role(role),
        password=chosen,
    )
    return render(
        request,
        "admin/password.html",
        {"account": created, "password": None if password else chosen, "action": "created"},
        user=user,
    )


@router.post("/users/{user_id}")
def update_user(
    user_id: UserId,
    request: Request,
    user: AdminPage,
    session: SessionDep,
    role: Annotated[str, Form(max_length=16)],
    plan: Annotated[str, Form(max_length=64)] = "",
    active: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    account = user_service.get_user(session, user_id)
    if account.id == user.id and (role != account.role or not active):
        raise BadRequest("You cannot change your own role or deactivate yourself")
    user_service.set_role(session, account, user_service.parse_role(role))
    plan_service.assign_plan(session, account, plan or None)
    account.is_active = bool(active)
    session.flush()
    return redirect("/admin/users", "saved")


@router.post("/users/{user_id}/password")
def reset_password(
    user_id: UserId,
    request: Request,
    user: AdminPage,
    session: SessionDep,
) -> Response:
    account = user_service.get_user(session, user_id)
    password = secrets.token_urlsafe(9)
    user_service.set_password(session, account, password)
    return render(
        request,
        "admin/password.html",
        {"account": account, "password": password, "action": "reset"},
        user=user,
    )


@router.get("/plans")
def plans_page(request: Request, user: AdminPage, session: SessionDep) -> Response:
    return render(
        request, "admin/plans.html", {"plans": plan_service.list_plans(session)}, user=user
    )


@router.get("/lrs-clients")
def clients_page(request: Request, user: AdminPage, session: SessionDep) -> Response:
    return render(
        request,
        "admin/clients.html",
        {
            "clients": credentials.list_clients(session),
            "scopes": credentials.SCOPES,
            "default_scopes": credentials.DEFAULT_SCOPES,
        },
        user=user,
    )


@router.post("/lrs-clients")
def create_client(
    request: Request,
    user: AdminPage,
    session: SessionDep,
    settings: SettingsDep,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    scopes: Annotated[list[str], Form(max_length=20)],
) -> Response:
    issued = credentials.create_client(
        session, name=name.strip(), scopes=credentials.normalise_scopes(scopes), owner_id=user.id
    )
    return render(
        request,
        "admin/client_issued.html",
        {
            "client": issued.client,
            "secret": issued.secret,
            "endpoint": f"{settings.base_url.rstrip('/')}/xapi/",
        },
        user=user,
    )


@router.post("/lrs-clients/{client_id}/revoke")
def revoke_client(
    client_id: Annotated[str, Path(min_length=1, max_length=64)],
    request: Request,
    user: AdminPage,
    session: SessionDep,
) -> Response:
    credentials.revoke_client(session, client_id)
    return redirect("/admin/lrs-clients", "revoked")


@router.get("/libraries")
def libraries_page(request: Request, user: AdminPage, session: SessionDep) -> Response:
    return render(
        request, "admin/libraries.html", {"libraries": installed_libraries(session)}, user=user
    )


@router.post("/libraries/{folder}/delete")
def delete_library(
    folder: Annotated[str, Path(max_length=300)],
    request: Request,
    user: AdminPage,
    session: SessionDep,
) -> Response:
    match = LIBRARY_FOLDER_PARTS.match(folder)
    if match is None:
        raise BadRequest("Expected a library folder name such as H5P.MultiChoice-1.16")
    storage: FileStorage = request.app.state.storage
    library_service.delete_library(
        session, storage, (match["name"], int(match["major"]), int(match["minor"]))
    )
    return redirect("/admin/libraries", "deleted")


@router.get("/jobs")
def jobs_page(request: Request, user: AdminPage, session: SessionDep) -> Response:
    return render(
        request,
        "admin/jobs.html",
        {
            "dead": job_queue.list_jobs(session, JobStatus.DEAD, limit=200),
            "recent": job_queue.list_jobs(session, None, limit=50),
        },
        user=user,
    )


@router.post("/jobs/{job_id}/retry")
def retry_job(
    job_id: int,
    request: Request,
    user: AdminPage,
    session: SessionDep,
) -> Response:
    job_queue.retry_dead(session, job_id)
    return redirect("/admin/jobs", "retried")
