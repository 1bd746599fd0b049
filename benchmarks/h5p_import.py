"""H5P import and content-list speed, against baselines measured in the same run.

1. Import: every hub package of ``../shared/fixtures/h5p/hub`` is imported into an empty
   store (database rows and files, so every library is validated and written), and the
   same zips are extracted with plain ``zipfile.extractall``. Prints seconds per MB of
   package for both and their ratio (target: import within 3x of plain extraction).
2. Content list: ``GET /h5p/content`` for a teacher who owns 1,000 items, against a raw
   SQL read of the same rows; prints the SQL statement count for 1 and for 1,000 items
   (equal counts: no per-row queries).

Run: ``.venv/bin/python -m benchmarks.h5p_import`` (SQLite in a temporary directory, or
set ``LEARNLOOP_BENCH_DATABASE_URL`` to a PostgreSQL database that may be emptied).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, event, text

from learnloop.auth import users as user_service
from learnloop.auth.models import Role, User
from learnloop.auth.tokens import issue_token
from learnloop.config import Settings
from learnloop.db import Database
from learnloop.h5p.importer import import_package
from learnloop.h5p.models import (
    ContentCurriculum,
    ContentOwnership,
    H5PContent,
    H5PContentLibrary,
    H5PLibrary,
    H5PLibraryDependency,
)
from learnloop.main import create_app
from learnloop.migrate import upgrade
from learnloop.storage import LocalFileStorage

HUB = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "h5p" / "hub"
ROUNDS = 5
LIST_ITEMS = 1000
SECRET = "benchmark-secret-that-is-long-enough-0123456789"


def best_of(rounds: int, run: Callable[[], float]) -> float:
    return min(run() for _ in range(rounds))


def empty_h5p_tables(database: Database) -> None:
    with database.transaction() as session:
        for model in (
            ContentCurriculum,
            ContentOwnership,
            H5PContentLibrary,
            H5PContent,
            H5PLibraryDependency,
            H5PLibrary,
        ):
            session.execute(delete(model))


def extract_once(packages: list[Path], work: Path) -> float:
    target = work / "extracted"
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    for index, package in enumerate(packages):
        with zipfile.ZipFile(package) as archive:
            archive.extractall(target / str(index))
    return time.perf_counter() - started


def import_once(packages: list[Path], database: Database, settings: Settings, work: Path) -> float:
    elapsed = 0.0
    for package in packages:
        # Each package into an empty store: all of its libraries are validated and written.
        empty_h5p_tables(database)
        shutil.rmtree(work / "files", ignore_errors=True)
        storage = LocalFileStorage(work / "files")
        started = time.perf_counter()
        with database.transaction() as session, package.open("rb") as handle:
            import_package(session, storage, settings, None, handle, may_install_libraries=True)
        elapsed += time.perf_counter() - started
    return elapsed


def time_both(
    packages: list[Path], database: Database, settings: Settings, work: Path
) -> tuple[float, float]:
    """Best of ROUNDS for each, interleaved so both see the same machine load."""
    extractions, imports = [], []
    for _ in range(ROUNDS):
        extractions.append(extract_once(packages, work))
        imports.append(import_once(packages, database, settings, work))
    return min(extractions), min(imports)


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0

    def _record(self, *_args: Any) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def seed_content(database: Database, owner_id: str, library_id: int, count: int) -> None:
    with database.transaction() as session:
        for index in range(count):
            content_id = f"bench{owner_id[:8]}{index:06d}"
            session.add(
                H5PContent(
                    id=content_id,
                    title=f"Quiz {index}",
                    main_library_id=library_id,
                    params={"question": f"<p>Question {index}</p>"},
                    metadata_json={"title": f"Quiz {index}"},
                    embed_types=["iframe"],
                )
            )
            session.flush()
            session.add(ContentOwnership(content_id=content_id, user_id=owner_id, view_count=index))
            if index % 2 == 0:
                session.add(
                    ContentCurriculum(
                        content_id=content_id, framework_name="NGSS", topic_names=["x"]
                    )
                )


def bench_list(database: Database, settings: Settings, work: Path) -> None:
    empty_h5p_tables(database)
    storage = LocalFileStorage(work / "files")
    with database.transaction() as session, (HUB / "H5P.MultiChoice.h5p").open("rb") as handle:
        import_package(session, storage, settings, None, handle, may_install_libraries=True)
    with database.transaction() as session:
        one = user_service.create_user(
            session,
            email=f"one-{time.time_ns()}@bench.test",
            display_name="One",
            role=Role.TEACHER,
            password=None,
        )
        many = user_service.create_user(
            session,
            email=f"many-{time.time_ns()}@bench.test",
            display_name="Many",
            role=Role.TEACHER,
            password=None,
        )
        library_id = session.execute(
            text("SELECT id FROM h5p_libraries WHERE machine_name = 'H5P.MultiChoice'")
        ).scalar_one()
        session.flush()
        one_id, many_id = one.id, many.id
    seed_content(database, one_id, library_id, 1)
    seed_content(database, many_id, library_id, LIST_ITEMS)

    tokens = {}
    with database.transaction() as session:
        for user_id in (one_id, many_id):
            user = session.get(User, user_id)
            assert user is not None
            tokens[user_id] = issue_token(settings, user)[0]
    app = create_app(settings, database=database, storage=storage)
    with TestClient(app) as client:

        def list_for(user_id: str) -> int:
            response = client.get(
                "/h5p/content", headers={"Authorization": f"Bearer {tokens[user_id]}"}
            )
            assert response.status_code == 200, response.text
            return len(response.json()["data"])

        list_for(one_id)  # warm up: the first request of a process does one-time work
        with QueryCounter(database.engine) as counted_one:
            assert list_for(one_id) == 1
        with QueryCounter(database.engine) as counted_many:
            assert list_for(many_id) == LIST_ITEMS

        def endpoint() -> float:
            started = time.perf_counter()
            list_for(many_id)
            return time.perf_counter() - started

        def raw_sql() -> float:
            started = time.perf_counter()
            with database.engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT c.id, c.title, c.created_at, c.updated_at, c.embed_types, "
                        "l.machine_name, l.major_version, l.minor_version, o.visibility, "
                        "o.view_count, cc.framework_name, cc.topic_names "
                        "FROM h5p_content c JOIN h5p_content_ownership o ON o.content_id = c.id "
                        "JOIN h5p_libraries l ON l.id = c.main_library_id "
                        "LEFT JOIN h5p_content_curriculum cc ON cc.content_id = c.id "
                        "WHERE o.user_id = :user ORDER BY c.updated_at DESC"
                    ),
                    {"user": many_id},
                ).all()
            assert len(rows) == LIST_ITEMS
            return time.perf_counter() - started

        endpoint_seconds = best_of(5, endpoint)
        raw_seconds = best_of(5, raw_sql)
    print(f"\ncontent list, {LIST_ITEMS} items")
    print(
        f"  SQL statements per request: {counted_one.count} for 1 item, {counted_many.count} for {LIST_ITEMS} items"
    )
    print(f"  GET /h5p/content:           {endpoint_seconds * 1000:8.1f} ms")
    print(f"  raw SQL of the same rows:   {raw_seconds * 1000:8.1f} ms")
    print(f"  ratio endpoint / raw SQL:   {endpoint_seconds / raw_seconds:8.1f}x")


def main() -> None:
    packages = sorted(HUB.glob("*.h5p"))
    if not packages:
        raise SystemExit(f"no hub packages in {HUB}")
    megabytes = sum(package.stat().st_size for package in packages) / (1024 * 1024)
    with tempfile.TemporaryDirectory(prefix="learnloop-bench-") as directory:
        work = Path(directory)
        url = os.environ.get("LEARNLOOP_BENCH_DATABASE_URL") or f"sqlite:///{work / 'bench.db'}"
        settings = Settings(environment="test", data_dir=work, database_url=url, jwt_secret=SECRET)
        database = Database.from_url(url)
        upgrade(database.engine)
        try:
            extract_seconds, import_seconds = time_both(packages, database, settings, work)
            print(f"H5P import, {len(packages)} hub packages, {megabytes:.1f} MB, best of {ROUNDS}")
            print(f"  zipfile.extractall: {extract_seconds / megabytes * 1000:8.1f} ms/MB")
            print(f"  learnloop import:   {import_seconds / megabytes * 1000:8.1f} ms/MB")
            print(
                f"  ratio import / extraction: {import_seconds / extract_seconds:.2f}x (target <= 3x)"
            )
            bench_list(database, settings, work)
        finally:
            empty_h5p_tables(database)
            database.engine.dispose()


if __name__ == "__main__":
    main()
