"""The editor model of ``GET /h5p/new`` and ``GET /h5p/edit/{id}`` (h5p-content-api.txt,
"Editor Endpoints"): integration settings, the editor's scripts and styles, and for edit
the content's library, params and metadata as stored."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from learnloop.h5p import content as content_service
from learnloop.h5p.editor.assets import EDITOR_SCRIPTS, EDITOR_STYLES
from learnloop.h5p.editor.schemas import (
    EditContentModelOut,
    EditorAjax,
    EditorIntegration,
    EditorModelOut,
    EditorSettings,
)

AJAX_PATH = "/h5p/ajax"
TEMP_FILES_PATH = "/h5p/temp"
CONTENT_USER_DATA_PATH = "/h5p/contentUserData/:contentId/:dataType/:subContentId"


def ajax_path(token: str | None) -> str:
    """``/h5p/ajax?action=`` to which the editor appends the action; a token given to the
    model goes first, as in the reference (``/h5p/ajax?token=…&action=``), for iframes
    without the session cookie."""
    query = f"{urlencode({'token': token})}&" if token else ""
    return f"{AJAX_PATH}?{query}action="


def editor_model(settings: Settings, language: str, token: str | None) -> EditorModelOut:
    token_query = f"?{urlencode({'token': token})}" if token else ""
    path = ajax_path(token)
    return EditorModelOut(
        integration=EditorIntegration(
            ajaxPath=path,
            ajax=EditorAjax(
                setFinished=f"{settings.h5p_set_finished_url}{token_query}",
                contentUserData=f"{CONTENT_USER_DATA_PATH}{token_query}",
            ),
            editor=EditorSettings(
                ajaxPath=path, contentLanguage=language, filesPath=TEMP_FILES_PATH
            ),
            contentLanguage=language,
        ),
        scripts=list(EDITOR_SCRIPTS),
        styles=list(EDITOR_STYLES),
        contentLanguage=language,
    )


def edit_content_model(
    session: Session,
    settings: Settings,
    user: User,
    content_id: str,
    language: str,
    token: str | None,
) -> EditContentModelOut:
    """The model plus the content; only its owner may edit it (the rule of PUT
    /h5p/content/{id}: 403 for someone else's public content, 404 for their private)."""
    content = content_service.owned_content(session, user, content_id)
    library = content_service.main_library(session, content)
    return EditContentModelOut(
        **editor_model(settings, language, token).model_dump(),
        library=library.ubername,
        params=content.params,
        metadata=content.metadata_json,
    )
