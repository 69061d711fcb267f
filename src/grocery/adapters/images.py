"""Judge an uploaded product picture by its bytes, never by its file name or declared type,
and keep only the picture: it is decoded and encoded again, so EXIF (GPS positions, camera
serials), text chunks and anything appended after the image's end (an HTML or PHP trailer)
never reach storage. An EXIF rotation is applied to the pixels before the EXIF goes.

`inspect_image` fits the core's ImageInspector port.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageOps

from grocery.core.errors import Invalid, UnsupportedMediaType


@dataclass(frozen=True, slots=True)
class ImageInfo:
    content_type: str
    extension: str
    width: int
    height: int
    data: bytes = field(default=b"", repr=False, compare=False)  # the picture, encoded afresh


@dataclass(frozen=True, slots=True)
class _Kind:
    pillow_format: str
    content_type: str
    extension: str


_JPEG = _Kind("JPEG", "image/jpeg", "jpg")
_PNG = _Kind("PNG", "image/png", "png")
_WEBP = _Kind("WEBP", "image/webp", "webp")


def inspect_image(data: bytes, *, max_pixels: int = 40_000_000) -> ImageInfo:
    """The picture, re-encoded, with its type and size; refuses anything but a sound JPEG,
    PNG or WebP."""
    kind = _kind_of(data)
    return _reencoded(data, kind, max_pixels)


def _kind_of(data: bytes) -> _Kind:
    if data.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _WEBP
    raise UnsupportedMediaType("Only JPEG, PNG and WebP images are accepted.")


def _reencoded(data: bytes, kind: _Kind, max_pixels: int) -> ImageInfo:
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns before it raises; to us both are a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the decoder the magic bytes named, so a polyglot can't pick another.
            with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise Image.DecompressionBombError(f"{width}x{height} pixels")
                image.load()
                upright = ImageOps.exif_transpose(image)
                encoded = _encode(upright, kind, image.info.get("icc_profile"))
                return ImageInfo(kind.content_type, kind.extension, *upright.size, data=encoded)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(
            f"The image has more than {max_pixels} pixels.", code="invalid_image"
        ) from exc
    except Exception as exc:  # Pillow reports broken input with many exception types.
        raise Invalid("The file is not a readable image.", code="invalid_image") from exc


def _encode(image: Image.Image, kind: _Kind, icc_profile: bytes | None) -> bytes:
    """Pixels (the first frame) and the colour profile; no other metadata."""
    options: dict[str, object] = {"icc_profile": icc_profile} if icc_profile else {}
    if kind is _JPEG:
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        options.update(quality=90, optimize=True)
    elif kind is _PNG:
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        options["quality"] = 90
    buffer = io.BytesIO()
    image.save(buffer, format=kind.pillow_format, **options)
    return buffer.getvalue()
