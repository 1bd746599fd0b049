"""``learnloop backup`` / ``learnloop restore`` on a real database (SQLite or PostgreSQL)
and real file storage (a local directory, and a bucket on a real S3 server)."""

from __future__ import annotations

import io
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from learnloop.auth import users as user_service
from learnloop.auth.models import Role, User
from learnloop.cli.main import app
from learnloop.db import Database
from learnloop.storage import FileStorage, LocalFileStorage
from learnloop.xapi.credentials import create_client
from learnloop.xapi.models import StatementRow
from tests.support.s3_server import S3Endpoint

runner = CliRunner()


def _seed(database: Database, email: str) -> None:
    with database.transaction() as session:
        user_service.create_user(
            session, email=email, display_name="Kept", role=Role.TEACHER, password="pw-123456789"
        )
        create_client(session, name="kept client", scopes=("all",))


def _counts(database: Database) -> tuple[int, list[str]]:
    with database.session() as session:
        statements = session.scalar(select(func.count()).select_from(StatementRow)) or 0
        emails = sorted(session.scalars(select(User.email)))
    return statements, emails


def _storage_env(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[FileStorage, dict[str, str]]:
    if kind == "local":
        directory = tmp_path / "files"
        return LocalFileStorage(directory), {"LEARNLOOP_STORAGE_DIR": str(directory)}
    endpoint: S3Endpoint = request.getfixturevalue("s3")
    storage = endpoint.new_bucket_storage("backup-test")
    return storage, endpoint.server_env(storage.bucket, "backup-test")


@pytest.mark.parametrize("storage_kind", ["local", "s3"])
def test_backup_then_restore_brings_back_database_and_files(
    storage_kind: str,
    committed_database: Database,
    committed_database_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    storage, storage_env = _storage_env(storage_kind, tmp_path, request)
    env = {"LEARNLOOP_DATABASE_URL": committed_database_url, **storage_env}
    _seed(committed_database, "kept@example.test")
    storage.put_bytes("content/1/content.json", b'{"kept": true}')
    storage.put_bytes("libraries/H5P.Foo-1.0/library.json", b"{}")
    archive = tmp_path / "backups" / "learnloop.tar"

    made = runner.invoke(app, ["backup", str(archive)], env=env)
    assert made.exit_code == 0, made.output
    assert "files: 2" in made.output
    before = _counts(committed_database)

    # Life goes on after the backup: a new user, a changed and a new file, a lost file.
    _seed(committed_database, "later@example.test")
    storage.put_bytes("content/1/content.json", b'{"kept": false}')
    storage.put_bytes("content/2/content.json", b"{}")
    storage.delete("libraries/H5P.Foo-1.0/library.json")

    refused = runner.invoke(app, ["restore", str(archive)], env=env)
    assert refused.exit_code == 1
    assert "not empty" in refused.output
    assert _counts(committed_database)[1] == ["kept@example.test", "later@example.test"]

    restored = runner.invoke(app, ["restore", str(archive), "--force"], env=env)
    assert restored.exit_code == 0, restored.output
    committed_database.engine.dispose()
    assert _counts(committed_database) == before
    assert storage.list_keys() == ["content/1/content.json", "libraries/H5P.Foo-1.0/library.json"]
    assert storage.get_bytes("content/1/content.json") == b'{"kept": true}'


def test_an_archive_with_a_path_outside_the_store_is_refused_whole(
    committed_database_url: str, tmp_path: Path
) -> None:
    directory = tmp_path / "files"
    env = {
        "LEARNLOOP_DATABASE_URL": committed_database_url,
        "LEARNLOOP_STORAGE_DIR": str(directory),
    }
    good = tmp_path / "good.tar"
    assert runner.invoke(app, ["backup", str(good)], env=env).exit_code == 0
    evil = tmp_path / "evil.tar"
    with tarfile.open(good) as source, tarfile.open(evil, "w") as target:
        for member in source.getmembers():
            extracted = source.extractfile(member)
            target.addfile(member, extracted)
        payload = b"owned"
        info = tarfile.TarInfo("files/../../outside.txt")
        info.size = len(payload)
        target.addfile(info, io.BytesIO(payload))
    result = runner.invoke(app, ["restore", str(evil), "--force"], env=env)
    assert result.exit_code == 1
    assert not (tmp_path / "outside.txt").exists()
    assert not (directory.parent / "outside.txt").exists()


def test_a_file_that_is_not_a_backup_is_refused(
    committed_database_url: str, tmp_path: Path
) -> None:
    bogus = tmp_path / "bogus.tar"
    with tarfile.open(bogus, "w") as archive:
        info = tarfile.TarInfo(f"{uuid.uuid4()}.txt")
        archive.addfile(info, io.BytesIO(b""))
    env = {"LEARNLOOP_DATABASE_URL": committed_database_url}
    result = runner.invoke(app, ["restore", str(bogus), "--force"], env=env)
    assert result.exit_code == 1
    assert "not a LearnLoop backup" in result.output
    missing = runner.invoke(app, ["restore", str(tmp_path / "none.tar")], env=env)
    assert missing.exit_code == 1
