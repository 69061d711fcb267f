"""The sales counters behind the all-time reports (migration 0007_sales_counters) agree with
the order lines they summarise: after checkout, cancellation and products changing category,
and as the migration's backfill makes them.

All-time reports read the counters; dated ones read the lines. Over every day the shop can
name, both must give the very same rows.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from grocery.adapters.sql import migrate
from grocery.core.identity import Role
from grocery.core.reports import FIRST_DAY, LAST_DAY
from grocery.entrypoints.app import build_auth_service, create_app
from grocery.entrypoints.wiring import Adapters, build_adapters
from tests.integration.catalog_shop import Client, Json, add_category
from tests.integration.checkout_shop import AnyClient, Shop
from tests.integration.conftest import (
    TEST_PASSWORD,
    SignedInUser,
    make_settings,
)
from tests.integration.database import fresh_database

BY_PRODUCT = "/api/reports/sales-by-product"
BY_CATEGORY = "/api/reports/sales-by-category"
EVERY_DAY = {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()}


async def items(client: AnyClient, path: str, who: SignedInUser, **params: Any) -> list[Json]:
    response = await client.get(path, params={"limit": 1000, **params}, headers=who.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def all_time_and_every_day(
    client: AnyClient, path: str, who: SignedInUser, **params: Any
) -> list[Json]:
    """The all-time rows, once checked equal to the rows over every day."""
    all_time = await items(client, path, who, **params)
    assert all_time == await items(client, path, who, **params, **EVERY_DAY)
    return all_time


async def counters(adapters: Adapters, *products: Json) -> list[tuple[int, Decimal, int]]:
    async with adapters.database.connect() as connection:
        found = await connection.execute(
            text(
                "SELECT id, units_sold, revenue_sold, orders_sold FROM products"
                " WHERE id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"ids": [product["id"] for product in products]},
        )
        by_id = {str(row.id): (row.units_sold, row.revenue_sold, row.orders_sold) for row in found}
    return [by_id[product["id"]] for product in products]


async def order_categories(adapters: Adapters, order: Json) -> set[str]:
    async with adapters.database.connect() as connection:
        found = await connection.execute(
            text("SELECT category_id FROM order_categories WHERE order_id = :id"),
            {"id": order["id"]},
        )
        return {str(category_id) for category_id in found.scalars()}


async def cancel(client: Client, user: SignedInUser, order: Json) -> None:
    response = await client.post(f"/api/orders/{order['id']}/cancel", headers=user.headers)
    assert response.status_code == 200, response.text


def line_totals(*orders: Json) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for order in orders:
        for line in order["items"]:
            totals[line["product_id"]] = totals.get(line["product_id"], Decimal(0)) + Decimal(
                line["line_total"]
            )
    return totals


async def test_checkout_adds_to_the_counters_and_cancelling_takes_it_back(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    adapters: Adapters,
    aisle: Json,
    shop: Shop,
) -> None:
    apple, pear = await shop.product(price="3.33"), await shop.product(price="1.01")
    await shop.apply(ann, await shop.promo(value="15"))  # uneven cents on each line
    first = await shop.placed(ann, (apple, 3), (pear, 1))
    second = await shop.placed(bob, (apple, 2))
    totals = line_totals(first, second)
    assert Decimal(first["discount"]) > 0

    assert await counters(adapters, apple, pear) == [
        (5, totals[apple["id"]], 2),
        (1, totals[pear["id"]], 1),
    ]
    assert await order_categories(adapters, first) == {aisle["id"]}
    rows = await all_time_and_every_day(client, BY_PRODUCT, manager, category=aisle["id"])
    assert [(r["units_sold"], Decimal(r["revenue"]), r["orders"]) for r in rows] == (
        await counters(adapters, apple, pear)
    )

    await cancel(client, ann, first)
    assert await counters(adapters, apple, pear) == [
        (2, Decimal(second["total"]), 1),
        (0, Decimal("0.00"), 0),
    ]
    assert await order_categories(adapters, first) == set()
    assert (await shop.now(apple))["units_sold"] == 2  # the catalog's popularity too
    await cancel(client, ann, first)  # a second cancel takes nothing more off
    assert (await counters(adapters, apple))[0] == (2, Decimal(second["total"]), 1)


async def test_all_time_reports_agree_with_the_order_lines_over_every_day(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    aisle: Json,
    shop: Shop,
) -> None:
    other = Shop(client, manager, await add_category(client, manager.headers))
    tea, jam, honey = [await shop.product(price=price) for price in ("2.49", "0.99", "7.77")]
    salt = await other.product(price="0.35")
    await shop.apply(ann, await shop.promo(value="12"))
    await shop.placed(ann, (tea, 2), (jam, 3), (salt, 1))  # two categories in one order
    await shop.placed(bob, (jam, 1), (honey, 2))
    await cancel(client, bob, await shop.placed(bob, (tea, 4), (salt, 2)))

    for category in (aisle, other.aisle):
        for sort in ("most", "least"):
            await all_time_and_every_day(
                client, BY_PRODUCT, manager, category=category["id"], sort=sort
            )
    mine = await all_time_and_every_day(client, BY_CATEGORY, manager, category=aisle["slug"])
    assert [(r["units_sold"], r["orders"]) for r in mine] == [(8, 2)]  # orders, not lines
    # Unfiltered, only these aisles' rows: other tests set units_sold without any order.
    ours = {aisle["id"], other.aisle["id"]}
    all_time, every_day = [
        [
            row
            for row in await items(client, BY_CATEGORY, manager, **dates)
            if row["category_id"] in ours
        ]
        for dates in ({}, EVERY_DAY)
    ]
    assert all_time == every_day
    assert [row["category_id"] for row in all_time] == [aisle["id"], other.aisle["id"]]
    assert all_time[:1] == mine  # 8 units sold in the aisle, 1 in the other


async def test_a_product_changing_category_takes_its_orders_along(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    adapters: Adapters,
    aisle: Json,
    shop: Shop,
) -> None:
    other = await add_category(client, manager.headers)
    apple, pear = await shop.product(), await shop.product()
    plum = await Shop(client, manager, other).product()
    both = await shop.placed(ann, (apple, 1), (pear, 1))
    await shop.placed(bob, (apple, 1), (plum, 1))
    await shop.placed(bob, (pear, 2))

    async def orders_per_category() -> tuple[int, int]:
        found = []
        for category in (aisle, other):
            rows = await all_time_and_every_day(
                client, BY_CATEGORY, manager, category=category["id"]
            )
            found.append(rows[0]["orders"])
        return found[0], found[1]

    assert await orders_per_category() == (3, 1)
    await shop.edit(apple, category_id=other["id"])
    assert await orders_per_category() == (2, 2)  # `both` keeps the aisle through the pear
    assert await order_categories(adapters, both) == {aisle["id"], other["id"]}
    await shop.edit(pear, category_id=other["id"])
    assert await orders_per_category() == (0, 3)
    assert await order_categories(adapters, both) == {other["id"]}
    await shop.edit(apple, category_id=aisle["id"])
    assert await orders_per_category() == (2, 3)


async def test_two_products_of_one_order_leaving_its_category_together_leave_it_uncounted(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    adapters: Adapters,
    aisle: Json,
    shop: Shop,
) -> None:
    elsewhere = [await add_category(client, manager.headers) for _ in range(2)]
    apple, pear = await shop.product(), await shop.product()
    order = await shop.placed(ann, (apple, 1), (pear, 1))
    move = text("UPDATE products SET category_id = :to WHERE id = :id")
    engine = adapters.database.engine
    async with engine.connect() as first, engine.connect() as second:
        await first.execute(move, {"to": elsewhere[0]["id"], "id": apple["id"]})
        # Uncommitted, the apple is still in the aisle for anyone else: the second move
        # must wait for the first, or it would keep the order in the aisle for the apple.
        racing = asyncio.create_task(
            second.execute(move, {"to": elsewhere[1]["id"], "id": pear["id"]})
        )
        await asyncio.sleep(0.3)
        assert not racing.done()
        await first.commit()
        await racing
        await second.commit()

    assert await order_categories(adapters, order) == {c["id"] for c in elsewhere}
    left = await all_time_and_every_day(client, BY_CATEGORY, manager, category=aisle["id"])
    assert left[0]["orders"] == 0


# --- the migration's backfill -------------------------------------------------------


def test_the_backfill_gives_the_figures_checkout_kept(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with fresh_database(Path(tmp_path_factory.mktemp("backfill"))) as url:
        migrate.upgrade(url)
        kept = asyncio.run(_shop_a_little(url))
        migrate.downgrade(url, "0006_reports")  # no counters, order_categories, order units
        migrate.upgrade(url)
        assert asyncio.run(_sales_tables(url)) == kept


async def _shop_a_little(url: str) -> tuple[list[Any], ...]:
    """Orders placed, one cancelled, a product moved; then the counters, order_categories
    and each order's units."""
    settings = make_settings(url)
    adapters = build_adapters(settings)
    auth = build_auth_service(settings, adapters)
    people = []
    for name, role in (("boss", Role.MANAGER), ("ann", Role.CUSTOMER), ("bob", Role.CUSTOMER)):
        user = await auth.ensure_user(name, f"{name}@example.com", TEST_PASSWORD, role)
        token, _ = adapters.access_tokens.issue_access(user.principal, adapters.clock.now())
        headers = {"Authorization": f"Bearer {token}"}
        people.append(SignedInUser(user.id, name, "", TEST_PASSWORD, role, headers))
    await adapters.database.dispose()
    boss, ann, bob = people
    async with AsyncTestClient(app=create_app(settings)) as client:
        aisles = [await add_category(client, boss.headers) for _ in range(2)]
        shop = Shop(client, boss, aisles[0])
        milk, eggs, oats = [await shop.product(price="1.15") for _ in range(3)]
        await shop.apply(ann, await shop.promo(value="10"))
        await shop.placed(ann, (milk, 2), (eggs, 1))
        await cancel(client, bob, await shop.placed(bob, (eggs, 3), (oats, 1)))
        await shop.placed(bob, (oats, 2), (milk, 1))
        await shop.edit(oats, category_id=aisles[1]["id"])
        await all_time_and_every_day(client, BY_PRODUCT, boss, category=aisles[0]["id"])
        await all_time_and_every_day(client, BY_CATEGORY, boss)
    kept = await _sales_tables(url)
    # three products sold; two orders counted, 3 pairs; three orders placed, 3 + 4 + 3 units
    assert (len(kept[0]), len(kept[1])) == (3, 3)
    assert sorted(units for _, units in kept[2]) == [3, 3, 4]
    return kept


async def _sales_tables(url: str) -> tuple[list[Any], ...]:
    adapters = build_adapters(make_settings(url))
    try:
        async with adapters.database.connect() as connection:
            sold = await connection.execute(
                text(
                    "SELECT id, units_sold, revenue_sold, orders_sold FROM products"
                    " WHERE orders_sold > 0 ORDER BY id"
                )
            )
            bought = await connection.execute(
                text("SELECT order_id, category_id FROM order_categories ORDER BY 1, 2")
            )
            units = await connection.execute(text("SELECT id, units FROM orders ORDER BY id"))
            return tuple([tuple(row) for row in rows] for rows in (sold, bought, units))
    finally:
        await adapters.database.dispose()
