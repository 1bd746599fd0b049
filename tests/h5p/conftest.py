"""Helpers for the H5P tests: real packages from the shared fixtures."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def hub_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "h5p" / "hub"


@pytest.fixture(scope="session")
def validator_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "h5p" / "validator"


def import_file(client, headers, path: Path):
    with path.open("rb") as handle:
        return client.post(
            "/h5p/import",
            headers=headers,
            files={"h5p": (path.name, handle, "application/zip")},
        )


def import_bytes(client, headers, data: bytes, name: str = "package.h5p"):
    return client.post(
        "/h5p/import",
        headers=headers,
        files={"h5p": (name, io.BytesIO(data), "application/zip")},
    )


def install_libraries(client, admin_headers, source: Path | bytes, name: str = "package.h5p"):
    """Install the libraries of a package as an admin (a teacher may not, see library_rights)."""
    if isinstance(source, Path):
        name, data = source.name, source.read_bytes()
    else:
        data = source
    response = client.post(
        "/h5p/libraries/upload",
        headers=admin_headers,
        files={"h5p": (name, io.BytesIO(data), "application/zip")},
    )
    assert response.status_code == 201, response.text
    return response


def teacher_import(client, admin_headers, headers, source: Path | bytes, name: str = "x.h5p"):
    """An admin installs the package's libraries, then the teacher imports the content."""
    install_libraries(client, admin_headers, source, name)
    if isinstance(source, Path):
        return import_file(client, headers, source)
    return import_bytes(client, headers, source, name)


def rebuild_zip(
    source: Path, changes: dict[str, bytes | None], extra: dict[str, bytes] | None = None
) -> bytes:
    """A copy of the package at ``source`` with entries replaced (None removes one)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in original.infolist():
            if info.filename in changes:
                data = changes[info.filename]
                if data is not None:
                    target.writestr(info.filename, data)
                continue
            target.writestr(info, original.read(info.filename))
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def multichoice(client, admin, teacher, hub_dir):
    """The hub's MultiChoice package imported by ``teacher`` (its libraries installed by
    ``admin``); returns the content id."""
    response = teacher_import(
        client, admin.headers, teacher.headers, hub_dir / "H5P.MultiChoice.h5p"
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]["contentId"]


MULTICHOICE_PARAMS = {
    "question": "<p>What is <strong>photosynthesis</strong>?</p>",
    "answers": [
        {"text": "<div>Turning light into chemical energy</div>", "correct": True},
        {"text": "<div>Breathing</div>", "correct": False},
    ],
    "behaviour": {"enableRetry": True, "passPercentage": 50, "type": "auto"},
}
