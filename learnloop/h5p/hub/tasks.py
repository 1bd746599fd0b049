"""The content-type cache refresh as a job (learnloop/jobs): each run refreshes the cache
and schedules the next one ``h5p_hub_refresh_seconds`` later, so one pending job exists
while the hub is configured and no process has to remember anything."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.db import utcnow
from learnloop.h5p.hub import cache
from learnloop.h5p.hub.client import HttpHubClient
from learnloop.h5p.hub.errors import HubDisabled, HubUnavailable
from learnloop.jobs.models import Job, JobStatus
from learnloop.jobs.queue import enqueue
from learnloop.jobs.worker import JobContext, JobRegistry

HUB_REFRESH_JOB = "h5p.hub-refresh"
# An unreachable hub is asked again sooner than the regular interval.
RETRY_AFTER_FAILURE_SECONDS = 3600


def hub_client(settings: Settings, http: httpx.Client) -> HttpHubClient:
    if not settings.h5p_hub_url:
        raise HubDisabled("No H5P Hub is configured on this server (LEARNLOOP_H5P_HUB_URL)")
    return HttpHubClient(http, settings.h5p_hub_url, settings.h5p_hub_max_package_bytes)


def schedule_refresh(session: Session, delay_seconds: float = 0) -> None:
    """Make sure a refresh is pending (one is enough)."""
    pending = session.scalar(
        select(Job.id)
        .where(Job.kind == HUB_REFRESH_JOB, Job.status == JobStatus.PENDING.value)
        .limit(1)
    )
    if pending is None:
        enqueue(
            session,
            HUB_REFRESH_JOB,
            {},
            run_after=utcnow() + timedelta(seconds=delay_seconds),
        )


def register_hub_jobs(registry: JobRegistry, http: httpx.Client) -> None:
    def run_refresh(context: JobContext, _payload: dict[str, Any]) -> None:
        if not context.settings.h5p_hub_url:
            return
        client = hub_client(context.settings, http)
        try:
            with context.session.begin_nested():
                cache.refresh_cache(context.session, context.settings, client)
        except HubUnavailable as exc:
            # Offline is a state, not a job failure: note it and ask again later.
            cache.record_refresh_error(context.session, exc.message)
            schedule_refresh(context.session, RETRY_AFTER_FAILURE_SECONDS)
            return
        schedule_refresh(context.session, context.settings.h5p_hub_refresh_seconds)

    registry.register(HUB_REFRESH_JOB, run_refresh)
