"""Database engine, declarative base and the request-scoped session.

SQLite is the embedded default (WAL, foreign keys on). pysqlite's own transaction
handling is switched off and SQLAlchemy emits BEGIN itself, as SQLAlchemy documents
("Serializable isolation / Savepoints / Transactional DDL" for pysqlite), so that
SAVEPOINTs and rolled-back test transactions behave as on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    any_,
    bindparam,
    cast,
    column,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON on SQLite, JSONB on PostgreSQL (the reference stores xAPI data as JSONB).
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JsonDocument,
        list[str]: JsonDocument,
        list[Any]: JsonDocument,
    }


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


def dialect_name(executor: Session | Connection) -> str:
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    return bind.dialect.name


def dialect_insert(dialect: str, table: Table) -> Any:
    """The dialect's INSERT for ``table``, which has ``on_conflict_do_nothing`` and
    ``on_conflict_do_update`` (both PostgreSQL and SQLite ≥ 3.24 have ON CONFLICT)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def json_rows_insert(table: Table, columns: Sequence[str]) -> Any:
    """PostgreSQL ``INSERT INTO table (columns) SELECT … FROM jsonb_to_recordset(:rows)``:
    executed with ``{"rows": json_list(row_dicts)}``, the whole batch is one text
    parameter, so the driver does no per-value work. The result is a PostgreSQL Insert:
    ``on_conflict_do_update``, ``excluded`` and ``returning`` work on it."""
    source = (
        func.jsonb_to_recordset(cast(bindparam("rows", type_=Text), JSONB))
        .table_valued(*(column(name, table.c[name].type) for name in columns))
        .render_derived(with_types=True)
    )
    return postgresql.insert(table).from_select(
        list(columns), select(*(source.c[name] for name in columns))
    )


def in_json_list(column: Any, name: str, dialect: str) -> Any:
    """``column IN`` the strings of the JSON array bound to parameter ``name``
    (:func:`json_list`), unpacked by the database: ``jsonb_array_elements_text`` on
    PostgreSQL (as ``= ANY(ARRAY(…))``, an index scan), ``json_each`` on SQLite.

    The SQL does not depend on how many values there are, so a statement built once is
    compiled and prepared once, and the driver sends one string instead of one parameter
    (or one array element) per value.
    """
    values = bindparam(name, type_=Text)
    if dialect == "postgresql":
        unpacked = select(func.jsonb_array_elements_text(cast(values, JSONB)))
        return column == any_(func.array(unpacked.scalar_subquery()))
    return column.in_(select(func.json_each(values).table_valued("value").c.value))


def json_list(values: Iterable[Any]) -> str:
    """The parameter value for :func:`in_json_list` (strings) and
    :func:`json_rows_insert` (row dicts): one JSON array as text."""
    return orjson.dumps(list(values)).decode()


UUID_LENGTH = 36
UuidString = String(UUID_LENGTH)


# One writer at a time per SQLite file in this process. ``BEGIN IMMEDIATE`` below takes
# SQLite's write lock; a second connection asking for it meanwhile waits in SQLite's busy
# handler, which polls with sleeps of 1, 2, 5 … 100 ms, so under concurrent requests most
# of the time went to sleeping. A Python lock taken before BEGIN and released right after
# COMMIT or ROLLBACK hands the write lock to the next waiting request at once. (Other
# processes on the same file still meet SQLite's busy handler, as before.)
SQLITE_WRITE_LOCK_TIMEOUT_SECONDS = 30.0
_sqlite_write_locks: dict[str, threading.Lock] = {}
_sqlite_write_locks_guard = threading.Lock()


def _sqlite_write_lock(database_path: str) -> threading.Lock:
    key = str(Path(database_path).resolve()) if database_path else ":memory:"
    with _sqlite_write_locks_guard:
        return _sqlite_write_locks.setdefault(key, threading.Lock())


class _LockReleasingConnection(sqlite3.Connection):
    """A pysqlite connection that gives back the process's write lock of its file when
    its transaction ends (commit, rollback or close)."""

    write_lock: threading.Lock | None = None
    holds_write_lock = False

    def _release_write_lock(self) -> None:
        if self.holds_write_lock and self.write_lock is not None:
            self.holds_write_lock = False
            self.write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._release_write_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release_write_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release_write_lock()


def _install_sqlite_recipe(engine: Engine, database_path: str) -> None:
    write_lock = _sqlite_write_lock(database_path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and
        # then writes fails with SQLITE_BUSY when another writer got in between.
        dbapi_connection = connection.connection.dbapi_connection
        locking = isinstance(dbapi_connection, _LockReleasingConnection)
        # On timeout go on without it: SQLite's own busy timeout still applies.
        if (
            locking
            and not dbapi_connection.holds_write_lock
            and write_lock.acquire(timeout=SQLITE_WRITE_LOCK_TIMEOUT_SECONDS)
        ):
            dbapi_connection.write_lock = write_lock
            dbapi_connection.holds_write_lock = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if locking:
                dbapi_connection._release_write_lock()
            raise


def build_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        database_path = url.split("///", 1)[-1]
        if database_path and database_path != ":memory:":
            Path(database_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={
                "check_same_thread": False,
                "timeout": 30,
                "factory": _LockReleasingConnection,
            },
        )
        _install_sqlite_recipe(engine, database_path)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


@dataclass(frozen=True)
class Database:
    """The engine and the session factory that a running app (or a test) uses."""

    engine: Engine
    session_factory: sessionmaker[Session]

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> Database:
        engine = build_engine(url, echo=echo)
        return cls(engine=engine, session_factory=sessionmaker(engine, expire_on_commit=False))

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def session(self) -> Session:
        return self.session_factory()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error (CLI, worker)."""
        with self.session_factory() as session, session.begin():
            yield session
