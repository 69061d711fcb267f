"""The storefront's page cache on a catalog of stamps kept in memory."""

from __future__ import annotations

import msgspec
import pytest

from grocery.entrypoints.http.storefront_cache import StorefrontCache


class Stamps:
    """A catalog whose version moves when a test says it changed; it records what was asked."""

    def __init__(self) -> None:
        self.version = 0
        self.calls: list[str] = []

    async def stamp(self) -> str:
        self.calls.append("stamp")
        return str(self.version)

    async def unchanged_since(self, stamp: str) -> bool:
        self.calls.append("check")
        return stamp == str(self.version)


class Shelf:
    """Builds a page from what the shelf holds now, counting the builds."""

    def __init__(self, stamps: Stamps) -> None:
        self.stamps, self.price, self.builds = stamps, "1.00", 0

    async def build(self) -> dict[str, str]:
        self.stamps.calls.append("build")
        self.builds += 1
        return {"price": self.price}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def stamps() -> Stamps:
    return Stamps()


@pytest.fixture
def shelf(stamps: Stamps) -> Shelf:
    return Shelf(stamps)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(stamps: Stamps, clock: Clock) -> StorefrontCache:
    return StorefrontCache(stamps, max_age=60, max_bytes=3 * PAGE_BYTES, clock=clock)


PAGE_BYTES = len(b'{"price":"1.00"}')


def price(body: bytes) -> str:
    return str(msgspec.json.decode(body)["price"])


async def test_an_unchanged_catalog_serves_the_kept_page_without_building_it(
    cache: StorefrontCache, shelf: Shelf, stamps: Stamps
) -> None:
    first = await cache.page("popular", shelf.build)
    again = await cache.page("popular", shelf.build)

    assert first == again == b'{"price":"1.00"}'
    assert shelf.builds == 1
    assert stamps.calls == ["stamp", "build", "check"]


async def test_a_change_is_served_on_the_next_read(
    cache: StorefrontCache, shelf: Shelf, stamps: Stamps
) -> None:
    await cache.page("popular", shelf.build)
    shelf.price, stamps.version = "2.00", 1

    assert price(await cache.page("popular", shelf.build)) == "2.00"
    assert price(await cache.page("popular", shelf.build)) == "2.00"
    assert shelf.builds == 2


async def test_the_stamp_is_taken_before_the_rows_are_read(
    cache: StorefrontCache, shelf: Shelf, stamps: Stamps
) -> None:
    """A change landing between the two then makes the kept page look old, never fresh."""

    async def build_while_a_change_lands() -> dict[str, str]:
        page = await shelf.build()
        stamps.version += 1
        return page

    await cache.page("popular", build_while_a_change_lands)
    await cache.page("popular", shelf.build)

    assert stamps.calls[:2] == ["stamp", "build"]
    assert shelf.builds == 2


async def test_pages_expire_after_max_age_even_unchanged(
    cache: StorefrontCache, shelf: Shelf, clock: Clock
) -> None:
    await cache.page("popular", shelf.build)
    clock.now += 59.9
    await cache.page("popular", shelf.build)
    assert shelf.builds == 1

    clock.now += 0.2
    await cache.page("popular", shelf.build)
    assert shelf.builds == 2


async def test_each_key_is_its_own_page(cache: StorefrontCache, shelf: Shelf) -> None:
    await cache.page(("search", "milk"), shelf.build)
    shelf.price = "3.00"

    assert price(await cache.page(("search", "eggs"), shelf.build)) == "3.00"
    assert price(await cache.page(("search", "milk"), shelf.build)) == "1.00"


async def test_the_oldest_page_goes_when_the_next_would_pass_max_bytes(
    cache: StorefrontCache, shelf: Shelf
) -> None:
    for key in ("a", "b", "c", "d"):
        await cache.page(key, shelf.build)
    assert shelf.builds == 4

    for key in ("b", "c", "d"):
        await cache.page(key, shelf.build)
    assert shelf.builds == 4
    await cache.page("a", shelf.build)
    assert shelf.builds == 5


