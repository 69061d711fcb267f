"""The reports' rollups (migration 0024_sales_days) stay the sums over the order lines
through random checkouts, picks, cancellations and category moves, and through checkouts
that race: bench/invariants.py's SQL sums them straight from the lines and orders."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import asyncpg
import pytest
from bench import invariants

from tests.integration.catalog_shop import Json, add_category
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import MakeUser, SignedInUser
from tests.integration.picking_shop import Picker

NOTHING_OFF = {"product day": 0, "order day": 0, "category day": 0, "product tax": 0}


@pytest.fixture
async def connection(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        yield connection
    finally:
        await connection.close()


async def _taxed(shop: Shop, rate: str) -> Json:
    response = await shop.client.post(
        "/api/tax-classes",
        json={"name": f"Rate {random.random()}", "rate": rate},
        headers=shop.manager.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _products(shop: Shop, picker: Picker) -> list[Json]:
    tax = await _taxed(shop, "7.5")
    products = [await shop.product(price=price, stock=500) for price in ("1.99", "0.35", "12.10")]
    products[0] = await shop.edit(products[0], tax_class_id=tax["id"])
    products.append(await picker.weighed(price="3.30", stock=500))
    return products


async def _pick_and_complete(
    picker: Picker, order: Json, products: list[Json], rng: random.Random
) -> None:
    started = await picker.start(order)
    for index, line in enumerate(started["items"]):
        picked = rng.randint(0, line["quantity"])
        body: dict[str, object] = {"picked_quantity": picked}
        if line["estimated"] and picked:
            body["picked_weight_kg"] = str(
                float(line["estimated_weight_kg"]) * picked / line["quantity"]
            )
        others = [p for p in products if p["id"] != line["product_id"] and p["sold_by"] == "each"]
        if picked < line["quantity"] and others and rng.random() < 0.5:
            body["substitute"] = {"product_id": rng.choice(others)["id"], "quantity": 1}
        await picker.pick(started, index, **body)
    await picker.complete(order)


async def test_random_checkouts_picks_and_cancellations_keep_the_rollups_exact(
    connection: asyncpg.Connection, shop: Shop, make_user: MakeUser
) -> None:
    rng = random.Random(24)
    picker = Picker(shop)
    products = await _products(shop, picker)
    promo = await shop.promo(value="15")
    customers = [await make_user() for _ in range(3)]
    placed: list[Json] = []
    for step in range(24):
        action = rng.choice(["checkout", "checkout", "pick", "cancel", "move"])
        if action == "checkout" or not placed:
            lines = [(p, rng.randint(1, 4)) for p in rng.sample(products, rng.randint(1, 3))]
            chosen = promo if rng.random() < 0.3 else None
            placed.append(await picker.placed_by(rng.choice(customers), *lines, promo=chosen))
        elif action == "pick":
            order = placed.pop(rng.randrange(len(placed)))
            await _pick_and_complete(picker, order, products, rng)
        elif action == "cancel":
            order = placed.pop(rng.randrange(len(placed)))
            answer = await shop.client.post(
                f"/api/orders/{order['id']}/cancel", headers=shop.manager.headers
            )
            assert answer.status_code == 200, answer.text
        else:
            aisle = await add_category(shop.client, shop.manager.headers)
            moved = rng.randrange(len(products))
            products[moved] = await shop.edit(products[moved], category_id=aisle["id"])
        assert await invariants.rollups_off(connection) == NOTHING_OFF, (step, action)


async def test_a_broken_rollup_is_caught(
    connection: asyncpg.Connection, shop: Shop, ann: SignedInUser
) -> None:
    product = await shop.product(stock=5)
    await shop.placed(ann, (product, 2))
    await connection.execute(
        "UPDATE product_sales_days SET units = units + 1 WHERE product_id = $1", product["id"]
    )
    try:
        assert (await invariants.rollups_off(connection))["product day"] == 1
    finally:
        await connection.execute(
            "UPDATE product_sales_days SET units = units - 1 WHERE product_id = $1", product["id"]
        )


async def test_racing_checkouts_and_cancellations_keep_the_rollups_exact(
    connection: asyncpg.Connection, shop: Shop, make_user: MakeUser
) -> None:
    """Sixteen customers check out the same few products at once (the same product and
    category rows of today), while earlier orders are cancelled: nobody deadlocks, nothing
    is lost."""
    products = [await shop.product(stock=1000) for _ in range(4)]
    customers = [await make_user() for _ in range(16)]
    first = [await shop.placed(customer, (products[0], 1)) for customer in customers[:4]]
    for index, customer in enumerate(customers):
        # Each takes the products in its own order: rows must still be locked in one order.
        mine = products[index % 4 :] + products[: index % 4]
        await shop.fill(customer, *[(product, 1 + index % 3) for product in mine])

    async def cancel(order: Json) -> int:
        answer = await shop.client.post(
            f"/api/orders/{order['id']}/cancel", headers=shop.manager.headers
        )
        return answer.status_code

    answers = await asyncio.gather(
        *[checkout(shop.client, customer) for customer in customers],
        *[cancel(order) for order in first],
    )
    assert [a.status_code for a in answers[:16]] == [201] * 16
    assert answers[16:] == [200] * 4
    assert await invariants.rollups_off(connection) == NOTHING_OFF
