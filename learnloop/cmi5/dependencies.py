"""Request dependencies of the cmi5 API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from learnloop.cmi5.lms_statements import LmsWriter
from learnloop.cmi5.registrations import ContentOwnerLookup
from learnloop.deps import SettingsDep
from learnloop.xapi.dependencies import StatementHooksDep


async def get_lms_writer(settings: SettingsDep, hooks: StatementHooksDep) -> LmsWriter:
    return LmsWriter(base_url=settings.base_url, hooks=hooks)


async def get_content_owner_lookup(request: Request) -> ContentOwnerLookup | None:
    """Set by ``main.py`` when the H5P domain is present (cmi5 does not import it)."""
    lookup: ContentOwnerLookup | None = getattr(request.app.state, "cmi5_content_owner", None)
    return lookup


LmsWriterDep = Annotated[LmsWriter, Depends(get_lms_writer)]
ContentOwnerDep = Annotated[ContentOwnerLookup | None, Depends(get_content_owner_lookup)]