async def test_a_page_larger_than_max_bytes_is_served_but_not_kept(
    stamps: Stamps, shelf: Shelf
) -> None:
    cache = StorefrontCache(stamps, max_age=60, max_bytes=PAGE_BYTES - 1)

    assert price(await cache.page("popular", shelf.build)) == "1.00"
    assert price(await cache.page("popular", shelf.build)) == "1.00"
    assert shelf.builds == 2


async def test_a_failed_build_keeps_nothing(cache: StorefrontCache, shelf: Shelf) -> None:
    async def missing() -> dict[str, str]:
        raise LookupError("no such product")

    with pytest.raises(LookupError):
        await cache.page("gone", missing)

    assert price(await cache.page("gone", shelf.build)) == "1.00"
    assert shelf.builds == 1


async def test_max_age_zero_builds_every_page_and_asks_no_stamp(
    stamps: Stamps, shelf: Shelf
) -> None:
    cache = StorefrontCache(stamps, max_age=0)

    await cache.page("popular", shelf.build)
    await cache.page("popular", shelf.build)

    assert shelf.builds == 2
    assert stamps.calls == ["build", "build"]


# --- with the catalog's change feed heard -------------------------------------------------


class Replica(Stamps):
    """Stamps of a server that holds the changes up to `replayed`; a change is its version."""

    def __init__(self) -> None:
        super().__init__()
        self.replayed = 0

    async def stamp(self) -> str:
        self.calls.append("stamp")
        return str(self.replayed)

    async def unchanged_since(self, stamp: str) -> bool:
        self.calls.append("check")
        return stamp == str(self.replayed)

    def sees(self, stamp: str, change: str) -> bool:
        return int(change) <= int(stamp)


@pytest.fixture
def replica() -> Replica:
    return Replica()


@pytest.fixture
def heard(replica: Replica, clock: Clock) -> StorefrontCache:
    """A cache on the replica's stamps whose feed is heard, caught up with nothing committed."""
    cache = StorefrontCache(replica, max_age=60, clock=clock)
    cache.listening(caught_up=0)
    return cache


def change(replica: Replica, shelf: Shelf, cache: StorefrontCache, price: str) -> None:
    """A change committed on the primary, replayed at once and heard."""
    replica.version += 1
    replica.replayed = replica.version
    shelf.price = price
    cache.heard(str(replica.version))


async def test_a_heard_feed_serves_kept_pages_with_no_round_trip(
    heard: StorefrontCache, replica: Replica
) -> None:
    shelf = Shelf(replica)
    for _ in range(3):
        assert price(await heard.page("popular", shelf.build)) == "1.00"

    assert replica.calls == ["stamp", "build"]


async def test_a_heard_change_rebuilds_the_page_on_its_next_read_unchecked(
    heard: StorefrontCache, replica: Replica
) -> None:
    shelf = Shelf(replica)
    await heard.page("popular", shelf.build)
    change(replica, shelf, heard, "2.00")

    assert price(await heard.page("popular", shelf.build)) == "2.00"
    assert price(await heard.page("popular", shelf.build)) == "2.00"
    assert replica.calls == ["stamp", "build", "stamp", "build"]


async def test_a_change_heard_while_a_page_is_built_leaves_it_unvouched(
    heard: StorefrontCache, replica: Replica
) -> None:
    """The rows may predate the change: served once, built again on the next read."""
    shelf = Shelf(replica)

    async def build_while_a_change_lands() -> dict[str, str]:
        page = await shelf.build()
        change(replica, shelf, heard, "2.00")
        return page

    assert price(await heard.page("popular", build_while_a_change_lands)) == "1.00"
    assert price(await heard.page("popular", shelf.build)) == "2.00"
    assert price(await heard.page("popular", shelf.build)) == "2.00"
    assert shelf.builds == 2


