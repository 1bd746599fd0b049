"""Offline HTML: one folder that plays the content from disk, for schools without an LMS.

The folder is the offline player (:mod:`offline_player`) and nothing else: no tracking,
no state saving (nothing to save to), no request leaving the folder. Opening
``<title>/index.html`` from the unpacked ZIP plays the content under ``file://``.
"""

from __future__ import annotations

from typing import IO

from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.h5p.export.archive import spooled_zip
from learnloop.h5p.export.filenames import ascii_stem
from learnloop.h5p.export.offline_player import offline_player_entries
from learnloop.h5p.models import H5PContent
from learnloop.storage import FileStorage

HTML_SUFFIX = "_html.zip"


def export_html_folder(
    session: Session, storage: FileStorage, settings: Settings, content: H5PContent
) -> IO[bytes]:
    entries = offline_player_entries(session, storage, settings, content)
    return spooled_zip(entries, folder=ascii_stem(content.title))
