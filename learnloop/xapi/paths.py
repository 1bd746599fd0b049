"""Repeated slashes in LRS paths count as one.

AU libraries join the cmi5 launch ``endpoint`` and a resource with a slash of their own
(``${endpoint}/activities/state``), so an endpoint handed out with a trailing slash (as
some LMSs do) becomes ``/xapi//activities/state``. The LRS answers such a path as the
path with single slashes, like web servers that merge slashes.
"""

from __future__ import annotations

import re

from learnloop.errors import XAPI_PREFIX

_REPEATED_SLASHES = re.compile(r"/{2,}")


def collapsed_xapi_path(path: str) -> str:
    """``path`` with runs of slashes merged, if it is an LRS path; else unchanged."""
    if "//" not in path:
        return path
    collapsed = _REPEATED_SLASHES.sub("/", path)
    if collapsed == XAPI_PREFIX or collapsed.startswith(XAPI_PREFIX + "/"):
        return collapsed
    return path
