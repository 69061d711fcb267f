"""Judge an uploaded product picture by its bytes, never by its file name or declared type.

`inspect_image` fits the core's ImageInspector port.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from grocery.core.errors import Invalid, UnsupportedMediaType


@dataclass(frozen=True, slots=True)
class ImageInfo:
    content_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class _Kind:
    pillow_format: str
    content_type: str
    extension: str


_JPEG = _Kind("JPEG", "image/jpeg", "jpg")
_PNG = _Kind("PNG", "image/png", "png")
_WEBP = _Kind("WEBP", "image/webp", "webp")


def inspect_image(data: bytes, *, max_pixels: int = 40_000_000) -> ImageInfo:
    """The picture's type and size; refuses anything but a sound JPEG, PNG or WebP."""
    kind = _kind_of(data)
    width, height = _decoded_size(data, kind, max_pixels)
    return ImageInfo(kind.content_type, kind.extension, width, height)


def _kind_of(data: bytes) -> _Kind:
    if data.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _WEBP
    raise UnsupportedMediaType("Only JPEG, PNG and WebP images are accepted.")


def _decoded_size(data: bytes, kind: _Kind, max_pixels: int) -> tuple[int, int]:
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns before it raises; to us both are a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the decoder the magic bytes named, so a polyglot can't pick another.
            with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
                size = image.size
                if size[0] * size[1] > max_pixels:
                    raise Image.DecompressionBombError(f"{size[0]}x{size[1]} pixels")
                # A JPEG decodes at 1/8 scale: the whole stream is still checked, in far less memory.
                image.draft(None, (1, 1))
                image.load()
                return size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(
            f"The image has more than {max_pixels} pixels.", code="invalid_image"
        ) from exc
    except Exception as exc:  # Pillow reports broken input with many exception types.
        raise Invalid("The file is not a readable image.", code="invalid_image") from exc
