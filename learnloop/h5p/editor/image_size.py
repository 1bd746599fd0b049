"""Width and height of an uploaded image, read from its header (the editor stores them
with image fields, as H5P's ``files`` action does with ``getimagesize``)."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class ImageSize:
    width: int
    height: int


_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_SVG_LENGTH = re.compile(rb"^\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")
# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) do not.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def image_size(data: bytes, mime: str) -> ImageSize | None:
    """The size, or None when the header does not say (e.g. an SVG sized in percent)."""
    reader = {
        "image/png": _png,
        "image/gif": _gif,
        "image/jpeg": _jpeg,
        "image/webp": _webp,
        "image/bmp": _bmp,
        "image/svg+xml": _svg,
    }.get(mime)
    if reader is None:
        return None
    try:
        size = reader(data)
    except (struct.error, IndexError, ValueError):
        return None
    if size is None or size.width <= 0 or size.height <= 0:
        return None
    return size


def _png(data: bytes) -> ImageSize | None:
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return ImageSize(width, height)


def _gif(data: bytes) -> ImageSize:
    width, height = struct.unpack("<HH", data[6:10])
    return ImageSize(width, height)


def _bmp(data: bytes) -> ImageSize:
    width, height = struct.unpack("<ii", data[18:26])
    return ImageSize(width, abs(height))


def _jpeg(data: bytes) -> ImageSize | None:
    offset = 2
    while offset + 9 < len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return ImageSize(width, height)
        offset += 2 + length
    return None


def _webp(data: bytes) -> ImageSize | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return ImageSize(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return ImageSize((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return ImageSize(width, height)
    return None


def _svg_attribute(tag: bytes, name: bytes) -> bytes | None:
    match = re.search(rb"\s" + name + rb"\s*=\s*[\"']([^\"']*)[\"']", tag)
    return match.group(1) if match else None


def _svg(data: bytes) -> ImageSize | None:
    tag_match = _SVG_TAG.search(data[:8192])
    if tag_match is None:
        return None
    tag = tag_match.group(0)
    width, height = _svg_attribute(tag, b"width"), _svg_attribute(tag, b"height")
    if width is not None and height is not None:
        parsed_width, parsed_height = _SVG_LENGTH.match(width), _SVG_LENGTH.match(height)
        if parsed_width and parsed_height:
            return ImageSize(
                round(float(parsed_width.group(1))), round(float(parsed_height.group(1)))
            )
    view_box = _svg_attribute(tag, b"viewBox")
    if view_box is not None:
        parts = view_box.replace(b",", b" ").split()
        if len(parts) == 4:
            return ImageSize(round(float(parts[2])), round(float(parts[3])))
    return None
