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


def test_details_appear_only_for_errors_that_show_them_and_never_under_xapi(
    client: TestClient,
) -> None:
    from learnloop.errors import Forbidden, UnprocessableContent

    app = client.app

    @app.get("/test/field-error")  # type: ignore[attr-defined, untyped-decorator]
    def field_error() -> None:
        raise UnprocessableContent("bad field", details={"field": "a[0]", "reason": "why"})

    @app.get("/test/quiet-error")  # type: ignore[attr-defined, untyped-decorator]
    def quiet_error() -> None:
        raise Forbidden("Feature not available", details={"feature": "x"})

    @app.get("/xapi/test-field-error")  # type: ignore[attr-defined, untyped-decorator]
    def xapi_field_error() -> None:
        raise UnprocessableContent("bad field", details={"field": "a", "reason": "why"})

    shown = client.get("/test/field-error")
    assert shown.status_code == 422
    assert shown.json() == {
        "success": False,
        "error": "bad field",
        "details": {"field": "a[0]", "reason": "why"},
    }
    quiet = client.get("/test/quiet-error")
    assert quiet.json() == {"success": False, "error": "Feature not available"}
    xapi = client.get("/xapi/test-field-error")
    assert xapi.status_code == 422
    assert xapi.text == "bad field"
