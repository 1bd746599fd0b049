from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from learnloop.config import Settings
from learnloop.db import Database
from learnloop.main import create_app
from learnloop.storage import LocalFileStorage


def test_health_reports_the_database(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["status"] == "ok"
    assert body["database"] in ("sqlite", "postgresql")


def test_health_is_503_when_the_database_is_unreachable(
    settings: Settings, storage: LocalFileStorage
) -> None:
    unreachable = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    from sqlalchemy.orm import sessionmaker

    database = Database(engine=unreachable, session_factory=sessionmaker(unreachable))
    with TestClient(create_app(settings, database=database, storage=storage)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["success"] is False


def test_h5p_health_has_the_reference_shape(client: TestClient) -> None:
    body = client.get("/h5p/health").json()
    assert body["success"] is True
    assert body["service"] == "h5p"
    assert body["timestamp"].endswith("Z")


def test_unknown_routes_are_404_in_the_reference_shape(client: TestClient) -> None:
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Not found"}


def test_an_unexpected_error_is_a_generic_500(client: TestClient) -> None:
    app = client.app

    @app.get("/test/boom")  # type: ignore[attr-defined, untyped-decorator]
    def boom() -> None:
        raise RuntimeError("secret internal detail /etc/learnloop")

    response = client.get("/test/boom")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": "Internal server error"}
    assert "secret" not in response.text
