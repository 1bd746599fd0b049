"""The content upgrade job: one batch per run (learnloop.h5p.upgrades.service)."""

from __future__ import annotations

from typing import Any

from learnloop.h5p.upgrades.service import CONTENT_UPGRADE_JOB, run_upgrade_batch
from learnloop.jobs.worker import JobContext, JobRegistry


def run_content_upgrade(context: JobContext, payload: dict[str, Any]) -> None:
    upgrade_id = payload.get("upgradeId")
    if isinstance(upgrade_id, str):
        run_upgrade_batch(context.session, context.storage, upgrade_id)


def register_upgrade_jobs(registry: JobRegistry) -> None:
    registry.register(CONTENT_UPGRADE_JOB, run_content_upgrade)
