"""A real ``learnloop`` server process on 127.0.0.1, for tests driven by outside clients
(Node libraries, headless Chromium, a second process)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from learnloop.auth import users as user_service
from learnloop.auth.models import Role
from learnloop.db import Database

STARTUP_TIMEOUT_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_live_server(
    database_url: str,
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    *,
    files_host: str | None = None,
) -> LiveServer:
    """``files_host`` (e.g. ``"localhost"``) serves uploaded files from that second origin
    of the same server (LEARNLOOP_FILES_BASE_URL), as recommended in production."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LEARNLOOP_DATABASE_URL": database_url,
        "LEARNLOOP_DATA_DIR": str(data_dir),
        "LEARNLOOP_BASE_URL": base_url,
        "LEARNLOOP_ENVIRONMENT": "test",
        "LEARNLOOP_JWT_SECRET": "live-server-secret-for-learnloop-tests-0123456789",
        **({"LEARNLOOP_FILES_BASE_URL": f"http://{files_host}:{port}"} if files_host else {}),
        **(extra_env or {}),
    }
    log_path = data_dir / f"server-{port}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "learnloop.main:create_app_from_env",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(base_url=base_url, process=process, log_path=log_path, env=env)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not start in time:\n{server.log()}")


LIVE_PASSWORD = "correct horse battery staple"


def seed_accounts(database_url: str, *, learners: int, teacher_role: Role = Role.TEACHER) -> None:
    """Commit ``teacher@example.test`` (a teacher, or ``teacher_role``) and
    ``learner0..N-1@example.test`` to a live server's database, all with LIVE_PASSWORD."""
    database = Database.from_url(database_url)
    try:
        with database.transaction() as session:
            user_service.create_user(
                session,
                email="teacher@example.test",
                display_name="Tia Teacher",
                role=teacher_role,
                password=LIVE_PASSWORD,
            )
            for index in range(learners):
                user_service.create_user(
                    session,
                    email=f"learner{index}@example.test",
                    display_name=f"Lee Learner {index}",
                    role=Role.LEARNER,
                    password=LIVE_PASSWORD,
                )
    finally:
        database.engine.dispose()
