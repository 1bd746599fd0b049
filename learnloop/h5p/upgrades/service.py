"""Requesting a content upgrade run and upgrading content items, one savepoint each.

A run is a row plus a job (learnloop/jobs); each job run upgrades a batch, records the
counts and queues the next batch, so progress is committed as it goes and a crash only
repeats the batch in flight (an item already on the target version is skipped).
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.db import utcnow
from learnloop.errors import AppError, NotFound
from learnloop.h5p.content import (
    filter_content_params,
    set_content_libraries,
    sub_content_libraries,
)
from learnloop.h5p.errors import LibraryNotFound
from learnloop.h5p.libraries import get_library, parse_ubername
from learnloop.h5p.models import H5PContent, H5PLibrary
from learnloop.h5p.upgrades.engine import run_upgrades
from learnloop.h5p.upgrades.errors import InvalidUpgrade, UpgradeFailed
from learnloop.h5p.upgrades.models import ContentUpgrade
from learnloop.h5p.upgrades.sub_content import SubContentUpgrader, upgrades_script
from learnloop.jobs.queue import enqueue
from learnloop.storage import FileStorage

CONTENT_UPGRADE_JOB = "h5p.content-upgrade"
BATCH_SIZE = 20
MAX_ERRORS_KEPT = 200


def _older_content(session: Session, target: H5PLibrary, content_id: str | None) -> list[str]:
    query = (
        select(H5PContent.id, H5PLibrary.major_version, H5PLibrary.minor_version)
        .join(H5PLibrary, H5PLibrary.id == H5PContent.main_library_id)
        .where(H5PLibrary.machine_name == target.machine_name)
        .order_by(H5PContent.id)
    )
    if content_id is not None:
        query = query.where(H5PContent.id == content_id)
    wanted = (target.major_version, target.minor_version)
    return [row[0] for row in session.execute(query) if (row[1], row[2]) < wanted]


def request_upgrade(
    session: Session,
    user: User | None,
    target_ubername: str,
    content_id: str | None,
    *,
    queue_job: bool = True,
) -> ContentUpgrade:
    """Record the upgrade of one item, or of every item on an older version of the type,
    and queue its job. ``user`` None is the operator at the console; with ``queue_job``
    False the caller runs the batches itself (``learnloop h5p upgrade-content``)."""
    key = parse_ubername(target_ubername)
    target = get_library(session, key)
    if target is None:
        raise LibraryNotFound(f"Library {target_ubername} is not installed")
    if content_id is not None and session.get(H5PContent, content_id) is None:
        raise NotFound(f"Content {content_id} not found")
    content_ids = _older_content(session, target, content_id)
    if not content_ids:
        raise InvalidUpgrade(
            f"No content uses a version of {target.machine_name} older than {target.version}"
        )
    run = ContentUpgrade(
        target_library_id=target.id,
        content_ids=content_ids,
        total=len(content_ids),
        requested_by=user.id if user is not None else None,
    )
    session.add(run)
    session.flush()
    if queue_job:
        enqueue(session, CONTENT_UPGRADE_JOB, {"upgradeId": run.id})
    return run


def upgrade_content(
    session: Session, storage: FileStorage, content: H5PContent, target: H5PLibrary
) -> None:
    """Move ``content`` to ``target`` with the target's ``upgrades.js``; raises
    UpgradeFailed (the caller's savepoint keeps the content as it was)."""
    current = session.get(H5PLibrary, content.main_library_id)
    if current is None or current.machine_name != target.machine_name:
        raise InvalidUpgrade(f"Content {content.id} is not {target.machine_name} content")
    params: dict[str, Any] = content.params
    metadata: dict[str, Any] = copy.deepcopy(content.metadata_json)
    script = upgrades_script(storage, target)
    if script is not None:
        # H5P core hands the hooks {metadata} as extras; some (MultiChoice 1.13) set a title.
        params, extras = run_upgrades(
            script,
            target.machine_name,
            (current.major_version, current.minor_version),
            (target.major_version, target.minor_version),
            params,
            {"metadata": {"title": content.title}},
        )
        extras_metadata = extras.get("metadata")
        if isinstance(extras_metadata, dict) and isinstance(extras_metadata.get("title"), str):
            metadata["title"] = extras_metadata["title"]
    params = SubContentUpgrader(session, storage).fields(params, target.semantics or [])
    filtered = filter_content_params(session, target, params, strict=False)
    lost = [
        entry
        for entry in filtered.dropped
        if "library" in entry and ("not allowed" in entry or "not installed" in entry)
    ]
    if lost:
        # Saving would drop that sub-content: refuse instead (the content stays as it was).
        raise UpgradeFailed(
            f"Content {content.id} would lose sub-content on {target.ubername}: "
            + "; ".join(lost[:5])
        )
    for reference in metadata.get("preloadedDependencies") or []:
        if isinstance(reference, dict) and reference.get("machineName") == target.machine_name:
            reference["majorVersion"] = target.major_version
            reference["minorVersion"] = target.minor_version
    content.main_library_id = target.id
    content.params = filtered.params
    content.metadata_json = metadata
    content.title = str(metadata.get("title") or content.title)[:255]
    content.updated_at = utcnow()
    session.flush()
    set_content_libraries(
        session, content, [target, *sub_content_libraries(session, filtered.used_libraries)]
    )


def run_upgrade_batch(
    session: Session, storage: FileStorage, upgrade_id: str, *, queue_next: bool = True
) -> ContentUpgrade | None:
    """Upgrade the run's next batch; queue the job for the batch after it unless
    ``queue_next`` is False (the caller loops). Returns the run, None if it is gone."""
    run = session.get(ContentUpgrade, upgrade_id)
    if run is None or run.status == "done":
        return run
    target = session.get(H5PLibrary, run.target_library_id)
    if target is None:
        return run
    run.status = "running"
    done = run.upgraded + run.failed
    batch = run.content_ids[done : done + BATCH_SIZE]
    errors = list(run.errors)
    for content_id in batch:
        content = session.get(H5PContent, content_id)
        if content is None or content.main_library_id == target.id:
            run.upgraded += 1  # deleted since, or already upgraded by an earlier attempt
            continue
        try:
            with session.begin_nested():
                upgrade_content(session, storage, content, target)
        except AppError as exc:
            session.expire(content)
            run.failed += 1
            if len(errors) < MAX_ERRORS_KEPT:
                errors.append({"contentId": content_id, "error": exc.message[:1000]})
            continue
        run.upgraded += 1
    run.errors = errors
    if run.upgraded + run.failed >= run.total:
        run.status = "done"
        run.finished_at = utcnow()
    elif queue_next:
        enqueue(session, CONTENT_UPGRADE_JOB, {"upgradeId": run.id})
    session.flush()
    return run
