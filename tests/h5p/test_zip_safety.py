"""Unsafe zips are refused from their directory, before anything is extracted."""

from __future__ import annotations

import io
import stat
import warnings
import zipfile

import pytest

from learnloop.h5p.errors import PackageValidationError
from learnloop.h5p.zip_safety import ZipLimits, open_safe_zip

LIMITS = ZipLimits(
    max_entries=100,
    max_total_bytes=50 * 1024 * 1024,
    max_file_bytes=20 * 1024 * 1024,
    max_ratio=100,
)


def _zip(entries) -> io.BytesIO:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names warn
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def _error_ids(source: io.BytesIO, limits: ZipLimits = LIMITS) -> list[str]:
    with pytest.raises(PackageValidationError) as caught:
        open_safe_zip(source, limits)
    return caught.value.error_ids


@pytest.mark.parametrize(
    "name",
    [
        "../evil.js",
        "content/../../evil.js",
        "/etc/passwd.json",
        "content\\evil.json",
        "C:/x.json",
        "a//b.json",
        "./h5p.json",
    ],
)
def test_unsafe_entry_paths_are_refused(name):
    assert _error_ids(_zip([(name, b"{}")])) == ["unsafe-path"]


def test_symlink_entries_are_refused():
    info = zipfile.ZipInfo("content/link.json")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert _error_ids(_zip([(info, b"/etc/passwd")])) == ["symlink-not-allowed"]


def test_duplicate_entries_are_refused_even_when_only_case_differs():
    assert _error_ids(_zip([("h5p.json", b"{}"), ("H5P.json", b"{}")])) == ["duplicate-entry"]
    assert _error_ids(_zip([("h5p.json", b"{}"), ("h5p.json", b"[]")])) == ["duplicate-entry"]


def test_too_many_entries_are_refused():
    entries = [(f"content/{i}.json", b"{}") for i in range(101)]
    assert _error_ids(_zip(entries)) == ["too-many-entries"]


def test_zip_bomb_ratio_is_refused():
    # Reported for the entry and for the package as a whole.
    assert set(_error_ids(_zip([("content/zeros.txt", b"\0" * (10 * 1024 * 1024))]))) == {
        "compression-ratio-too-high"
    }


def test_single_file_and_total_size_limits():
    limits = ZipLimits(max_entries=100, max_total_bytes=3000, max_file_bytes=2000, max_ratio=1000)
    big = bytes(range(256)) * 10  # 2560 bytes, incompressible enough
    assert _error_ids(_zip([("content/a.txt", big), ("content/b.txt", big[:1000])]), limits) == [
        "file-size-too-large",
        "total-size-too-large",
    ]


def test_not_a_zip_is_refused_by_its_magic_bytes():
    assert _error_ids(io.BytesIO(b"TEST")) == ["unable-to-unzip"]
    assert _error_ids(io.BytesIO(b"PK\x03\x04garbage")) == ["unable-to-unzip"]


def test_a_safe_zip_is_opened_and_reads_entries():
    archive = open_safe_zip(_zip([("h5p.json", b"{}"), ("content/", b"")]), LIMITS)
    try:
        assert list(archive.entries) == ["h5p.json"]
        assert archive.read("h5p.json") == b"{}"
    finally:
        archive.close()


def test_zip_bomb_upload_leaves_nothing(client, teacher, storage):
    data = _zip([("h5p.json", b"{}"), ("content/zeros.txt", b"\0" * (10 * 1024 * 1024))]).getvalue()
    response = client.post(
        "/h5p/import", headers=teacher.headers, files={"h5p": ("bomb.h5p", data, "application/zip")}
    )
    assert response.status_code == 400
    assert response.json()["errorId"] == "compression-ratio-too-high"
    assert storage.list_keys("") == []
