"""Judging an uploaded picture by its bytes."""

from __future__ import annotations

from typing import Protocol


class InspectedImage(Protocol):
    """What an uploaded picture turned out to be, judged by its bytes."""

    @property
    def content_type(self) -> str: ...

    @property
    def extension(self) -> str: ...

    @property
    def width(self) -> int: ...

    @property
    def height(self) -> int: ...

    @property
    def data(self) -> bytes:
        """The picture to store: encoded afresh, without metadata or trailing bytes."""
        ...


class ImageInspector(Protocol):
    def __call__(self, data: bytes) -> InspectedImage:
        """UnsupportedMediaType for a non-image; Invalid for a broken or oversized one."""
        ...
