"""Background jobs of the partners domain: pulling history and forwarding statements."""

from __future__ import annotations

from typing import Any

import httpx

from learnloop.config import Settings
from learnloop.jobs.worker import JobContext, JobRegistry
from learnloop.partners.forwarding import FORWARD_JOB, Forwarder
from learnloop.partners.ingest import PartnerIngest
from learnloop.partners.pull import PULL_JOB, Puller
from learnloop.xapi.hooks import StatementHooks


def partner_ingest(settings: Settings, hooks: StatementHooks) -> PartnerIngest:
    return PartnerIngest(
        hooks=hooks,
        base_url=settings.base_url,
        max_batch=settings.xapi_max_batch_statements,
        max_statement_bytes=settings.partner_statement_max_bytes,
    )


def register_partner_jobs(registry: JobRegistry, http: httpx.Client, hooks: StatementHooks) -> None:
    """``hooks`` is the app's hook registry (filled when the app is built): pulled
    statements reach progress, analytics and forwarding like any other."""

    def forward(context: JobContext, payload: dict[str, Any]) -> None:
        forwarder = Forwarder(http, context.settings.credentials_secret)
        forwarder.run(context.session, str(payload["rule_id"]))

    def pull(context: JobContext, payload: dict[str, Any]) -> None:
        ingest = partner_ingest(context.settings, hooks)
        Puller(http, ingest, context.settings).run(context.session, str(payload["source_id"]))

    registry.register(FORWARD_JOB, forward)
    registry.register(PULL_JOB, pull)
