"""Content user data: the H5P client's resume state and other per-user values.

The protocol is H5P core's (h5p.js ``contentUserDataAjax``): GET
``…/:contentId/:dataType/:subContentId`` answers ``{"success": true, "data": <string or
false>}``; POST sends form fields ``data`` (the JSON string, or ``0`` to delete),
``preload`` and ``invalidate`` (``1``/``0``). Preloaded values are delivered inside the
player model so the client needs no round trip.

``invalidate`` marks values that no longer fit once the content changes (H5P core calls
it ``deleteOnChange``; H5P's PHP servers delete them in ``updateContent``). Each row
records the content's ``updated_at`` when it was saved; a row marked invalidate whose
version is older than the content is stale and is deleted the next time anything reads
the user's data for that content. Reads therefore never see state saved against an
older version of the content, without the content update path having to know about us.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from learnloop.errors import BadRequest, PayloadTooLarge
from learnloop.h5p.models import H5PContent
from learnloop.h5p.player_models import (
    DATA_TYPE_LENGTH,
    MAIN_CONTENT,
    SUB_CONTENT_ID_LENGTH,
    H5PContentUserData,
)


class InvalidUserData(BadRequest):
    code = "invalid-user-data"


class UserDataTooLarge(PayloadTooLarge):
    code = "user-data-too-large"


@dataclass(frozen=True)
class UserDataKey:
    data_type: str
    sub_content_id: str


def parse_key(data_type: str, sub_content_id: str) -> UserDataKey:
    if not data_type or len(data_type) > DATA_TYPE_LENGTH:
        raise InvalidUserData("dataType must be 1 to 64 characters")
    if len(sub_content_id) > SUB_CONTENT_ID_LENGTH:
        raise InvalidUserData("subContentId must be at most 64 characters")
    return UserDataKey(data_type, sub_content_id or MAIN_CONTENT)


def parse_flag(name: str, value: str | None) -> bool:
    """H5P core sends ``1``/``0``; other clients may send true/false."""
    if value is None or value == "":
        return False
    lowered = value.strip().lower()
    if lowered in ("1", "true"):
        return True
    if lowered in ("0", "false"):
        return False
    raise InvalidUserData(f"{name} must be 0 or 1")


def discard_stale(session: Session, content: H5PContent, user_id: str) -> None:
    """Delete the user's invalidate-marked values saved against an older content version."""
    session.execute(
        delete(H5PContentUserData).where(
            H5PContentUserData.content_id == content.id,
            H5PContentUserData.user_id == user_id,
            H5PContentUserData.invalidate.is_(True),
            H5PContentUserData.content_version < content.updated_at,
        )
    )


def get_user_data(
    session: Session, content: H5PContent, user_id: str, key: UserDataKey
) -> str | None:
    discard_stale(session, content, user_id)
    row = session.get(H5PContentUserData, (content.id, user_id, key.data_type, key.sub_content_id))
    return None if row is None else row.data


def save_user_data(
    session: Session,
    content: H5PContent,
    user_id: str,
    key: UserDataKey,
    data: str,
    *,
    preload: bool,
    invalidate: bool,
    max_bytes: int,
) -> bool:
    """Store ``data`` (``"0"`` deletes, as H5P core sends for deleteUserData).

    Returns whether a value is now stored.
    """
    discard_stale(session, content, user_id)
    identity = (content.id, user_id, key.data_type, key.sub_content_id)
    row = session.get(H5PContentUserData, identity)
    if data == "0":
        if row is not None:
            session.delete(row)
            session.flush()
        return False
    if len(data.encode()) > max_bytes:
        raise UserDataTooLarge(f"User data is larger than {max_bytes} bytes")
    if row is None:
        row = H5PContentUserData(
            content_id=content.id,
            user_id=user_id,
            data_type=key.data_type,
            sub_content_id=key.sub_content_id,
        )
        session.add(row)
    row.data = data
    row.preload = preload
    row.invalidate = invalidate
    row.content_version = content.updated_at
    session.flush()
    return True


def preloaded_user_data(
    session: Session, content: H5PContent, user_id: str
) -> dict[str, dict[str, str]]:
    """``{subContentId: {dataType: data}}``: the shape of ``contents[cid].contentUserData``."""
    discard_stale(session, content, user_id)
    rows = session.execute(
        select(
            H5PContentUserData.sub_content_id,
            H5PContentUserData.data_type,
            H5PContentUserData.data,
        ).where(
            H5PContentUserData.content_id == content.id,
            H5PContentUserData.user_id == user_id,
            H5PContentUserData.preload.is_(True),
        )
    )
    preloaded: dict[str, dict[str, str]] = {}
    for sub_content_id, data_type, data in rows:
        preloaded.setdefault(sub_content_id, {})[data_type] = data
    return preloaded