async def test_a_replica_behind_a_heard_change_is_read_again_until_it_has_replayed_it(
    heard: StorefrontCache, replica: Replica
) -> None:
    shelf = Shelf(replica)
    await heard.page("popular", shelf.build)
    replica.version = 1  # committed on the primary and heard; the replica still lags
    heard.heard("1")

    await heard.page("popular", shelf.build)
    await heard.page("popular", shelf.build)
    assert shelf.builds == 3  # each read goes back to the replica, never keeps its old page

    replica.replayed, shelf.price = 1, "2.00"
    assert price(await heard.page("popular", shelf.build)) == "2.00"
    assert price(await heard.page("popular", shelf.build)) == "2.00"
    assert shelf.builds == 4
    assert "check" not in replica.calls


async def test_this_processs_own_commit_is_checked_until_the_feed_catches_up(
    heard: StorefrontCache, replica: Replica
) -> None:
    """Its notification may not have arrived yet: the next read must not wait on luck."""
    shelf = Shelf(replica)
    await heard.page("popular", shelf.build)
    heard.committed_here()
    replica.version = replica.replayed = 1
    shelf.price = "2.00"

    assert price(await heard.page("popular", shelf.build)) == "2.00"
    assert replica.calls[-3:] == ["check", "stamp", "build"]

    heard.heard("1")
    heard.caught_up(heard.commits_here)
    replica.calls.clear()
    assert price(await heard.page("popular", shelf.build)) == "2.00"
    assert price(await heard.page("popular", shelf.build)) == "2.00"
    assert replica.calls == ["stamp", "build"]


async def test_a_deaf_cache_checks_every_hit_and_rebuilds_once_heard_again(
    heard: StorefrontCache, replica: Replica
) -> None:
    shelf = Shelf(replica)
    await heard.page("popular", shelf.build)
    heard.deaf()
    replica.calls.clear()

    await heard.page("popular", shelf.build)
    replica.version = replica.replayed = 1  # unheard: the check finds it
    shelf.price = "2.00"
    assert price(await heard.page("popular", shelf.build)) == "2.00"
    assert replica.calls == ["check", "check", "stamp", "build"]

    heard.listening(caught_up=0)  # what was kept while deaf may have missed a change
    replica.calls.clear()
    await heard.page("popular", shelf.build)
    await heard.page("popular", shelf.build)
    assert replica.calls == ["stamp", "build"]


# --- answered before routing ----------------------------------------------------------------

ASKED = ("/api/products", b"sort=popular")


async def test_a_vouched_page_is_found_by_its_request_and_nothing_else(
    heard: StorefrontCache, replica: Replica
) -> None:
    shelf = Shelf(replica)
    assert heard.vouched_at(ASKED) is None  # never answered

    await heard.page("popular", shelf.build, ASKED, "/api/products")

    assert heard.vouched_at(ASKED) == (b'{"price":"1.00"}', "/api/products")
    assert heard.vouched_at(("/api/products", b"sort=price")) is None
    assert replica.calls == ["stamp", "build"]


async def test_no_page_is_found_by_request_unless_it_may_be_served_unchecked(
    heard: StorefrontCache, replica: Replica, clock: Clock
) -> None:
    shelf = Shelf(replica)
    await heard.page("popular", shelf.build, ASKED, "/api/products")

    change(replica, shelf, heard, "2.00")  # unvouched
    assert heard.vouched_at(ASKED) is None
    await heard.page("popular", shelf.build, ASKED, "/api/products")
    assert heard.vouched_at(ASKED) is not None

    heard.committed_here()  # this process's commit, not yet caught up with
    assert heard.vouched_at(ASKED) is None
    heard.caught_up(heard.commits_here)
    assert heard.vouched_at(ASKED) is not None

    heard.deaf()
    assert heard.vouched_at(ASKED) is None
    heard.listening(heard.commits_here)  # kept while deaf: unvouched
    assert heard.vouched_at(ASKED) is None

    await heard.page("popular", shelf.build, ASKED, "/api/products")
    clock.now += 60
    assert heard.vouched_at(ASKED) is None  # too old
