"""Backups of a deployment: the database and every stored file, in one tar archive.

Layout of the archive::

    manifest.json        format, dialect, schema revision, time, file count
    database.sqlite      SQLite: a snapshot taken with SQLite's online backup API
    database.pgdump      PostgreSQL: ``pg_dump --format=custom``
    files/<key>          every key of the FileStorage (local directory or S3 bucket)

Consistency: the database snapshot is taken first (SQLite's backup API and pg_dump both
read one consistent state while the server keeps running), then the files are copied.
Files are written before the rows that name them commit, so every file the snapshot
refers to exists when the copy runs; a file deleted after the snapshot (content deleted
meanwhile) is reported as missing. Files added after the snapshot are copied too and are
harmless extras.

Restore writes the database back (SQLite: through the backup API into the target file;
PostgreSQL: ``pg_restore --clean``) and replaces the stored files. Stop the servers and
workers first. A backup restores into the same kind of database it was taken from.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from learnloop.db import Database
from learnloop.errors import BadRequest
from learnloop.storage import FileStorage, StoredFileNotFound
from learnloop.storage.base import validate_key

BACKUP_FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
POSTGRES_MEMBER = "database.pgdump"
FILES_PREFIX = "files/"


class BackupError(BadRequest):
    code = "backup_error"


@dataclass(frozen=True)
class BackupSummary:
    dialect: str
    revision: str
    files: int
    missing_files: tuple[str, ...]


def create_backup(database: Database, storage: FileStorage, archive_path: Path) -> BackupSummary:
    dialect = database.engine.dialect.name
    revision = _schema_revision(database)
    archive_path.parent.mkdir(parents=True, exist_ok=True)
    partial = archive_path.with_name(archive_path.name + ".partial")
    with tempfile.TemporaryDirectory() as scratch:
        snapshot = Path(scratch) / "database"
        if dialect == "sqlite":
            _sqlite_snapshot(database, snapshot)
            member = SQLITE_MEMBER
        elif dialect == "postgresql":
            _pg_dump(database, snapshot)
            member = POSTGRES_MEMBER
        else:
            raise BackupError(f"backups of {dialect} databases are not supported")
        keys = storage.list_keys()
        copied = 0
        missing = []
        with tarfile.open(partial, "w") as archive:
            archive.add(snapshot, arcname=member)
            for key in keys:
                try:
                    data = storage.get_bytes(key)
                except StoredFileNotFound:
                    missing.append(key)
                    continue
                _add_bytes(archive, FILES_PREFIX + key, data)
                copied += 1
            manifest = {
                "format": BACKUP_FORMAT,
                "dialect": dialect,
                "revision": revision,
                "created_at": datetime.now(UTC).isoformat(),
                "files": copied,
            }
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
    # Renamed into place only when complete: a crash never leaves a half archive under
    # the name asked for.
    os.replace(partial, archive_path)
    return BackupSummary(dialect, revision, copied, tuple(missing))


def restore_backup(
    database: Database, storage: FileStorage, archive_path: Path, *, force: bool
) -> BackupSummary:
    with tarfile.open(archive_path, "r") as archive:
        manifest = _read_manifest(archive)
        dialect = database.engine.dialect.name
        if manifest["dialect"] != dialect:
            raise BackupError(
                f"the backup is of a {manifest['dialect']} database; the target is {dialect}"
            )
        file_members = [
            member
            for member in archive.getmembers()
            if member.name.startswith(FILES_PREFIX) and member.isfile()
        ]
        # Every key is checked before anything is written: an archive naming a path
        # outside the store is refused whole.
        for member in file_members:
            validate_key(member.name[len(FILES_PREFIX) :])
        if not force and _has_data(database, storage):
            raise BackupError("the target database or storage is not empty; use --force")
        with tempfile.TemporaryDirectory() as scratch:
            snapshot = Path(scratch) / "database"
            member_name = SQLITE_MEMBER if dialect == "sqlite" else POSTGRES_MEMBER
            source = archive.extractfile(member_name)
            if source is None:
                raise BackupError(f"the archive has no {member_name}")
            with snapshot.open("wb") as target:
                shutil.copyfileobj(source, target)
            if dialect == "sqlite":
                _sqlite_restore(database, snapshot)
            else:
                _pg_restore(database, snapshot)
        for key in storage.list_keys():
            storage.delete(key)
        for member in file_members:
            content = archive.extractfile(member)
            if content is None:
                continue
            storage.put_stream(member.name[len(FILES_PREFIX) :], cast(BinaryIO, content))
    return BackupSummary(dialect, str(manifest["revision"]), len(file_members), ())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = archive.extractfile(MANIFEST)
    except KeyError:
        raise BackupError("not a LearnLoop backup: no manifest.json") from None
    if handle is None:
        raise BackupError("not a LearnLoop backup: no manifest.json")
    try:
        manifest = json.loads(handle.read())
    except ValueError:
        raise BackupError("the backup manifest is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise BackupError("unknown backup format")
    return manifest


def _schema_revision(database: Database) -> str:
    with database.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return ""
        revisions = connection.execute(text("SELECT version_num FROM alembic_version"))
        return ",".join(sorted(row[0] for row in revisions))


def _has_data(database: Database, storage: FileStorage) -> bool:
    if storage.list_keys():
        return True
    with database.engine.connect() as connection:
        inspector = inspect(connection)
        for table in ("users", "xapi_statements", "h5p_content"):
            if (
                inspector.has_table(table)
                and connection.execute(
                    text(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608 (fixed names)
                ).first()
            ):
                return True
    return False


def _sqlite_path(database: Database) -> str:
    path = database.engine.url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return path


def _sqlite_snapshot(database: Database, target: Path) -> None:
    source = sqlite3.connect(_sqlite_path(database))
    destination = sqlite3.connect(target)
    try:
        # The online backup API copies one consistent state, also while others write.
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _sqlite_restore(database: Database, snapshot: Path) -> None:
    database.engine.dispose()
    source = sqlite3.connect(snapshot)
    destination = sqlite3.connect(_sqlite_path(database))
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _libpq_target(database: Database) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it (so
    the password never shows up in the process list)."""
    url = make_url(database.engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools)")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _pg_dump(database: Database, target: Path) -> None:
    uri, env = _libpq_target(database)
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), uri], env)


def _pg_restore(database: Database, snapshot: Path) -> None:
    database.engine.dispose()
    uri, env = _libpq_target(database)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            uri,
            str(snapshot),
        ],
        env,
    )
