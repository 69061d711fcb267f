"""Kept storefront pages on PostgreSQL: a page is served again only while nothing it shows has
changed. A change made through a server process shows on its very next read; one made
anywhere else (another process, another server, by hand) is heard within 100 ms."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import httpx
from sqlalchemy import text

from grocery.adapters.sql.catalog_changes import WINDOW, SqlCatalogStamps
from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Client, Json, picture
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import SignedInUser


async def shown(client: Client | httpx.AsyncClient, product: Json) -> tuple[Json, Json]:
    """The product as its own page and as the first item of its aisle's page."""
    detail = await client.get(f"/api/products/{product['id']}")
    listed = await client.get(
        "/api/products", params={"category": product["category"]["slug"], "limit": 1}
    )
    assert (detail.status_code, listed.status_code) == (200, 200), (detail.text, listed.text)
    return detail.json(), listed.json()["items"][0]


async def prices(client: Client | httpx.AsyncClient, product: Json) -> list[str]:
    detail, listed = await shown(client, product)
    return [detail["price"], listed["price"]]


async def test_a_managers_edits_show_on_the_very_next_read(client: Client, shop: Shop) -> None:
    apples = await shop.product("1.00")
    for cents in range(101, 111):
        await prices(client, apples)  # kept
        await shop.edit(apples, price=f"{cents / 100:.2f}")
        assert await prices(client, apples) == [f"{cents / 100:.2f}"] * 2


async def test_a_kept_page_is_served_without_reading_the_products(
    client: Client, shop: Shop, adapters: Adapters
) -> None:
    """With the change-noting trigger off, a direct price change goes unseen: the page is
    kept. The next noted change (any edit) brings every field up to date."""
    apples = await shop.product("1.00")
    assert await prices(client, apples) == ["1.00", "1.00"]
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text("ALTER TABLE products DISABLE TRIGGER products_catalog_changed")
        )
        await connection.execute(
            text("UPDATE products SET price = 9.99 WHERE id = :id"), {"id": apples["id"]}
        )
        await connection.execute(
            text("ALTER TABLE products ENABLE TRIGGER products_catalog_changed")
        )

    assert await prices(client, apples) == ["1.00", "1.00"]
    await shop.edit(apples, description="Crisp.")
    assert await prices(client, apples) == ["9.99", "9.99"]


async def test_a_change_in_flight_stays_unseen_until_it_commits(
    client: Client, shop: Shop, adapters: Adapters
) -> None:
    apples = await shop.product("1.00")
    await prices(client, apples)
    async with adapters.database.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(
            text("UPDATE products SET price = 2.00 WHERE id = :id"), {"id": apples["id"]}
        )
        # Read (and kept again) while the change is in flight: the old price.
        assert await prices(client, apples) == ["1.00", "1.00"]
        assert await prices(client, apples) == ["1.00", "1.00"]
        await transaction.commit()

    await shown_within_100_ms(client, apples, "2.00")


async def shown_within_100_ms(client: Client, product: Json, price: str) -> None:
    """A change committed outside the app is heard (the catalog's change feed) within 100 ms."""
    started = time.monotonic()
    while await prices(client, product) != [price, price]:
        assert time.monotonic() - started < 0.1, "the change was not heard within 100 ms"


async def test_a_rolled_back_change_keeps_the_page_right(
    client: Client, shop: Shop, adapters: Adapters
) -> None:
    apples = await shop.product("1.00")
    await prices(client, apples)
    async with adapters.database.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(
            text("UPDATE products SET price = 2.00 WHERE id = :id"), {"id": apples["id"]}
        )
        await transaction.rollback()

    assert await prices(client, apples) == ["1.00", "1.00"]


async def test_a_checkouts_stock_change_shows_on_the_next_read(
    client: Client, shop: Shop, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=10)
    detail, listed = await shown(client, apples)
    assert (detail["stock"], listed["stock"]) == (10, 10)
    await shop.fill(ann, (apples, 3))

    assert (await checkout(client, ann)).status_code == 201

    detail, listed = await shown(client, apples)
    assert (detail["stock"], detail["units_sold"]) == (7, 3)
    assert (listed["stock"], listed["units_sold"]) == (7, 3)


