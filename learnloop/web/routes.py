"""The web app's pages, one router per area (see the sub-packages)."""

from __future__ import annotations

from fastapi import APIRouter

from learnloop.web.admin.routes import router as admin_router
from learnloop.web.assignments.routes import router as assignments_router
from learnloop.web.classes.routes import router as classes_router
from learnloop.web.editor.routes import router as editor_router
from learnloop.web.gradebook.routes import router as gradebook_router
from learnloop.web.home.routes import router as home_router
from learnloop.web.library.routes import router as library_router

router = APIRouter()
for area in (
    home_router,
    library_router,
    editor_router,
    classes_router,
    gradebook_router,
    assignments_router,
    admin_router,
):
    router.include_router(area)
