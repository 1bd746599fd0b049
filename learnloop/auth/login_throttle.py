"""Rate limit of sign-ins, per account and per client address (issue 12, item 9).

Every failed sign-in counts against the account (the normalized email, existing or
not) and against the client's address, within a fixed window. Reaching the limit locks
that key for the lockout time: sign-ins for it are answered 429 with ``Retry-After``
*before* the password is hashed, so a flood cannot keep argon2 busy, and the right
password is refused too while locked. Counters are rows, so all processes share them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learnloop.auth.errors import TooManySignIns
from learnloop.auth.models import LoginThrottle
from learnloop.config import Settings
from learnloop.db import utcnow

Clock = Callable[[], datetime]


async def get_clock(request: Request) -> Clock:
    """``app.state.clock`` when a test set one, else the wall clock."""
    clock: Clock = getattr(request.app.state, "clock", utcnow)
    return clock


ClockDep = Annotated[Clock, Depends(get_clock)]


@dataclass(frozen=True)
class SignInAttempt:
    email: str
    address: str

    @property
    def account_key(self) -> str:
        return _key(f"account:{self.email.strip().lower()}")

    @property
    def address_key(self) -> str:
        return _key(f"address:{self.address}")


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def client_address(request: Request) -> str:
    # Behind a reverse proxy this is the proxy unless uvicorn is told to trust its
    # X-Forwarded-For (--proxy-headers --forwarded-allow-ips), see the README.
    return request.client.host if request.client is not None else "unknown"


def ensure_allowed(session: Session, attempt: SignInAttempt, now: datetime) -> None:
    keys = (attempt.account_key, attempt.address_key)
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    locked_until = max(
        (row.locked_until for row in rows if row.locked_until and row.locked_until > now),
        default=None,
    )
    if locked_until is not None:
        retry_after = max(1, math.ceil((locked_until - now).total_seconds()))
        raise TooManySignIns(
            f"Too many failed sign-ins; try again in {retry_after} seconds",
            headers={"Retry-After": str(retry_after)},
        )


def record_failure(
    session: Session, settings: Settings, attempt: SignInAttempt, now: datetime
) -> None:
    limits = (
        (attempt.account_key, settings.login_max_failures_per_account),
        (attempt.address_key, settings.login_max_failures_per_address),
    )
    window = timedelta(seconds=settings.login_failure_window_seconds)
    for key, limit in limits:
        row = _locked_row(session, key, now)
        if row.window_started_at + window <= now:
            row.failures = 0
            row.window_started_at = now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + timedelta(seconds=settings.login_lockout_seconds)
            row.failures = 0
            row.window_started_at = now
    session.flush()


def record_success(
    session: Session, settings: Settings, attempt: SignInAttempt, now: datetime
) -> None:
    """The account's count starts over; the address keeps its count (many accounts)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == attempt.account_key))
    prune(session, settings, now)
    session.flush()


def prune(session: Session, settings: Settings, now: datetime) -> None:
    window_start = now - timedelta(seconds=settings.login_failure_window_seconds)
    session.execute(
        delete(LoginThrottle).where(
            and_(
                LoginThrottle.window_started_at < window_start,
                or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
            )
        )
    )


def _locked_row(session: Session, key: str, now: datetime) -> LoginThrottle:
    """The key's row, created if missing, locked until commit (parallel failures add up)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=0, window_started_at=now, locked_until=None)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return row
