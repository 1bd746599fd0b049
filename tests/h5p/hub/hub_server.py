"""A local H5P Hub for the tests: the recorded hub answers of the shared fixtures
(``h5p/hub-api/``) and the packages of ``h5p/hub/``, served over HTTP on 127.0.0.1 by
uvicorn in a thread.

The recorded ``content-types`` answers describe example types (``H5P.Example1`` …) that
have no package. To install real types, ``listing_for`` builds the hub's answer for the
packages served: each entry is the recorded entry with ``id``, ``version`` and ``title``
taken from the package's own main library.
"""

from __future__ import annotations

import copy
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse

from tests.support.live_server import free_port


@dataclass
class HubState:
    api_dir: Path
    packages_dir: Path
    listing: dict[str, Any]
    # Packages served under a machine name (a file in packages_dir, or bytes).
    packages: dict[str, Path | bytes] = field(default_factory=dict)
    registrations: list[dict[str, str]] = field(default_factory=list)
    listing_requests: list[dict[str, str]] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    # Downloads answered with a redirect to this location (as a hub with a file host).
    redirects: dict[str, str] = field(default_factory=dict)


def recorded(api_dir: Path, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((api_dir / name).read_text())
    return document


def main_library_json(package: Path | bytes) -> dict[str, Any]:
    source = package if isinstance(package, Path) else io.BytesIO(package)
    with zipfile.ZipFile(source) as archive:
        h5p_json = json.loads(archive.read("h5p.json"))
        main = h5p_json["mainLibrary"]
        for reference in h5p_json["preloadedDependencies"]:
            if reference["machineName"] == main:
                folder = f"{main}-{reference['majorVersion']}.{reference['minorVersion']}"
                document: dict[str, Any] = json.loads(archive.read(f"{folder}/library.json"))
                return document
    raise ValueError("package without its main library")


def listing_for(api_dir: Path, packages: dict[str, Path | bytes]) -> dict[str, Any]:
    template = recorded(api_dir, "1-content-type.json")["contentTypes"][0]
    entries = []
    for name, package in packages.items():
        library = main_library_json(package)
        entry = copy.deepcopy(template)
        entry["id"] = name
        entry["title"] = library["title"]
        entry["version"] = {
            "major": int(library["majorVersion"]),
            "minor": int(library["minorVersion"]),
            "patch": int(library["patchVersion"]),
        }
        entries.append(entry)
    return {"contentTypes": entries}


def build_hub_app(state: HubState) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/sites")
    async def register(request: Request) -> Response:
        state.registrations.append(dict(await request.form()))  # type: ignore[arg-type]
        return JSONResponse(recorded(state.api_dir, "registration.json"))

    @app.post("/v1/content-types")
    async def content_types(request: Request) -> Response:
        state.listing_requests.append(dict(await request.form()))  # type: ignore[arg-type]
        return JSONResponse(state.listing)

    @app.get("/v1/content-types/{machine_name}")
    def download(machine_name: str) -> Response:
        state.downloads.append(machine_name)
        if machine_name in state.redirects:
            return Response(status_code=302, headers={"Location": state.redirects[machine_name]})
        return _package(machine_name)

    @app.get("/files/{machine_name}.h5p")
    def file_host(machine_name: str) -> Response:
        return _package(machine_name)

    def _package(machine_name: str) -> Response:
        package = state.packages.get(machine_name)
        if package is None:
            return JSONResponse({"message": "not found"}, status_code=404)
        if isinstance(package, bytes):
            return Response(package, media_type="application/zip")
        return FileResponse(package, media_type="application/zip")

    return app


@dataclass
class LocalHub:
    url: str
    state: HubState


@contextmanager
def serve_hub(state: HubState) -> Iterator[LocalHub]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            build_hub_app(state), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, name=f"h5p-hub-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the local H5P Hub did not start")
        time.sleep(0.05)
    try:
        yield LocalHub(url=f"http://127.0.0.1:{port}/v1", state=state)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
