"""Exporting content as an .h5p package (Lumi's ``PackageExporter``, H5P core's ``H5PExport``).

The package holds ``h5p.json``, ``content/content.json``, the content's files and every
library the content needs (preloaded, dynamic and editor dependencies), so importing it
anywhere yields the same content and the same libraries.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from typing import IO, Any

from sqlalchemy.orm import Session

from learnloop.h5p.content import content_libraries, content_prefix, main_library
from learnloop.h5p.export.filenames import attachment_disposition, download_filename
from learnloop.h5p.libraries import library_prefix
from learnloop.h5p.models import H5PContent
from learnloop.storage import FileStorage

SPOOL_BYTES = 16 * 1024 * 1024
H5P_SUFFIX = ".h5p"


def export_filename(title: str) -> str:
    """An ASCII file name that cannot break the header or name a path."""
    return download_filename(title, H5P_SUFFIX)


def content_disposition(title: str) -> str:
    """``attachment`` with the ASCII name and the UTF-8 one (RFC 6266 / RFC 5987)."""
    return attachment_disposition(title, H5P_SUFFIX)


def h5p_json_for(session: Session, content: H5PContent) -> dict[str, Any]:
    library = main_library(session, content)
    document = dict(content.metadata_json)
    document["title"] = content.title
    document["mainLibrary"] = library.machine_name
    document.setdefault("language", content.language or "und")
    document.setdefault("embedTypes", content.embed_types or ["iframe"])
    dependencies = document.get("preloadedDependencies") or []
    if not any(item.get("machineName") == library.machine_name for item in dependencies):
        dependencies = [
            *dependencies,
            {
                "machineName": library.machine_name,
                "majorVersion": library.major_version,
                "minorVersion": library.minor_version,
            },
        ]
    document["preloadedDependencies"] = dependencies
    return document


def write_package(
    session: Session, storage: FileStorage, content: H5PContent, target: IO[bytes]
) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("h5p.json", json.dumps(h5p_json_for(session, content), ensure_ascii=False))
        archive.writestr("content/content.json", json.dumps(content.params, ensure_ascii=False))
        prefix = content_prefix(content.id) + "/"
        for key in storage.list_keys(prefix):
            archive.writestr("content/" + key.removeprefix(prefix), storage.get_bytes(key))
        for library in content_libraries(session, content.id):
            library_root = library_prefix(library) + "/"
            for key in storage.list_keys(library_root):
                archive.writestr(
                    f"{library.folder_name}/{key.removeprefix(library_root)}",
                    storage.get_bytes(key),
                )


def export_package(session: Session, storage: FileStorage, content: H5PContent) -> IO[bytes]:
    """The package in a temporary file (in memory up to 16 MB), positioned at its start."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - caller closes
    try:
        write_package(session, storage, content, spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool
