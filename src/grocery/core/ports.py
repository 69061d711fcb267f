"""Ports: what the core needs from the outside world, as typing.Protocols.

Adapters (SQL, memory, obstore, argon2/JWT) implement these without
inheriting from them. Each area of the shop adds its repository protocol
here and the matching attribute on UnitOfWork.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True when the password matches; never raises for a mismatch."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    def burn(self, password: str) -> None:
        """Spend one verification's worth of time (for unknown users)."""
        ...


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


class ImageInspector(Protocol):
    def __call__(self, data: bytes) -> InspectedImage:
        """UnsupportedMediaType for a non-image; Invalid for a broken or oversized one."""
        ...


class AlertSink(Protocol):
    async def deliver(self, payload: Mapping[str, object], idempotency_key: str) -> None: ...


# --- repositories (each area adds its own below this line) ---


class UnitOfWork(Protocol):
    """One transaction per use case. Services commit; nothing else does."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
