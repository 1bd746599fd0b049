"""``learnloop serve --port P`` without ``LEARNLOOP_BASE_URL``: the pages' links (the
LRS endpoint an admin hands out, share links, activity ids) name the port really
served, not the default :8000."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from learnloop.config import listening_base_url
from tests.support.live_server import free_port

ADMIN_EMAIL = "root@example.test"
ADMIN_PASSWORD = "a long enough admin password"


def test_serve_without_base_url_links_to_the_port_it_listens_on(
    committed_database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEARNLOOP_")}
    env.update(
        LEARNLOOP_DATABASE_URL=committed_database_url,
        LEARNLOOP_DATA_DIR=str(tmp_path / "var"),
        LEARNLOOP_ENVIRONMENT="test",
        LEARNLOOP_JWT_SECRET="served-address-secret-0123456789-0123456789",
        LEARNLOOP_ADMIN_EMAIL=ADMIN_EMAIL,
        LEARNLOOP_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "learnloop.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail((tmp_path / "serve.log").read_text())
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("server did not start")
            time.sleep(0.2)
        login = httpx.post(
            f"{base}/api/auth/login",
            json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        )
        assert login.status_code == 200, login.text
        token = login.json()["data"]["token"]
        issued = httpx.post(
            f"{base}/admin/lrs-clients",
            headers={"Authorization": f"Bearer {token}"},
            data={"name": "Tool", "scopes": ["statements/write"]},
        )
        assert issued.status_code == 200, issued.text
        assert f'<code id="client-endpoint">{base}/xapi/</code>' in issued.text
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:9000"),
        ("0.0.0.0", "http://127.0.0.1:9000"),  # noqa: S104 - a bind address under test
        ("school.example", "http://school.example:9000"),
        ("::", "http://[::1]:9000"),
    ],
)
def test_listening_base_url(host: str, expected: str) -> None:
    assert listening_base_url(host, 9000) == expected
