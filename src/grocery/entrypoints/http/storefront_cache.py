"""The storefront's pages kept as encoded JSON, served again while the catalog is unchanged.

Every hit is checked against the database first (CatalogStamps: one short index scan), so a
shopper never sees a page older than their request: a manager's edit or a checkout's stock
change shows on the very next read, from any server process. What a hit saves is the
page's query, its rows and their encoding. Pages also expire after `max_age` (image URLs
may be presigned), and the oldest go first when `max_pages` are kept.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Protocol

import msgspec


class CatalogStamps(Protocol):
    async def stamp(self) -> str:
        """A mark of the catalog as of now, taken before a page's rows are read."""
        ...

    async def unchanged_since(self, stamp: str) -> bool:
        """True when nothing a page shows changed after `stamp`, as of now."""
        ...


@dataclass(frozen=True, slots=True)
class _Page:
    stamp: str
    born: float
    body: bytes


class StorefrontCache:
    def __init__(
        self,
        stamps: CatalogStamps,
        *,
        max_age: float,
        max_pages: int = 2000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stamps = stamps
        self._max_age = max_age
        self._max_pages = max_pages
        self._clock = clock
        self._pages: dict[Hashable, _Page] = {}

    async def page(self, key: Hashable, build: Callable[[], Awaitable[object]]) -> bytes:
        """The page for `key`: kept, if still right; else built, encoded and kept."""
        if self._max_age <= 0:
            return msgspec.json.encode(await build())
        kept = self._pages.get(key)
        if kept is not None:
            if self._clock() - kept.born < self._max_age:
                if await self._stamps.unchanged_since(kept.stamp):
                    return kept.body
            else:
                self._pages.pop(key, None)
        stamp = await self._stamps.stamp()
        body = msgspec.json.encode(await build())
        self._keep(key, _Page(stamp, self._clock(), body))
        return body

    def _keep(self, key: Hashable, page: _Page) -> None:
        self._pages.pop(key, None)  # a rebuilt page goes to the back of the line
        if len(self._pages) >= self._max_pages:
            del self._pages[next(iter(self._pages))]
        self._pages[key] = page
