"""Writing a package's entries into a ZIP held in a spooled temporary file."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO

from learnloop.h5p.export.offline_player import PackageEntry

SPOOL_BYTES = 16 * 1024 * 1024


def spooled_zip(entries: Iterable[PackageEntry], *, folder: str = "") -> IO[bytes]:
    """The ZIP in a temporary file (in memory up to 16 MB), positioned at its start.

    ``folder`` puts every entry under one top-level folder (``folder/index.html``).
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - caller closes
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for entry in entries:
                archive.writestr(f"{folder}/{entry.path}" if folder else entry.path, entry.read())
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool
