"""Request dependencies shared by every domain, declared once as ``Annotated`` aliases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from learnloop.config import Settings
from learnloop.db import Database


# The dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def``
# dependency in the thread pool, and each such hop waits for a thread and the GIL.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: services flush, this commits.

    Declared with ``scope="function"`` below so that the commit runs *before* the
    response is sent: a failed commit becomes a 500, never a 200 for lost data. Opening
    the session does no I/O (the connection is taken on first use), so it happens here;
    the commit or rollback blocks on the database and runs in a thread pool of its own.
    """
    database: Database = request.app.state.database
    session = database.session_factory()
    try:
        yield session
    except BaseException:
        await _in_finisher_thread(_rollback, session)
        raise
    if session.in_transaction():
        await _in_finisher_thread(_commit, session)
    else:
        # Nothing to commit (the handler committed, or used no connection): closing
        # does no I/O, so it needs no thread.
        session.close()


async def _in_finisher_thread(finish: Callable[[Session], None], session: Session) -> None:
    # Shielded: a cancelled request (client gone) must still end its transaction and give
    # its connection back, or the connection and, on SQLite, the write lock would leak.
    await asyncio.shield(asyncio.get_running_loop().run_in_executor(_FINISHERS, finish, session))


# Commits and rollbacks get threads of their own, not the pool the handlers run in: when
# every handler thread is waiting for the database's write lock (SQLite) or for a pooled
# connection, the commit that would free them must not wait for one of those threads.
_FINISHERS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="learnloop-commit")


def _commit(session: Session) -> None:
    _finish(session, commit=True)


def _rollback(session: Session) -> None:
    _finish(session, commit=False)


def _finish(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
