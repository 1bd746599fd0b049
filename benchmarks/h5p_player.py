"""H5P player endpoints against baselines measured in the same run.

1. ``GET /h5p/play/:id`` (the full H5PIntegration: libraries in load order, params,
   preloaded user data, signed file URL) against ``GET /h5p/content/:id`` (one content
   row, the same auth), for QuestionSet, the hub package with the most libraries. The
   SQL statement count of one play request is printed too (it must not grow with the
   number of libraries: no per-library queries).
2. ``POST contentUserData`` (the state save H5P core sends every saveFreq seconds)
   against the same baseline GET.

Run: ``.venv/bin/python -m benchmarks.h5p_player`` (SQLite in a temporary directory, or
set ``LEARNLOOP_BENCH_DATABASE_URL`` to a PostgreSQL database that may be emptied).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, text

from learnloop.auth import users as user_service
from learnloop.auth.models import Role
from learnloop.auth.tokens import issue_token
from learnloop.config import Settings
from learnloop.db import Database
from learnloop.main import create_app
from learnloop.migrate import upgrade
from learnloop.storage import LocalFileStorage

HUB = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "h5p" / "hub"
REQUESTS = 300
SECRET = "benchmark-secret-that-is-long-enough-0123456789"


def per_request(client: TestClient, call: Callable[[TestClient], Any]) -> float:
    call(client)  # warm up
    started = time.perf_counter()
    for _ in range(REQUESTS):
        call(client)
    return (time.perf_counter() - started) / REQUESTS


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = os.environ.get("LEARNLOOP_BENCH_DATABASE_URL") or f"sqlite:///{directory}/bench.db"
        database = Database.from_url(url)
        if url.startswith("postgresql"):
            with database.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(database.engine)
        settings = Settings(
            environment="test",
            database_url=url,
            data_dir=Path(directory),
            jwt_secret=SECRET,
            run_worker_in_process=False,
        )
        with database.transaction() as session:
            teacher = user_service.create_user(
                session,
                email="bench@example.test",
                display_name="Bench",
                role=Role.ADMIN,  # installs the package's libraries on import
                password="correct horse battery",
            )
        token, _ = issue_token(settings, teacher)
        headers = {"Authorization": f"Bearer {token}"}
        app = create_app(
            settings, database=database, storage=LocalFileStorage(Path(directory) / "files")
        )
        with TestClient(app) as client:
            package = HUB / "H5P.QuestionSet.h5p"
            with package.open("rb") as handle:
                imported = client.post(
                    "/h5p/import",
                    headers=headers,
                    files={"h5p": (package.name, handle, "application/zip")},
                )
            content_id = imported.json()["data"]["contentId"]
            state_url = f"/h5p/contentUserData/{content_id}/state/0"

            def baseline(c: TestClient) -> Any:
                return c.get(f"/h5p/content/{content_id}", headers=headers)

            def play(c: TestClient) -> Any:
                return c.get(f"/h5p/play/{content_id}", headers=headers)

            def save_state(c: TestClient) -> Any:
                return c.post(
                    state_url,
                    headers=headers,
                    data={"data": '{"progress":3,"answers":[1,2,3]}', "preload": "1"},
                )

            statements: list[str] = []

            def count(*args: Any) -> None:
                statements.append(str(args[2]))

            event.listen(database.engine, "before_cursor_execute", count)
            response = play(client)
            event.remove(database.engine, "before_cursor_execute", count)
            scripts = len(response.json()["data"]["scripts"])

            base = per_request(client, baseline)
            played = per_request(client, play)
            saved = per_request(client, save_state)
        database.engine.dispose()

    print(f"backend: {url.split(':', 1)[0]}, {REQUESTS} requests each")
    print(f"GET /h5p/content/:id (baseline): {base * 1000:.2f} ms")
    print(
        f"GET /h5p/play/:id: {played * 1000:.2f} ms = {played / base:.2f}x baseline "
        f"({scripts} scripts, {len(statements)} SQL statements)"
    )
    print(f"POST contentUserData: {saved * 1000:.2f} ms = {saved / base:.2f}x baseline")


if __name__ == "__main__":
    main()
