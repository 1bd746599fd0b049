"""The worker loop: claim a job, run its handler, settle it; each step its own transaction.

A handler's writes and the job's ``done`` mark commit together, so a crash between them
leaves the job to be claimed again after ``job_lock_timeout_seconds``: handlers must be
idempotent (they take ids and re-read state).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.db import Database
from learnloop.jobs.queue import claim_next, mark_done, mark_failed
from learnloop.storage.base import FileStorage

logger = logging.getLogger("learnloop.jobs")


@dataclass(frozen=True)
class JobContext:
    session: Session
    settings: Settings
    storage: FileStorage


JobHandler = Callable[[JobContext, dict[str, Any]], None]


@dataclass
class JobRegistry:
    handlers: dict[str, JobHandler] = field(default_factory=dict)

    def register(self, kind: str, handler: JobHandler) -> None:
        if kind in self.handlers:
            raise ValueError(f"job kind {kind!r} registered twice")
        self.handlers[kind] = handler


class UnknownJobKind(Exception):
    pass


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass
class Worker:
    database: Database
    registry: JobRegistry
    settings: Settings
    storage: FileStorage
    worker_id: str = field(default_factory=default_worker_id)

    def run_once(self) -> bool:
        """Run one due job; return False when there was none."""
        with self.database.transaction() as session:
            job = claim_next(
                session,
                self.worker_id,
                lock_timeout_seconds=self.settings.job_lock_timeout_seconds,
            )
            if job is None:
                return False
            job_id, kind, payload = job.id, job.kind, dict(job.payload)
        try:
            handler = self.registry.handlers.get(kind)
            if handler is None:
                raise UnknownJobKind(f"no handler for job kind {kind!r}")
            with self.database.transaction() as session:
                handler(JobContext(session, self.settings, self.storage), payload)
                mark_done(session, job_id)
        except Exception as exc:
            logger.warning("job %s (%s) failed: %s", job_id, kind, exc)
            detail = "".join(traceback.format_exception_only(exc)).strip()
            with self.database.transaction() as session:
                status = mark_failed(
                    session,
                    job_id,
                    detail,
                    backoff_base_seconds=self.settings.job_backoff_base_seconds,
                )
            if status == "dead":
                logger.error("job %s (%s) moved to dead letters", job_id, kind)
        return True

    def run_until_idle(self, max_jobs: int = 10_000) -> int:
        """Run due jobs until none is left; return how many ran (for tests and the CLI)."""
        ran = 0
        while ran < max_jobs and self.run_once():
            ran += 1
        return ran

    def run_forever(self, stop: threading.Event) -> None:
        logger.info("worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                worked = self.run_once()
            except Exception:
                logger.exception("worker loop error")
                worked = False
            if not worked:
                stop.wait(self.settings.job_poll_seconds)
        logger.info("worker %s stopped", self.worker_id)
