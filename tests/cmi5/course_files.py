"""Course structures and packages built by the tests (cmi5.xml text, Zip32 and Zip64)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

# cmi5 "Quartz" 13.2, as authoring tools write it; the draft namespace is still accepted.
NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
LEGACY_NS = "http://www.adlnet.gov/cmi5/CourseStructure.xsd"


@dataclass
class Au:
    id: str
    url: str
    move_on: str = "CompletedOrPassed"
    mastery_score: str | None = None
    launch_method: str | None = None
    launch_parameters: str | None = None
    entitlement_key: str | None = None
    objectives: list[str] = field(default_factory=list)

    def xml(self) -> str:
        attributes = f' id="{self.id}" moveOn="{self.move_on}"'
        if self.mastery_score is not None:
            attributes += f' masteryScore="{self.mastery_score}"'
        if self.launch_method:
            attributes += f' launchMethod="{self.launch_method}"'
        objectives = ""
        if self.objectives:
            refs = "".join(f'<objective idref="{o}"/>' for o in self.objectives)
            objectives = f"<objectives>{refs}</objectives>"
        extra = ""
        if self.launch_parameters is not None:
            extra += f"<launchParameters>{self.launch_parameters}</launchParameters>"
        if self.entitlement_key is not None:
            extra += f"<entitlementKey>{self.entitlement_key}</entitlementKey>"
        return (
            f"<au{attributes}>{_text('title', 'AU ' + self.id)}{_text('description', 'd')}"
            f"{objectives}<url>\n   {self.url}\n  </url>{extra}</au>"
        )


@dataclass
class Block:
    id: str
    children: Sequence[Au | Block]

    def xml(self) -> str:
        inner = "".join(child.xml() for child in self.children)
        return (
            f'<block id="{self.id}">{_text("title", "Block")}{_text("description", "d")}'
            f"{inner}</block>"
        )


def _text(tag: str, value: str) -> str:
    return f'<{tag}><langstring lang="en-US">\n  {value}\n  </langstring></{tag}>'


def course_xml(
    children: Sequence[Au | Block],
    *,
    course_id: str = "https://example.test/courses/c1",
    objectives: list[str] | None = None,
    namespace: str = NS,
) -> bytes:
    objective_xml = ""
    if objectives:
        items = "".join(
            f'<objective id="{o}">{_text("title", "o")}{_text("description", "o")}</objective>'
            for o in objectives
        )
        objective_xml = f"<objectives>{items}</objectives>"
    body = "".join(child.xml() for child in children)
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<courseStructure xmlns="{namespace}">'
        f'<course id="\n  {course_id}\n ">{_text("title", "Course")}{_text("description", "d")}'
        f"</course>{objective_xml}{body}</courseStructure>"
    ).encode()


def course_zip(xml: bytes, files: dict[str, bytes] | None = None, *, zip64: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = {"cmi5.xml": xml, **(files or {})}
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=zip64) as handle:
                handle.write(data)
    return buffer.getvalue()


def is_zip64(data: bytes) -> bool:
    """The first entry's local header defers its sizes to a Zip64 extended information
    extra field (APPNOTE 4.5.3): sizes 0xFFFFFFFF and an extra block with header id 1."""
    name_length = int.from_bytes(data[26:28], "little")
    extra = data[30 + name_length : 32 + name_length]
    return data[18:26] == b"\xff" * 8 and extra == b"\x01\x00"
