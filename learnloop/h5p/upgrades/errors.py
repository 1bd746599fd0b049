"""Errors of content upgrades."""

from __future__ import annotations

from learnloop.errors import AppError, BadRequest


class UpgradeFailed(AppError):
    """The library's upgrade script failed on this content (it stays as it was)."""

    status_code = 422
    code = "content-upgrade-failed"


class InvalidUpgrade(BadRequest):
    code = "invalid-upgrade"
