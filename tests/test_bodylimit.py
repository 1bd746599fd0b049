from fastapi.testclient import TestClient

from learnloop.config import Settings
from learnloop.db import Database
from learnloop.main import create_app
from learnloop.storage import LocalFileStorage


def _client(settings: Settings, database: Database, storage: LocalFileStorage) -> TestClient:
    settings.max_json_body_bytes = 1000
    settings.max_upload_body_bytes = 5000
    return TestClient(create_app(settings, database=database, storage=storage))


def test_a_json_body_over_the_limit_is_413(
    settings: Settings, database: Database, storage: LocalFileStorage
) -> None:
    with _client(settings, database, storage) as client:
        response = client.post(
            "/api/auth/login",
            content=b"{" + b" " * 2000 + b"}",
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 413
    assert response.json()["success"] is False


def test_a_chunked_body_over_the_limit_is_413(
    settings: Settings, database: Database, storage: LocalFileStorage
) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(30):
            yield b" " * 100

    with _client(settings, database, storage) as client:
        response = client.post(
            "/api/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413


def test_multipart_bodies_get_the_upload_limit(
    settings: Settings, database: Database, storage: LocalFileStorage
) -> None:
    with _client(settings, database, storage) as client:
        small = client.post("/api/auth/login", files={"f": ("a.bin", b"x" * 3000)})
        large = client.post("/api/auth/login", files={"f": ("a.bin", b"x" * 6000)})
    assert small.status_code != 413
    assert large.status_code == 413
