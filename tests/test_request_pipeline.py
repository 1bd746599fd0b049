"""The two ASGI layers every request passes (learnloop.request_pipeline): the headers each
concern adds, with and without ``Origin`` (CORS runs only for requests that carry one)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_request_without_origin_varies_by_origin_and_gets_every_header(
    client: TestClient,
) -> None:
    response = client.get("/xapi/about", headers={"X-Request-ID": "abc"})
    assert response.status_code == 200
    assert response.headers["vary"] == "Origin"
    assert response.headers["x-request-id"] == "abc"
    assert response.headers["x-experience-api-version"] == "2.0.0"
    assert "access-control-allow-origin" not in response.headers


def test_a_request_with_origin_gets_the_cors_headers_too(client: TestClient) -> None:
    response = client.get("/xapi/about", headers={"Origin": "https://lms.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "x-request-id" in response.headers
    assert response.headers["x-experience-api-version"] == "2.0.0"


def test_a_preflight_is_answered_by_cors_with_the_pipeline_headers(client: TestClient) -> None:
    response = client.options(
        "/xapi/statements",
        headers={
            "Origin": "https://lms.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,x-experience-api-version",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "x-request-id" in response.headers
    assert "x-experience-api-version" in response.headers
    assert "x-experience-api-consistent-through" in response.headers


def test_requests_are_counted_by_route_template(client: TestClient) -> None:
    client.get("/xapi/about")
    metrics = client.get("/metrics").text
    assert 'learnloop_http_requests_total{method="GET",route="/xapi/about",status="200"}' in metrics
