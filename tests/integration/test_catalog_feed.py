"""The catalog's change feed on PostgreSQL: a kept page is served with no round trip while the
feed is heard, a change committed anywhere is heard within 100 ms, and while the listening
connection is gone every hit is checked, until the feed listens again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import msgspec
import pytest
from sqlalchemy import text

from grocery.adapters.sql.catalog_changes import SqlCatalogStamps
from grocery.adapters.sql.catalog_feed import APPLICATION, CatalogFeed
from grocery.adapters.sql.database import Database
from grocery.config import Settings
from grocery.entrypoints.http.storefront_cache import StorefrontCache
from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Json
from tests.integration.checkout_shop import Shop
from tests.integration.pgbouncer import BOUNCING

pytestmark = pytest.mark.skipif(BOUNCING, reason="LISTEN needs the primary, not PgBouncer")


class CountedStamps(SqlCatalogStamps):
    """The real stamps, counting the checks a hit costs."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.checks = 0

    async def unchanged_since(self, stamp: str) -> bool:
        self.checks += 1
        return await super().unchanged_since(stamp)


@pytest.fixture
def stamps(adapters: Adapters) -> CountedStamps:
    return CountedStamps(adapters.database)


@pytest.fixture
async def cache(settings: Settings, stamps: CountedStamps) -> AsyncIterator[StorefrontCache]:
    cache = StorefrontCache(stamps, max_age=60)
    assert settings.database_url is not None
    async with CatalogFeed(settings.database_url, cache).followed():
        await until(lambda: cache.feed_heard, within=5)
        yield cache


async def until(condition: Callable[[], bool], *, within: float) -> float:
    """Seconds until `condition` held; fails past `within`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < within, "not within the time allowed"
        await asyncio.sleep(0.002)
    return time.monotonic() - started


def product_page(shop: Shop, product: Json) -> Callable[[StorefrontCache], Awaitable[str]]:
    async def price(cache: StorefrontCache) -> str:
        async def build() -> Json:
            return await shop.now(product)

        return str(msgspec.json.decode(await cache.page(product["id"], build))["price"])

    return price


async def price_shown_within(
    cache: StorefrontCache, read: Callable[[StorefrontCache], Awaitable[str]], price: str
) -> float:
    started = time.monotonic()
    while await read(cache) != price:
        assert time.monotonic() - started < 0.1, "the change was not heard within 100 ms"
        await asyncio.sleep(0.001)  # a hit never yields: let the feed be heard
    return time.monotonic() - started


async def test_a_heard_feed_serves_kept_pages_unchecked_and_hears_a_change_within_100_ms(
    cache: StorefrontCache, stamps: CountedStamps, shop: Shop
) -> None:
    apples = await shop.product("1.00")
    read = product_page(shop, apples)
    for _ in range(5):
        assert await read(cache) == "1.00"
    assert stamps.checks == 0

    await shop.edit(apples, price="1.50")  # committed by the app: another process, to the feed

    await price_shown_within(cache, read, "1.50")
    assert stamps.checks == 0


async def backends(adapters: Adapters) -> set[int]:
    async with adapters.database.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = :name"
                " AND datname = current_database()"
            ),
            {"name": APPLICATION},
        )
        return {pid for (pid,) in rows}


async def test_a_killed_listener_falls_back_to_checks_and_the_feed_comes_back(
    settings: Settings, adapters: Adapters, stamps: CountedStamps, shop: Shop
) -> None:
    others = await backends(adapters)  # the app's own feeds: left alone
    cache = StorefrontCache(stamps, max_age=60)
    assert settings.database_url is not None
    async with CatalogFeed(settings.database_url, cache).followed():
        await until(lambda: cache.feed_heard, within=5)
        (ours,) = await backends(adapters) - others
        apples = await shop.product("1.00")
        read = product_page(shop, apples)
        assert await read(cache) == "1.00"

        async with adapters.database.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": ours})
        await until(lambda: not cache.feed_heard, within=2)

        # Deaf: each hit asks the database, and a change shows on the very next read.
        assert await read(cache) == "1.00"
        assert stamps.checks == 1
        await shop.edit(apples, price="2.00")
        assert await read(cache) == "2.00"

        # Listening again (a backoff of 0.1 s first): pushed changes, unchecked hits.
        await until(lambda: cache.feed_heard, within=3)
        assert (await backends(adapters) - others) not in ({ours}, set())
        assert await read(cache) == "2.00"
        checked = stamps.checks
        await shop.edit(apples, price="2.50")
        await price_shown_within(cache, read, "2.50")
        assert await read(cache) == "2.50"
        assert stamps.checks == checked