async def test_images_and_category_renames_show_on_the_next_read(
    client: Client, shop: Shop, manager: SignedInUser
) -> None:
    apples = await shop.product()
    await shown(client, apples)

    uploaded = await client.post(
        f"/api/products/{apples['id']}/images",
        files={"file": ("apples.png", picture(), "image/png")},
        headers=manager.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    detail, listed = await shown(client, apples)
    assert [image["id"] for image in detail["images"]] == [uploaded.json()["id"]]
    assert [image["id"] for image in listed["images"]] == [uploaded.json()["id"]]

    removed = await client.delete(
        f"/api/products/{apples['id']}/images/{uploaded.json()['id']}", headers=manager.headers
    )
    assert removed.status_code == 204, removed.text
    detail, listed = await shown(client, apples)
    assert (detail["images"], listed["images"]) == ([], [])

    renamed = await client.patch(
        f"/api/categories/{shop.aisle['slug']}",
        json={"name": "Orchard fruit"},
        headers=manager.headers,
    )
    assert renamed.status_code == 200, renamed.text
    detail, listed = await shown(client, apples)
    assert detail["category"]["name"] == listed["category"]["name"] == "Orchard fruit"


async def test_a_removed_product_is_gone_from_its_kept_pages(
    client: Client, shop: Shop, manager: SignedInUser
) -> None:
    apples = await shop.product()
    await shown(client, apples)

    removed = await client.delete(f"/api/products/{apples['id']}", headers=manager.headers)

    assert removed.status_code == 204
    assert (await client.get(f"/api/products/{apples['id']}")).status_code == 404
    listed = await client.get("/api/products", params={"category": shop.aisle["slug"]})
    assert listed.json()["items"] == []


async def test_readers_racing_edits_never_see_a_price_older_than_their_request(
    live_server: str, shop: Shop
) -> None:
    """Two server processes keep pages while a manager raises the price 15 times. Every read
    must show at least the price of the last edit answered 100 ms before that read was sent
    (the other process hears of an edit within that)."""
    apples = await shop.product("1.00")
    answered = [(0.0, Decimal("1.00"))]  # when each edit was answered, and its price
    stale: list[tuple[Decimal, Decimal]] = []
    editing = True
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as racing:

        async def read() -> None:
            while editing:
                sent = time.monotonic()
                floor = max(price for at, price in answered if at <= sent - 0.1)
                for seen in await prices(racing, apples):
                    if Decimal(seen) < floor:
                        stale.append((Decimal(seen), floor))

        readers = [asyncio.create_task(read()) for _ in range(12)]
        for cents in range(101, 116):
            edit = await racing.patch(
                f"/api/products/{apples['id']}",
                json={"price": f"{cents / 100:.2f}"},
                headers=shop.manager.headers,
            )
            assert edit.status_code == 200, edit.text
            answered.append((time.monotonic(), Decimal(edit.json()["price"])))
            await asyncio.sleep(0.02)
        editing = False
        await asyncio.gather(*readers)

        assert stale == []
        await asyncio.sleep(0.1)
        assert await prices(racing, apples) == ["1.15", "1.15"]


async def test_a_stamp_sees_its_own_moment_only(adapters: Adapters, shop: Shop) -> None:
    stamps = SqlCatalogStamps(adapters.database)
    before = await stamps.stamp()
    assert await stamps.unchanged_since(before)

    await shop.product()

    assert not await stamps.unchanged_since(before)
    assert await stamps.unchanged_since(await stamps.stamp())


async def test_a_change_older_than_the_newest_changes_still_counts(
    adapters: Adapters, shop: Shop
) -> None:
    """A change in flight when the stamp was taken, committed after more changes than the
    check reads: the stamp can't be shown unchanged from the newest rows alone."""
    stamps = SqlCatalogStamps(adapters.database)
    slow, others = await shop.product("1.00"), await shop.product("1.00")
    async with adapters.database.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(
            text("UPDATE products SET price = 2.00 WHERE id = :id"), {"id": slow["id"]}
        )
        for cents in range(101, 101 + WINDOW + 8):
            await shop.edit(others, price=f"{cents / 100:.2f}")
        stamp = await stamps.stamp()
        await transaction.commit()

    assert not await stamps.unchanged_since(stamp)
    assert await stamps.unchanged_since(await stamps.stamp())


async def test_a_page_answered_before_routing_is_the_routed_answer(
    client: Client, shop: Shop
) -> None:
    """Once vouched, a kept page is sent before routing; a request from a browser origin
    still takes the whole way. Both answers are the same bytes with the same headers."""
    apples = await shop.product("1.00")
    path = f"/api/products/{apples['id']}"
    answers = [await client.get(path) for _ in range(3)]
    routed = await client.get(path, headers={"Origin": "https://elsewhere.example"})

    for answer in [*answers, routed]:
        assert answer.status_code == 200
        assert answer.content == routed.content
        assert answer.headers["content-type"] == routed.headers["content-type"]
        assert answer.headers["content-length"] == str(len(routed.content))
