"""Importing a cmi5 course: a standalone ``cmi5.xml`` or a ZIP package (Zip32 or Zip64,
cmi5 14.1) with ``cmi5.xml`` at its root. AU files of a package are kept in FileStorage
and served by LearnLoop under ``/cmi5/courses/{id}/files/``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from sqlalchemy import select
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
MAX_ENTRIES = 20_000
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200.0


@dataclass(frozen=True)
class ImportedCourse:
    course: Cmi5Course
    au_count: int
    file_count: int


def files_prefix(course_id: str) -> str:
    return f"cmi5/courses/{course_id}/files"


def _is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _safe_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > MAX_ENTRIES:
        raise InvalidCoursePackage(f"The package holds more than {MAX_ENTRIES} files")
    total = 0
    for info in members:
        try:
            validate_key(info.filename)
        except InvalidStorageKey as exc:
            raise InvalidCoursePackage(
                f"The package holds a file with an unsafe name: {info.filename!r}"
            ) from exc
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
            raise InvalidCoursePackage(f"{info.filename}: compression ratio is implausibly high")
    if total > MAX_TOTAL_BYTES:
        raise InvalidCoursePackage("The package unpacks to more than 1 GB")
    return members


def read_package(data: bytes) -> tuple[ParsedCourse, zipfile.ZipFile | None]:
    """Parse and validate; for a zip also return the open archive (for storing files)."""
    if not data:
        raise InvalidCoursePackage("The upload is empty")
    if not _is_zip(data):
        return parse_course_structure(data, in_zip=False), None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InvalidCoursePackage(f"The package is not a readable ZIP file: {exc}") from exc
    members = _safe_members(archive)
    names = frozenset(info.filename for info in members)
    if STRUCTURE_FILE not in names:
        raise InvalidCoursePackage(
            "A course package MUST contain cmi5.xml at its root directory (cmi5 14.1)"
        )
    try:
        xml = archive.read(STRUCTURE_FILE)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidCoursePackage(f"cmi5.xml cannot be read from the package: {exc}") from exc
    return parse_course_structure(xml, in_zip=True, zip_files=names), archive


def _store_files(storage: FileStorage, archive: zipfile.ZipFile, prefix: str) -> int:
    count = 0
    for info in _safe_members(archive):
        try:
            storage.put_bytes(f"{prefix}/{info.filename}", archive.read(info))
        except (zipfile.BadZipFile, OSError) as exc:
            raise InvalidCoursePackage(f"{info.filename} cannot be read: {exc}") from exc
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
    parsed, archive = read_package(data)
    course_id = new_uuid()
    prefix: str | None = None
    file_count = 0
    if archive is not None:
        prefix = files_prefix(course_id)
        try:
            file_count = _store_files(storage, archive, prefix)
        except BaseException:
            storage.delete_prefix(prefix)
            raise
        finally:
            archive.close()
    course = save_course(
        session, parsed, owner_id=owner.id if owner else None, course_id=course_id, prefix=prefix
    )
    return ImportedCourse(course=course, au_count=course.au_count, file_count=file_count)


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
