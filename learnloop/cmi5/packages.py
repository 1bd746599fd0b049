"""Importing a cmi5 course: a standalone ``cmi5.xml`` or a ZIP package (Zip32 or Zip64,
cmi5 14.1) with ``cmi5.xml`` at its root. AU files of a package are kept in FileStorage
and served by LearnLoop under ``/cmi5/courses/{id}/files/``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.cmi5.course_structure import (
    ParsedAu,
    ParsedBlock,
    ParsedCourse,
    parse_course_structure,
)
from learnloop.cmi5.errors import CourseNotFound, InvalidCoursePackage
from learnloop.cmi5.models import Cmi5Au, Cmi5Block, Cmi5Course, Cmi5Objective
from learnloop.db import new_uuid
from learnloop.storage import FileStorage
from learnloop.storage.base import InvalidStorageKey, validate_key

STRUCTURE_FILE = "cmi5.xml"
PACKAGE_RULE = "14.1"
# Expansion limits (issue: a 6.4 MB zip expanding to 1 GB filled the disk): how many
# files, how many bytes in all, and how much a file or the whole archive may expand.
MAX_ENTRIES = 20_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100.0
# Below this size a high ratio is harmless (text of spaces compresses 1000:1).
RATIO_CHECK_MIN_BYTES = 1024 * 1024
_SYMLINK = 0o120000


@dataclass(frozen=True)
class ImportedCourse:
    course: Cmi5Course
    au_count: int
    file_count: int


def files_prefix(course_id: str) -> str:
    return f"cmi5/courses/{course_id}/files"


def _is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _refuse(message: str) -> InvalidCoursePackage:
    return InvalidCoursePackage(message, rule=PACKAGE_RULE)


def _safe_members(archive: zipfile.ZipFile, archive_bytes: int) -> list[zipfile.ZipInfo]:
    """The files of the package, decided from its central directory before a byte is
    extracted; reading an entry stops at the size declared here (zipfile checks it)."""
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > MAX_ENTRIES:
        raise _refuse(f"The package holds more than {MAX_ENTRIES} files")
    total = 0
    seen: set[str] = set()
    for info in members:
        try:
            validate_key(info.filename)
        except InvalidStorageKey as exc:
            raise _refuse(
                f"The package holds a file with an unsafe name: {info.filename!r}"
            ) from exc
        if info.filename in seen:
            raise _refuse(f"The package holds {info.filename!r} twice")
        seen.add(info.filename)
        if (info.external_attr >> 16) & 0o170000 == _SYMLINK:
            raise _refuse(f"{info.filename} is a symbolic link")
        total += info.file_size
        if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise _refuse(f"{info.filename}: compression ratio is implausibly high")
    if total > MAX_TOTAL_BYTES:
        raise _refuse(f"The package unpacks to more than {MAX_TOTAL_BYTES // 2**20} MB")
    if total > RATIO_CHECK_MIN_BYTES and total > MAX_COMPRESSION_RATIO * max(archive_bytes, 1):
        raise _refuse("The package expands implausibly (more than 100 times its size)")
    return members


@dataclass
class OpenPackage:
    """A checked ZIP package: its archive and the files that will be stored."""

    archive: zipfile.ZipFile
    members: list[zipfile.ZipInfo]


def read_package(data: bytes) -> tuple[ParsedCourse, OpenPackage | None]:
    """Parse and validate; for a zip also return the open archive (for storing files)."""
    if not data:
        raise _refuse("The upload is empty")
    if not _is_zip(data):
        return parse_course_structure(data, in_zip=False), None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse(f"The package is not a readable ZIP file: {exc}") from exc
    try:
        members = _safe_members(archive, len(data))
        names = frozenset(info.filename for info in members)
        if STRUCTURE_FILE not in names:
            raise _refuse(
                "A course package MUST contain cmi5.xml at its root directory (cmi5 14.1)"
            )
        try:
            xml = archive.read(STRUCTURE_FILE)
        except (zipfile.BadZipFile, OSError) as exc:
            raise _refuse(f"cmi5.xml cannot be read from the package: {exc}") from exc
        parsed = parse_course_structure(xml, in_zip=True, zip_files=names)
    except BaseException:
        archive.close()
        raise
    return parsed, OpenPackage(archive, members)


def _store_files(
    storage: FileStorage, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], prefix: str
) -> int:
    count = 0
    for info in members:
        try:
            storage.put_bytes(f"{prefix}/{info.filename}", archive.read(info))
        except (zipfile.BadZipFile, OSError) as exc:
            raise _refuse(f"{info.filename} cannot be read: {exc}") from exc
        count += 1
    return count


def save_course(
    session: Session,
    parsed: ParsedCourse,
    *,
    owner_id: str | None,
    course_id: str | None = None,
    prefix: str | None = None,
    content_id: str | None = None,
) -> Cmi5Course:
    course = Cmi5Course(
        id=course_id or new_uuid(),
        publisher_id=parsed.publisher_id,
        title=parsed.title,
        description=parsed.description,
        owner_id=owner_id,
        files_prefix=prefix,
        content_id=content_id,
    )
    session.add(course)
    session.flush()
    session.add_all(
        Cmi5Objective(
            course_id=course.id,
            publisher_id=o.publisher_id,
            title=o.title,
            description=o.description,
        )
        for o in parsed.objectives
    )
    rows: list[Cmi5Block | Cmi5Au] = []
    counter = {"position": 0}

    def walk(nodes: list[ParsedAu | ParsedBlock], block_id: str | None) -> None:
        for node in nodes:
            counter["position"] += 1
            if isinstance(node, ParsedAu):
                rows.append(_au_row(node, course.id, block_id, counter["position"]))
            else:
                block = Cmi5Block(
                    id=new_uuid(),
                    course_id=course.id,
                    parent_block_id=block_id,
                    publisher_id=node.publisher_id,
                    position=counter["position"],
                    title=node.title,
                    description=node.description,
                    objectives=node.objectives,
                )
                rows.append(block)
                walk(node.children, block.id)

    walk(parsed.children, None)
    # Blocks first so that parents exist before children reference them.
    session.add_all([row for row in rows if isinstance(row, Cmi5Block)])
    session.flush()
    aus = [row for row in rows if isinstance(row, Cmi5Au)]
    session.add_all(aus)
    course.au_count = len(aus)
    session.flush()
    return course


def _au_row(node: ParsedAu, course_id: str, block_id: str | None, position: int) -> Cmi5Au:
    return Cmi5Au(
        id=new_uuid(),
        course_id=course_id,
        block_id=block_id,
        publisher_id=node.publisher_id,
        position=position,
        title=node.title,
        description=node.description,
        objectives=node.objectives,
        url=node.url,
        url_is_relative=node.url_is_relative,
        move_on=node.move_on,
        mastery_score=node.mastery_score,
        launch_method=node.launch_method,
        launch_parameters=node.launch_parameters,
        entitlement_key=node.entitlement_key,
        activity_type=node.activity_type,
    )


def import_course(
    session: Session, storage: FileStorage, data: bytes, *, owner: User | None
) -> ImportedCourse:
    parsed, package = read_package(data)
    course_id = new_uuid()
    prefix: str | None = None
    file_count = 0
    if package is not None:
        prefix = files_prefix(course_id)
        try:
            file_count = _store_files(storage, package.archive, package.members, prefix)
        except BaseException:
            storage.delete_prefix(prefix)
            raise
        finally:
            package.archive.close()
    course = save_course(
        session, parsed, owner_id=owner.id if owner else None, course_id=course_id, prefix=prefix
    )
    return ImportedCourse(course=course, au_count=course.au_count, file_count=file_count)


def delete_course(session: Session, course: Cmi5Course) -> str | None:
    """Delete the course with its AUs, blocks, registrations, sessions and state rows (the
    foreign keys cascade); return the storage prefix of its files, which the caller
    removes once the deletion is committed (files gone with the row still there would
    leave a course whose AUs cannot launch). Statements already stored stay in the LRS:
    xAPI statements are immutable (xAPI 2.0 Data 2.2.5)."""
    prefix = course.files_prefix
    session.execute(delete(Cmi5Course).where(Cmi5Course.id == course.id))
    session.expunge(course)
    return prefix


def list_courses(session: Session, owner_id: str | None) -> list[Cmi5Course]:
    """Imported courses, newest first; ``owner_id`` None: every course (admins)."""
    query = select(Cmi5Course).order_by(Cmi5Course.created_at.desc(), Cmi5Course.id)
    if owner_id is not None:
        query = query.where(Cmi5Course.owner_id == owner_id)
    return list(session.scalars(query))


def get_course(session: Session, course_id: str) -> Cmi5Course:
    course = session.get(Cmi5Course, course_id)
    if course is None:
        raise CourseNotFound(f"Course not found: {course_id}")
    return course


def course_aus(session: Session, course_id: str) -> list[Cmi5Au]:
    return list(
        session.scalars(
            select(Cmi5Au).where(Cmi5Au.course_id == course_id).order_by(Cmi5Au.position)
        )
    )


def course_blocks(session: Session, course_id: str) -> list[Cmi5Block]:
    return list(
        session.scalars(
            select(Cmi5Block).where(Cmi5Block.course_id == course_id).order_by(Cmi5Block.position)
        )
    )
