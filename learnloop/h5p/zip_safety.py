"""Opening an uploaded zip without trusting it.

Everything here is decided from the zip's central directory before a byte is
extracted: the magic bytes, entry count, every entry's path (no ``..``, absolute paths,
backslashes, NUL, symlinks, duplicates), per-file and total uncompressed sizes, and the
compression ratio (zip bombs). Reading an entry afterwards goes through
:meth:`SafeZip.read`, which stops at the size the directory declared.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from learnloop.h5p.errors import PackageProblem, PackageValidationError

ZIP_MAGIC = b"PK\x03\x04"
MAX_SEGMENT_LENGTH = 255
# Below this size a high ratio is harmless (a JSON file of spaces compresses 1000:1).
RATIO_CHECK_MIN_BYTES = 1024 * 1024
SUPPORTED_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int
    max_total_bytes: int
    max_file_bytes: int
    max_ratio: float


def _fail(error_id: str, message: str, **details: str) -> PackageValidationError:
    return PackageValidationError([PackageProblem(error_id, message, details)])


def _path_problem(name: str) -> str | None:
    if name != name.strip("\x00") or "\x00" in name:
        return "contains a NUL byte"
    if "\\" in name:
        return "contains a backslash"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "is absolute"
    segments = name.rstrip("/").split("/")
    for segment in segments:
        if segment in ("", ".", ".."):
            return "has an empty, '.' or '..' segment"
        if len(segment) > MAX_SEGMENT_LENGTH:
            return "has a segment longer than 255 characters"
    return None


class SafeZip:
    """A zip whose directory passed every safety check; entries are files only."""

    def __init__(self, archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> None:
        self._archive = archive
        self.entries = entries

    @property
    def total_uncompressed(self) -> int:
        return sum(info.file_size for info in self.entries.values())

    def read(self, name: str) -> bytes:
        info = self.entries[name]
        try:
            with self._archive.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise _fail("unable-to-unzip", f"entry {name} cannot be read: {exc}") from exc
        if len(data) != info.file_size:
            raise _fail("unable-to-unzip", f"entry {name} is not the size its header declares")
        return data

    def close(self) -> None:
        self._archive.close()


def open_safe_zip(source: IO[bytes], limits: ZipLimits) -> SafeZip:
    """Check ``source`` (a seekable binary file) and open it, or raise one 400 listing why."""
    source.seek(0)
    if source.read(4) != ZIP_MAGIC:
        raise _fail("unable-to-unzip", "The file is not a zip archive (wrong magic bytes)")
    source.seek(0)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _fail("unable-to-unzip", f"The zip archive cannot be opened: {exc}") from exc
    try:
        return SafeZip(archive, _checked_entries(archive, limits))
    except BaseException:
        archive.close()
        raise


def _checked_entries(archive: zipfile.ZipFile, limits: ZipLimits) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise _fail(
            "too-many-entries",
            f"The package has {len(infos)} entries; at most {limits.max_entries} are allowed",
        )
    problems: list[PackageProblem] = []
    entries: dict[str, zipfile.ZipInfo] = {}
    seen: set[str] = set()
    total = 0
    total_compressed = 0
    for info in infos:
        name = info.orig_filename
        problem = _path_problem(name)
        if problem is None and info.filename != name:
            problem = "contains a NUL byte"
        if problem is not None:
            problems.append(
                PackageProblem("unsafe-path", f"Entry {name!r} {problem}", {"file": name})
            )
            continue
        folded = name.rstrip("/").casefold()
        if folded in seen:
            problems.append(
                PackageProblem(
                    "duplicate-entry", f"Entry {name!r} appears more than once", {"file": name}
                )
            )
            continue
        seen.add(folded)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            problems.append(
                PackageProblem(
                    "symlink-not-allowed", f"Entry {name!r} is a symlink", {"file": name}
                )
            )
            continue
        if info.flag_bits & 0x1:
            problems.append(
                PackageProblem("encrypted-entry", f"Entry {name!r} is encrypted", {"file": name})
            )
            continue
        if info.compress_type not in SUPPORTED_METHODS:
            problems.append(
                PackageProblem(
                    "unsupported-compression",
                    f"Entry {name!r} uses an unsupported compression method",
                    {"file": name},
                )
            )
            continue
        if info.is_dir():
            continue
        if info.file_size > limits.max_file_bytes:
            problems.append(
                PackageProblem(
                    "file-size-too-large",
                    f"{name} is {info.file_size} bytes; the limit is {limits.max_file_bytes}",
                    {"file": name},
                )
            )
        if (
            info.file_size > RATIO_CHECK_MIN_BYTES
            and info.file_size / max(info.compress_size, 1) > limits.max_ratio
        ):
            problems.append(
                PackageProblem(
                    "compression-ratio-too-high",
                    f"{name} expands more than {limits.max_ratio:g} times (possible zip bomb)",
                    {"file": name},
                )
            )
        total += info.file_size
        total_compressed += info.compress_size
        entries[name] = info
    if total > limits.max_total_bytes:
        problems.append(
            PackageProblem(
                "total-size-too-large",
                f"The package unpacks to {total} bytes; the limit is {limits.max_total_bytes}",
            )
        )
    if total > RATIO_CHECK_MIN_BYTES and total / max(total_compressed, 1) > limits.max_ratio:
        problems.append(
            PackageProblem(
                "compression-ratio-too-high",
                f"The package expands more than {limits.max_ratio:g} times (possible zip bomb)",
            )
        )
    if problems:
        raise PackageValidationError(problems)
    return entries
