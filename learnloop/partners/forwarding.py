"""Forwarding rules: statements matching a rule's filter are sent to an external LRS.

Durable: the on-stored subscriber writes an outbox entry and a job row in the statement's
own transaction, so a statement that is stored is forwarded (at least once; the target
acknowledges a resent statement with the same id, xAPI-Communication 2.1.2). A rule's
entries go out in the order they were stored, in batches; one job at a time works on a
rule (its row is locked on PostgreSQL; SQLite has a single writer). A batch the target
cannot take right now (network, 5xx, 401, 429) fails the job, which the worker retries with
exponential backoff and finally moves to the dead jobs (``GET /api/admin/jobs?status=dead``).
A statement the target refuses for good (another 4xx) becomes a dead letter of its rule,
listed for admins, and the rule carries on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from sqlalchemy import Text, cast, delete, event, func, insert, select
from sqlalchemy.orm import Session

from learnloop.errors import BadRequest, NotFound
from learnloop.jobs.queue import enqueue
from learnloop.partners.directory import get_partner
from learnloop.partners.models import ForwardingOutboxEntry, ForwardingRule, Partner
from learnloop.partners.oauth import partner_authority
from learnloop.partners.sealing import reveal, seal
from learnloop.xapi.agents import ACCOUNT_SEPARATOR, agent_key
from learnloop.xapi.hooks import StoredStatement
from learnloop.xapi.models import StatementRow

FORWARD_JOB = "partners.forward"
MAX_BATCHES_PER_JOB = 20
MAX_BATCH_SIZE = 500
# Statuses after which the same request may succeed later.
RETRYABLE_STATUSES = frozenset({401, 408, 425, 429})


class ForwardingFailed(Exception):
    """The target could not take a batch now; the job is retried with backoff."""


@dataclass(frozen=True)
class _ActiveRule:
    id: str
    verb_ids: frozenset[str]
    activity_prefix: str | None
    actor_domain: str | None
    partner_authority_key: str | None

    def matches(self, stored: StoredStatement) -> bool:
        if self.verb_ids and stored.verb_id not in self.verb_ids:
            return False
        if self.activity_prefix is not None and not (stored.object_activity_id or "").startswith(
            self.activity_prefix
        ):
            return False
        if self.actor_domain is not None and not _in_domain(
            actor_domain(stored.actor_key), self.actor_domain
        ):
            return False
        if self.partner_authority_key is not None:
            # The partner's own authority, or one of its organizations' ("<name>/<org>").
            key = stored.authority_key or ""
            if key != self.partner_authority_key and not key.startswith(
                self.partner_authority_key + "/"
            ):
                return False
        return True


def actor_domain(actor_key: str | None) -> str | None:
    """The domain of an actor's email address or of its account's home page."""
    if actor_key is None:
        return None
    if actor_key.startswith("mbox:"):
        return actor_key.rpartition("@")[2].lower() or None
    if actor_key.startswith("account:"):
        home_page = actor_key.removeprefix("account:").partition(ACCOUNT_SEPARATOR)[0]
        return (urlsplit(home_page).hostname or "").lower() or None
    return None


def _in_domain(domain: str | None, wanted: str) -> bool:
    return domain is not None and (domain == wanted or domain.endswith("." + wanted))


# Active rules are read per on-stored batch, and most batches match none: a per-process
# cache keeps that read off the ingest transaction (on SQLite it ran under the write
# lock). A rule created or deactivated in this process is seen by the next batch (the
# change bumps ``_rules_generation`` when its transaction commits); one changed in another
# process (another server, ``learnloop partners``) within RULE_CACHE_SECONDS. A stale
# rule never queues for a rule that is gone or inactive: queued entries are checked
# against the table in the statement's own transaction (``_still_active``).
RULE_CACHE_SECONDS = 2.0
_rules_generation = 0
_rules_generation_lock = threading.Lock()


def _rules_changed(_session: Session) -> None:
    global _rules_generation
    with _rules_generation_lock:
        _rules_generation += 1


def _on_commit_forget_rules(session: Session) -> None:
    """Bump the generation now and again when the change commits: a batch that read the
    old rows in between does not keep them past the commit."""
    _rules_changed(session)
    event.listen(session, "after_commit", _rules_changed, once=True)


@dataclass(frozen=True)
class _CachedRules:
    rules: tuple[_ActiveRule, ...]
    generation: int
    expires_at: float


_ACTIVE_RULES = (
    select(
        ForwardingRule.id,
        ForwardingRule.verb_ids,
        ForwardingRule.activity_prefix,
        ForwardingRule.actor_domain,
        Partner.name,
    )
    .outerjoin(Partner, Partner.id == ForwardingRule.partner_id)
    .where(ForwardingRule.is_active.is_(True))
)


class ForwardingSubscriber:
    """The on-stored hook: queue matching statements for each active rule."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._cached: _CachedRules | None = None

    def _active_rules(self, session: Session) -> tuple[_ActiveRule, ...]:
        now = time.monotonic()
        cached = self._cached
        generation = _rules_generation
        if cached is not None and cached.generation == generation and cached.expires_at > now:
            return cached.rules
        rules = tuple(
            _ActiveRule(
                id=rule_id,
                verb_ids=frozenset(verb_ids or ()),
                activity_prefix=activity_prefix,
                actor_domain=domain,
                partner_authority_key=(
                    agent_key(partner_authority(self.base_url, partner_name, None))
                    if partner_name is not None
                    else None
                ),
            )
            for rule_id, verb_ids, activity_prefix, domain, partner_name in session.execute(
                _ACTIVE_RULES
            )
        )
        self._cached = _CachedRules(rules, generation, now + RULE_CACHE_SECONDS)
        return rules

    def __call__(self, session: Session, stored: Sequence[StoredStatement]) -> None:
        rules = self._active_rules(session)
        if not rules:
            return
        matched = {
            rule.id: [item.statement_id for item in stored if rule.matches(item)] for rule in rules
        }
        matched = {rule_id: ids for rule_id, ids in matched.items() if ids}
        if not matched:
            return
        for rule_id in _still_active(session, list(matched)):
            session.execute(
                insert(ForwardingOutboxEntry),
                [
                    {"rule_id": rule_id, "statement_id": statement_id, "dead": False}
                    for statement_id in matched[rule_id]
                ],
            )
            enqueue(session, FORWARD_JOB, {"rule_id": rule_id})


