"""Uploaded pictures are judged by their bytes: type from the magic numbers, size from decoding."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from grocery.adapters.images import ImageInfo, inspect_image
from grocery.core.errors import Invalid, UnsupportedMediaType


def picture(pillow_format: str, size: tuple[int, int] = (7, 5)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, format=pillow_format)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A real PNG whose header claims another size, with a valid header checksum."""
    data = bytearray(picture("PNG"))
    # Signature (8) + chunk length (4) + b"IHDR" (4), then width and height.
    data[16:24] = struct.pack(">II", width, height)
    header = bytes(data[12:29])
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


@pytest.mark.parametrize(
    ("pillow_format", "expected"),
    [
        ("JPEG", ImageInfo("image/jpeg", "jpg", 7, 5)),
        ("PNG", ImageInfo("image/png", "png", 7, 5)),
        ("WEBP", ImageInfo("image/webp", "webp", 7, 5)),
    ],
)
def test_real_pictures_give_their_type_and_size(pillow_format: str, expected: ImageInfo) -> None:
    assert inspect_image(picture(pillow_format)) == expected


def test_a_jpeg_keeps_its_full_size_when_decoded_cheaply() -> None:
    info = inspect_image(picture("JPEG", (640, 480)))

    assert (info.width, info.height) == (640, 480)


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body>not a picture</body></html>",
        picture("GIF"),
        picture("BMP"),
        b"",
    ],
    ids=["html", "gif", "bmp", "empty"],
)
def test_anything_but_jpeg_png_or_webp_is_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedMediaType) as error:
        inspect_image(data)

    assert error.value.code == "unsupported_media_type"


@pytest.mark.parametrize("pillow_format", ["PNG", "JPEG", "WEBP"])
def test_a_truncated_picture_is_invalid(pillow_format: str) -> None:
    data = picture(pillow_format, (64, 64))

    with pytest.raises(Invalid) as error:
        inspect_image(data[: len(data) // 2])

    assert error.value.code == "invalid_image"


def test_a_png_with_a_corrupt_header_is_invalid() -> None:
    data = bytearray(picture("PNG"))
    data[29] ^= 0xFF  # header checksum

    with pytest.raises(Invalid) as error:
        inspect_image(bytes(data))

    assert error.value.code == "invalid_image"


def test_a_picture_over_the_pixel_limit_is_invalid() -> None:
    with pytest.raises(Invalid) as error:
        inspect_image(picture("PNG", (20, 10)), max_pixels=199)

    assert error.value.code == "invalid_image"
    assert "199" in error.value.detail


def test_a_picture_at_the_pixel_limit_passes() -> None:
    assert inspect_image(picture("PNG", (20, 10)), max_pixels=200).width == 20


def test_huge_declared_dimensions_are_invalid_before_decoding() -> None:
    with pytest.raises(Invalid) as error:
        inspect_image(png_declaring(100_000, 100_000))

    assert error.value.code == "invalid_image"


def test_pillows_own_bomb_guard_is_invalid_too() -> None:
    # Above our limit's reach (max_pixels raised) but past Pillow's hard stop at ~179 Mpx.
    with pytest.raises(Invalid) as error:
        inspect_image(png_declaring(20_000, 10_000), max_pixels=10**12)

    assert error.value.code == "invalid_image"
    assert isinstance(error.value.__cause__, Image.DecompressionBombError)


def test_pillows_bomb_warning_is_invalid_too() -> None:
    # 100 Mpx: over Pillow's warning threshold (~89 Mpx), under its hard stop.
    with pytest.raises(Invalid) as error:
        inspect_image(png_declaring(10_000, 10_000), max_pixels=10**12)

    assert error.value.code == "invalid_image"
    assert isinstance(error.value.__cause__, Image.DecompressionBombWarning)


def _with_secrets(pillow_format: str, size: tuple[int, int] = (8, 6)) -> bytes:
    """A picture with a GPS position and a camera name in its EXIF, and a script after it."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam 3000"
    exif[ExifTags.Base.Orientation] = 6  # shown turned 90 degrees
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, format=pillow_format, exif=exif)
    return buffer.getvalue() + TRAILER


TRAILER = b"<?php system($_GET['c']); ?><script>alert(1)</script>"


@pytest.mark.parametrize("pillow_format", ["JPEG", "PNG", "WEBP"])
def test_a_picture_is_stored_without_its_metadata_or_a_trailer(pillow_format: str) -> None:
    sent = _with_secrets(pillow_format)
    assert b"SpyCam" in sent

    kept = inspect_image(sent)

    assert b"SpyCam" not in kept.data
    assert b"Exif" not in kept.data
    assert b"<?php" not in kept.data and b"<script" not in kept.data
    with Image.open(io.BytesIO(kept.data)) as again:
        assert again.format == pillow_format
        assert not again.getexif()
        assert again.size == (kept.width, kept.height)
    assert (kept.width, kept.height) == (6, 8)  # the EXIF turn is in the pixels now


def test_png_text_chunks_are_dropped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 1 Secret Lane")
    buffer = io.BytesIO()
    Image.new("RGBA", (4, 4), (0, 0, 0, 0)).save(buffer, format="PNG", pnginfo=info)

    kept = inspect_image(buffer.getvalue())

    assert b"Secret Lane" not in kept.data
    with Image.open(io.BytesIO(kept.data)) as again:
        assert again.mode == "RGBA"
