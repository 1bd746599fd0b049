"""Errors of the exporters, each with its status (learnloop.errors)."""

from __future__ import annotations

from learnloop.errors import Conflict, ServiceUnavailable


class ContentFileNameTaken(Conflict):
    """A content file named like a file of the offline player (H5P never writes one)."""

    code = "content-file-name-conflict"


class ScormSchemasNotInstalled(ServiceUnavailable):
    code = "scorm-schemas-not-installed"
