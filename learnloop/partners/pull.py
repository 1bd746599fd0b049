"""Pulling history from a partner's LRS: a job pages through its ``GET statements``
(xAPI-Communication 2.1.3) from the remembered cursor, following ``more`` links, and
stores what it finds through the LRS path with the partner as authority.

Idempotent: a statement already stored with the same id and content is acknowledged, not
stored twice, so a run that failed half-way (its transaction rolled back) or a second run
over the same window changes nothing. The next run asks ``since`` the newest ``stored``
seen, minus a small overlap: statements stored in the same instant as the cursor are
fetched again rather than missed. A failed page fails the job, which the worker retries
with exponential backoff; a run stops after a page budget and queues its continuation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.db import utcnow
from learnloop.errors import BadRequest, NotFound
from learnloop.jobs.queue import enqueue
from learnloop.partners.ingest import STORED, PartnerIngest
from learnloop.partners.models import Partner, PartnerPullSource
from learnloop.partners.oauth import PartnerCaller
from learnloop.partners.sealing import reveal, seal
from learnloop.xapi.validation_primitives import parse_timestamp
from learnloop.xapi.versions import XapiVersion

PULL_JOB = "partners.pull"
CURSOR_OVERLAP = timedelta(seconds=1)
PULL_VERSION = "1.0.3"


class PullFailed(Exception):
    """The partner's LRS could not be read; the job is retried with backoff."""


@dataclass(frozen=True)
class PullReport:
    pages: int
    received: int
    stored: int
    refused: int
    finished: bool


def add_source(
    session: Session,
    partner: Partner,
    *,
    endpoint: str,
    username: str,
    password: str,
    credentials_secret: str,
) -> PartnerPullSource:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("endpoint must be an http(s) URL of an xAPI LRS (e.g. .../xapi)")
    source = PartnerPullSource(
        partner_id=partner.id,
        endpoint=endpoint,
        username=username,
        password=seal(credentials_secret, password),
    )
    session.add(source)
    session.flush()
    return source


def list_sources(session: Session, partner: Partner) -> list[PartnerPullSource]:
    return list(
        session.scalars(
            select(PartnerPullSource)
            .where(PartnerPullSource.partner_id == partner.id)
            .order_by(PartnerPullSource.created_at)
        )
    )


def get_source(session: Session, partner: Partner, source_id: str) -> PartnerPullSource:
    source = session.get(PartnerPullSource, source_id)
    if source is None or source.partner_id != partner.id:
        raise NotFound(f"Partner {partner.name} has no pull source {source_id}")
    return source


def schedule_pull(session: Session, source: PartnerPullSource) -> int:
    return enqueue(session, PULL_JOB, {"source_id": source.id}).id


def _first_url(source: PartnerPullSource, page_limit: int) -> tuple[str, dict[str, str]]:
    if source.next_more_url:
        return _resolve_more(source.endpoint, source.next_more_url), {}
    params = {"limit": str(page_limit), "ascending": "true"}
    if source.cursor_stored:
        since = parse_timestamp(source.cursor_stored)
        if since is not None:
            params["since"] = (since - CURSOR_OVERLAP).isoformat()
    return source.endpoint.rstrip("/") + "/statements", params


def _resolve_more(endpoint: str, more: str) -> str:
    """``more`` is an IRL relative to the LRS's origin or absolute (Communication 2.1.3)."""
    resolved = urljoin(endpoint, more)
    if urlsplit(resolved).netloc != urlsplit(endpoint).netloc:
        raise PullFailed(f"The 'more' link {more!r} leaves the partner's LRS")
    return resolved


@dataclass
class Puller:
    http: httpx.Client
    ingest: PartnerIngest
    settings: Settings

    def _fetch(self, source: PartnerPullSource, url: str, params: dict[str, str]) -> Any:
        try:
            response = self.http.get(
                url,
                params=params or None,
                headers={"X-Experience-API-Version": PULL_VERSION},
                auth=(source.username, reveal(self.settings.credentials_secret, source.password)),
            )
        except httpx.HTTPError as exc:
            raise PullFailed(f"{url}: {exc.__class__.__name__}: {exc}") from exc
        if not response.is_success:
            raise PullFailed(f"{url} answered {response.status_code}: {response.text[:300]}")
        try:
            result = orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise PullFailed(f"{url} did not answer JSON") from exc
        if not isinstance(result, dict) or not isinstance(result.get("statements"), list):
            raise PullFailed(f"{url} did not answer a StatementResult")
        return result

    def run(self, session: Session, source_id: str) -> PullReport:
        source = session.get(PartnerPullSource, source_id)
        if source is None:
            return PullReport(0, 0, 0, 0, True)
        partner = session.get(Partner, source.partner_id)
        if partner is None:
            return PullReport(0, 0, 0, 0, True)
        caller = PartnerCaller(
            partner_id=partner.id,
            partner_name=partner.name,
            partner_display_name=partner.display_name,
            unknown_users=partner.unknown_users,
            organization_id=None,
            org_id=None,
            scopes=frozenset({"statements:write"}),
        )
        url, params = _first_url(source, self.settings.partner_pull_page_limit)
        pages = received = stored = refused = 0
        newest: datetime | None = (
            parse_timestamp(source.cursor_stored or "") if (source.cursor_stored) else None
        )
        finished = False
        while pages < self.settings.partner_pull_max_pages_per_run:
            result = self._fetch(source, url, params)
            pages += 1
            statements = result["statements"]
            received += len(statements)
            if statements:
                outcomes = self.ingest.store_each(session, caller, statements, XapiVersion.V1_0_3)
                stored += sum(1 for outcome in outcomes if outcome.status == STORED)
                refused += sum(1 for outcome in outcomes if outcome.status != STORED)
                newest = _newest_stored(statements, newest)
            more = result.get("more")
            if not isinstance(more, str) or not more:
                finished = True
                break
            url, params = _resolve_more(source.endpoint, more), {}
        source.cursor_stored = newest.isoformat() if newest is not None else source.cursor_stored
        source.next_more_url = None if finished else url
        source.statements_pulled += stored
        source.last_run_at = utcnow()
        session.flush()
        if not finished:
            schedule_pull(session, source)
        return PullReport(pages, received, stored, refused, finished)


def _newest_stored(statements: list[Any], newest: datetime | None) -> datetime | None:
    for statement in statements:
        if isinstance(statement, dict) and isinstance(statement.get("stored"), str):
            moment = parse_timestamp(statement["stored"])
            if moment is not None and (newest is None or moment > newest):
                newest = moment
    return newest