def _still_active(session: Session, rule_ids: list[str]) -> list[str]:
    """The rules of ``rule_ids`` that are active now, in the order given (the cache may
    hold a rule another process has since deactivated, or whose partner it deleted)."""
    active = set(
        session.scalars(
            select(ForwardingRule.id).where(
                ForwardingRule.id.in_(rule_ids), ForwardingRule.is_active.is_(True)
            )
        )
    )
    return [rule_id for rule_id in rule_ids if rule_id in active]


def _statements_version(documents: Sequence[dict[str, Any]]) -> str:
    # A 2.0 statement can only be sent over 2.0 (xAPI-Data 2.4.10); 1.0 ones go either way.
    if any(str(document.get("version", "")).startswith("2") for document in documents):
        return "2.0.0"
    return "1.0.3"


def statements_url(endpoint: str) -> str:
    return endpoint.rstrip("/") + "/statements"


@dataclass
class Forwarder:
    http: httpx.Client
    credentials_secret: str

    def _send(self, rule: ForwardingRule, documents: list[dict[str, Any]]) -> httpx.Response:
        try:
            return self.http.post(
                statements_url(rule.endpoint),
                content=orjson.dumps(documents),
                headers={
                    "Content-Type": "application/json",
                    "X-Experience-API-Version": _statements_version(documents),
                },
                auth=(rule.username, reveal(self.credentials_secret, rule.password)),
            )
        except httpx.HTTPError as exc:
            raise ForwardingFailed(f"{rule.endpoint}: {exc.__class__.__name__}: {exc}") from exc

    def run(self, session: Session, rule_id: str) -> int:
        """Send the rule's waiting statements, oldest first; return how many were sent."""
        query = select(ForwardingRule).where(ForwardingRule.id == rule_id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        rule = session.scalar(query)
        if rule is None or not rule.is_active:
            return 0
        sent = 0
        for _ in range(MAX_BATCHES_PER_JOB):
            entries = list(
                session.scalars(
                    select(ForwardingOutboxEntry)
                    .where(
                        ForwardingOutboxEntry.rule_id == rule.id,
                        ForwardingOutboxEntry.dead.is_(False),
                    )
                    .order_by(ForwardingOutboxEntry.id)
                    .limit(rule.batch_size)
                )
            )
            if not entries:
                return sent
            sent += self._forward_batch(session, rule, entries)
        # More are waiting than one job sends: the next job carries on, after this commits.
        enqueue(session, FORWARD_JOB, {"rule_id": rule.id})
        return sent

    def _forward_batch(
        self, session: Session, rule: ForwardingRule, entries: list[ForwardingOutboxEntry]
    ) -> int:
        documents = _documents(session, [entry.statement_id for entry in entries])
        present = [entry for entry in entries if entry.statement_id in documents]
        for entry in entries:
            if entry.statement_id not in documents:
                _bury(entry, "The statement is no longer stored")
        if not present:
            session.flush()
            return 0
        response = self._send(rule, [documents[entry.statement_id] for entry in present])
        if response.is_success:
            _remove(session, present)
            return len(present)
        if _retryable(response):
            raise ForwardingFailed(_describe(rule, response))
        if len(present) == 1:
            _bury(present[0], _describe(rule, response))
            session.flush()
            return 0
        # One statement may spoil the batch: send each on its own, in order.
        sent = 0
        for entry in present:
            single = self._send(rule, [documents[entry.statement_id]])
            if single.is_success:
                _remove(session, [entry])
                sent += 1
            elif _retryable(single):
                raise ForwardingFailed(_describe(rule, single))
            else:
                _bury(entry, _describe(rule, single))
        session.flush()
        return sent


def _retryable(response: httpx.Response) -> bool:
    return response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES


def _describe(rule: ForwardingRule, response: httpx.Response) -> str:
    return f"{statements_url(rule.endpoint)} answered {response.status_code}: {response.text[:500]}"


def _bury(entry: ForwardingOutboxEntry, error: str) -> None:
    entry.dead = True
    entry.last_error = error[:4000]


def _remove(session: Session, entries: list[ForwardingOutboxEntry]) -> None:
    session.execute(
        delete(ForwardingOutboxEntry).where(
            ForwardingOutboxEntry.id.in_([entry.id for entry in entries])
        )
    )
    for entry in entries:
        session.expunge(entry)


def _documents(session: Session, statement_ids: list[str]) -> dict[str, dict[str, Any]]:
    rows = session.execute(
        select(StatementRow.statement_id, cast(StatementRow.statement, Text)).where(
            StatementRow.statement_id.in_([item.lower() for item in statement_ids])
        )
    )
    by_key = {statement_id: orjson.loads(text) for statement_id, text in rows}
    return {item: by_key[item.lower()] for item in statement_ids if item.lower() in by_key}


# --- admin ---------------------------------------------------------------------------------


def create_rule(
    session: Session,
    *,
    name: str,
    endpoint: str,
    username: str,
    password: str,
    credentials_secret: str,
    verb_ids: list[str],
    activity_prefix: str | None,
    actor_domain: str | None,
    partner_name: str | None,
    batch_size: int,
) -> ForwardingRule:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("endpoint must be an http(s) URL of an xAPI LRS (e.g. .../xapi)")
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise BadRequest(f"batchSize must be between 1 and {MAX_BATCH_SIZE}")
    partner = get_partner(session, partner_name) if partner_name else None
    rule = ForwardingRule(
        name=name.strip() or endpoint,
        endpoint=endpoint,
        username=username,
        password=seal(credentials_secret, password),
        verb_ids=list(dict.fromkeys(verb_ids)),
        activity_prefix=activity_prefix or None,
        actor_domain=(actor_domain or "").lower().lstrip("@") or None,
        partner_id=partner.id if partner is not None else None,
        batch_size=batch_size,
    )
    session.add(rule)
    session.flush()
    _on_commit_forget_rules(session)
    return rule


def list_rules(session: Session) -> list[ForwardingRule]:
    return list(session.scalars(select(ForwardingRule).order_by(ForwardingRule.created_at)))


def get_rule(session: Session, rule_id: str) -> ForwardingRule:
    rule = session.get(ForwardingRule, rule_id)
    if rule is None:
        raise NotFound(f"No forwarding rule {rule_id}")
    return rule


def deactivate_rule(session: Session, rule_id: str) -> ForwardingRule:
    rule = get_rule(session, rule_id)
    rule.is_active = False
    session.flush()
    _on_commit_forget_rules(session)
    return rule


def dead_letters(session: Session, rule_id: str, limit: int = 100) -> list[ForwardingOutboxEntry]:
    get_rule(session, rule_id)
    return list(
        session.scalars(
            select(ForwardingOutboxEntry)
            .where(ForwardingOutboxEntry.rule_id == rule_id, ForwardingOutboxEntry.dead.is_(True))
            .order_by(ForwardingOutboxEntry.id)
            .limit(limit)
        )
    )


def pending_count(session: Session, rule_id: str) -> int:
    return int(
        session.scalar(
            select(func.count(ForwardingOutboxEntry.id)).where(
                ForwardingOutboxEntry.rule_id == rule_id, ForwardingOutboxEntry.dead.is_(False)
            )
        )
        or 0
    )
