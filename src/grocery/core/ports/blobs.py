"""Where product images are stored."""

from __future__ import annotations

from typing import Protocol


class BlobStore(Protocol):
    """Where product images live: S3, a local directory, or memory."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def url_for(self, key: str) -> str:
        """A URL a client can fetch the object from (public or presigned)."""
        ...

    async def ping(self) -> None:
        """Raise ServiceUnavailable when the store can't be reached."""
        ...

    async def get(self, key: str) -> bytes:
        """The object's bytes; NotFound when there is none (serves /media)."""
        ...
