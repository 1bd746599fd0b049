"""Errors of the hub: each says whether the hub, its answer or the request was at fault."""

from __future__ import annotations

from learnloop.errors import (
    AppError,
    BadRequest,
    Conflict,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
)


class HubUnavailable(ServiceUnavailable):
    """The hub cannot be reached (offline school, hub down): retry later."""

    code = "hub-unavailable"


class HubDisabled(Conflict):
    """The server is set up without a hub (LEARNLOOP_H5P_HUB_URL empty): not a passing
    outage, so not a 503; installing from the hub conflicts with that setup."""

    code = "hub-disabled"


class HubBadAnswer(AppError):
    """The hub answered something this client cannot use (502: the peer's fault)."""

    status_code = 502
    code = "hub-bad-answer"


class HubPackageTooLarge(PayloadTooLarge):
    code = "hub-package-too-large"


class ContentTypeNotInHub(NotFound):
    code = "content-type-not-in-hub"


class InvalidMachineName(BadRequest):
    code = "invalid-machine-name"
