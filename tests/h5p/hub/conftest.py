"""A local H5P Hub (tests/h5p/hub/hub_server.py) and apps pointed at it or at no one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from learnloop.config import Settings
from learnloop.db import Database
from learnloop.main import create_app
from learnloop.storage import LocalFileStorage
from tests.h5p.hub.hub_server import HubState, LocalHub, recorded, serve_hub
from tests.support.live_server import free_port


@pytest.fixture(scope="session")
def hub_api_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "h5p" / "hub-api"


@pytest.fixture(scope="session")
def session_hub(hub_api_dir: Path, fixtures_dir: Path) -> Iterator[LocalHub]:
    state = HubState(
        api_dir=hub_api_dir,
        packages_dir=fixtures_dir / "h5p" / "hub",
        listing=recorded(hub_api_dir, "1-content-type.json"),
    )
    with serve_hub(state) as hub:
        yield hub


@pytest.fixture
def hub(session_hub: LocalHub, hub_api_dir: Path) -> LocalHub:
    """The session's hub, reset: the recorded one-type listing, no packages, no requests."""
    state = session_hub.state
    state.listing = recorded(hub_api_dir, "1-content-type.json")
    state.packages = {}
    state.registrations.clear()
    state.listing_requests.clear()
    state.downloads.clear()
    state.redirects.clear()
    return session_hub


@pytest.fixture
def settings(settings: Settings, hub: LocalHub) -> Settings:
    return settings.model_copy(update={"h5p_hub_url": hub.url})


@pytest.fixture
def offline_client(
    settings: Settings, database: Database, storage: LocalFileStorage
) -> Iterator[TestClient]:
    """An app whose hub address has nobody listening (an offline school)."""
    unreachable = f"http://127.0.0.1:{free_port()}/v1"
    app: FastAPI = create_app(
        settings.model_copy(update={"h5p_hub_url": unreachable}),
        database=database,
        storage=storage,
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def hubless_client(
    settings: Settings, database: Database, storage: LocalFileStorage
) -> Iterator[TestClient]:
    """An app set up without a hub (LEARNLOOP_H5P_HUB_URL empty)."""
    app: FastAPI = create_app(
        settings.model_copy(update={"h5p_hub_url": ""}), database=database, storage=storage
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
