"""The storefront's pages kept as encoded JSON, served again while the catalog is unchanged.

Every hit is checked against the database first (CatalogStamps: one short index scan), so a
shopper never sees a page older than their request: a manager's edit or a checkout's stock
change shows on the very next read, from any server process. What a hit saves is the
page's query, its rows and their encoding. Pages also expire after `max_age` (image URLs
may be presigned), and the oldest go first when they would take more than `max_bytes`
(a crawler walking every page of a big catalog must not grow the process).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

import msgspec

from grocery.core.ports.catalog import CatalogStamps


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
        max_bytes: int = 16 * 2**20,
        clock: Callable[[], float] = time.monotonic,
        tally: Callable[[bool], None] = lambda hit: None,
    ) -> None:
        self._stamps = stamps
        self._max_age = max_age
        self._max_bytes = max_bytes
        self._clock = clock
        self._tally = tally  # told True for each page served kept, False for each built
        self._pages: dict[Hashable, _Page] = {}
        self._bytes = 0

    async def page(self, key: Hashable, build: Callable[[], Awaitable[object]]) -> bytes:
        """The page for `key`: kept, if still right; else built, encoded and kept."""
        if self._max_age <= 0:
            self._tally(False)
            return msgspec.json.encode(await build())
        kept = self._pages.get(key)
        if kept is not None:
            if self._clock() - kept.born < self._max_age:
                if await self._stamps.unchanged_since(kept.stamp):
                    self._tally(True)
                    return kept.body
            else:
                self._forget(key)
        self._tally(False)
        stamp = await self._stamps.stamp()
        body = msgspec.json.encode(await build())
        self._keep(key, _Page(stamp, self._clock(), body))
        return body

    def _keep(self, key: Hashable, page: _Page) -> None:
        self._forget(key)  # a rebuilt page goes to the back of the line
        while self._pages and self._bytes + len(page.body) > self._max_bytes:
            self._forget(next(iter(self._pages)))
        if len(page.body) <= self._max_bytes:
            self._pages[key] = page
            self._bytes += len(page.body)

    def _forget(self, key: Hashable) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            self._bytes -= len(page.body)
