"""Image sizes from headers, for the files action's width and height."""

from __future__ import annotations

import struct

import pytest

from learnloop.h5p.editor.image_size import ImageSize, image_size
from tests.h5p.editor.test_uploads import png


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


@pytest.mark.parametrize(
    ("data", "mime", "size"),
    [
        (png(7, 5), "image/png", ImageSize(7, 5)),
        (jpeg(640, 480), "image/jpeg", ImageSize(640, 480)),
        (b"GIF89a" + struct.pack("<HH", 12, 34) + b"\x00" * 8, "image/gif", ImageSize(12, 34)),
        (
            b"RIFF\x00\x00\x00\x00WEBPVP8X"
            + b"\x00" * 8
            + (99).to_bytes(3, "little")
            + (49).to_bytes(3, "little"),
            "image/webp",
            ImageSize(100, 50),
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="120px" height="80">',
            "image/svg+xml",
            ImageSize(120, 80),
        ),
        (
            b'<svg width="100%" height="100%" viewBox="0 0 16 9"/>',
            "image/svg+xml",
            ImageSize(16, 9),
        ),
    ],
)
def test_sizes_are_read_from_the_header(data, mime, size):
    assert image_size(data, mime) == size


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b'<svg width="100%"/>', "image/svg+xml"),
        (b"anything", "video/mp4"),
    ],
)
def test_truncated_or_unsized_images_have_no_size(data, mime):
    assert image_size(data, mime) is None
