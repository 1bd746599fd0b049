"""The one error handler: what an unexpected failure logs."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient


def test_an_unexpected_error_logs_no_token_shaped_path_segment(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    app = client.app
    grant = "eyJhbGciOiJIUzI1NiJ9.grant-that-must-not-be-logged.c2lnbmF0dXJlc2lnbmF0dXJl"

    @app.get("/test/files/{content_id}/{grant}/boom")  # type: ignore[attr-defined, untyped-decorator]
    def boom(content_id: str, grant: str) -> None:
        raise RuntimeError("failure while serving a play file")

    with caplog.at_level(logging.ERROR, logger="learnloop.errors"):
        response = client.get(f"/test/files/content-1/{grant}/boom")

    assert response.status_code == 500
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "unhandled error on GET /test/files/content-1/" in logged
    assert grant not in logged
