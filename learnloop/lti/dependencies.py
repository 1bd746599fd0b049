"""Request dependencies of the LTI routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from learnloop.lti.launch import PlatformKeySets


def get_platform_key_sets(request: Request) -> PlatformKeySets:
    key_sets: PlatformKeySets = request.app.state.lti_key_sets
    return key_sets


PlatformKeySetsDep = Annotated[PlatformKeySets, Depends(get_platform_key_sets)]
