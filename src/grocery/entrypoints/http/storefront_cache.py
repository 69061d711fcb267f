"""The storefront's pages kept as encoded JSON, served again while the catalog is unchanged.

While the catalog's change feed is heard (CatalogFeed: PostgreSQL LISTEN/NOTIFY on a direct
connection), a hit costs no database round trip: every transaction that changes the catalog
is heard when it commits, on every server process, and makes the pages kept before it
unvouched for (a generation). An unvouched page is built again on its next read.

While the feed is not heard (lost, reconnecting, or no direct connection behind PgBouncer),
every hit is checked against the database first (CatalogStamps: one short index scan), as
before the feed: a change then shows on the very next read, from any process.

A process's own commits show on its very next read too: until the feed has answered a
round trip sent after them (their notifications come before its answer), hits are checked.
A change made elsewhere shows once its notification arrives (a millisecond on a LAN).

A page is vouched for only when the snapshot it was read under (its stamp) holds every change
heard before it: a read replica that has not yet replayed a change heard from the primary
gives a page that is served (it is the replica's catalog) but built again on the next read,
until the replica has caught up.

Pages also expire after `max_age` (image URLs may be presigned), and the oldest go first
when they would take more than `max_bytes` (a crawler walking every page of a big catalog
must not grow the process).

A page may also be kept under the request that asked for it (its path and query string): a
vouched page is then answered before routing (storefront_fast.py), by `vouched_at`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

import msgspec

from grocery.core.ports.catalog import CatalogStamps

_UNVOUCHED = -1
MAX_ADDRESSES = 20_000  # requests remembered for the fast path; forgotten all at once past it

Address = tuple[str, bytes]  # a request's path and raw query string


@dataclass(frozen=True, slots=True)
class _Page:
    stamp: str
    born: float
    body: bytes
    generation: int  # the feed's generation it is vouched for in, or _UNVOUCHED


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
        # The change feed (CatalogWatcher): pages of the current generation are vouched for.
        self._heard = False
        self._generation = 0
        self._commits = 0  # this process's commits ...
        self._caught_up = 0  # ... of which every change has been heard
        self._unseen: set[str] = set()  # changes heard that no stamp has shown held yet
        self._prunes = 0
        # Requests answered by a kept page: its key, and the route that answered them.
        self._addresses: dict[Address, tuple[Hashable, str]] = {}

    def vouched_at(self, address: Address) -> tuple[bytes, str] | None:
        """The page kept for this request and its route, when it may be served with no
        check at all."""
        known = self._addresses.get(address)
        kept = None if known is None else self._pages.get(known[0])
        if (
            known is None
            or kept is None
            or kept.generation != self._generation
            or not self._trusting()
            or self._clock() - kept.born >= self._max_age
        ):
            return None
        self._tally(True)
        return kept.body, known[1]

    async def page(
        self,
        key: Hashable,
        build: Callable[[], Awaitable[object]],
        address: Address | None = None,
        route: str = "",
    ) -> bytes:
        """The page for `key`: kept, if still right; else built, encoded and kept. With
        `address`, the request's (answered by `route`), which `vouched_at` then answers."""
        if self._max_age <= 0:
            self._tally(False)
            return msgspec.json.encode(await build())
        if address is not None and address not in self._addresses:
            if len(self._addresses) >= MAX_ADDRESSES:
                self._addresses.clear()
            self._addresses[address] = (key, route)
        kept = self._pages.get(key)
        if kept is not None:
            if self._clock() - kept.born >= self._max_age:
                self._forget(key)
            elif await self._still_right(kept):
                self._tally(True)
                return kept.body
        self._tally(False)
        return await self._fill(key, build)

    async def _still_right(self, kept: _Page) -> bool:
        if not self._trusting():
            return await self._stamps.unchanged_since(kept.stamp)
        return kept.generation == self._generation

    def _trusting(self) -> bool:
        return self._heard and self._caught_up >= self._commits

    async def _fill(self, key: Hashable, build: Callable[[], Awaitable[object]]) -> bytes:
        before = (self._generation, self._prunes)
        stamp = await self._stamps.stamp()  # before the rows: a change between makes it old
        vouched = (self._generation, self._prunes) == before and self._holds_all_heard(stamp)
        body = msgspec.json.encode(await build())
        generation = before[0] if vouched and self._generation == before[0] else _UNVOUCHED
        self._keep(key, _Page(stamp, self._clock(), body, generation))
        return body

    def _holds_all_heard(self, stamp: str) -> bool:
        """Whether `stamp` holds every change heard so far; if so they need no more looking
        at (later stamps of the same server hold them too)."""
        if not all(self._stamps.sees(stamp, change) for change in self._unseen):
            return False
        if self._unseen:
            self._unseen.clear()
            self._prunes += 1  # a stamp taken meanwhile, perhaps older, can't rely on it
        return True

    # --- the change feed (CatalogWatcher) -------------------------------------------------

    @property
    def feed_heard(self) -> bool:
        """Whether the change feed is heard now (else every hit is checked)."""
        return self._heard

    @property
    def commits_here(self) -> int:
        return self._commits

    def committed_here(self) -> None:
        self._commits += 1

    def listening(self, caught_up: int) -> None:
        self._generation += 1  # pages kept while deaf may miss a change
        self._heard = True
        self.caught_up(caught_up)

    def caught_up(self, commits: int) -> None:
        self._caught_up = max(self._caught_up, commits)

    def heard(self, change: str) -> None:
        self._generation += 1
        self._unseen.add(change)

    def deaf(self) -> None:
        self._heard = False

    # --- memory -----------------------------------------------------------------------------

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
