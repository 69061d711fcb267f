"""bench/run's stock checks on real orders: they pass after honest checkouts, a cancellation
and picking, and each catches the fault it is there for.

The ledger check covers every product of the database, and this session's database also
holds products other tests moved by hand (through the stock port alone): the honest runs
here ask it about their own products, the broken ones see it fail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest
from bench import cpu, invariants

from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Json
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import SignedInUser
from tests.integration.picking_shop import Picker
from tests.integration.slot_shop import Places, hold

CHECKS = [
    "no negative stock",
    "stock + units_sold conserved",
    "stock moved by exactly the units ordered and given back",
    "hot product not oversold",
    "stock is the sum of its movements",
    "no slot overbooked",
    "slot bookings match live orders",
    "sales rollups are the sums of the order lines",
]
LEDGER = CHECKS[4]


@pytest.fixture
async def connection(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    # No statement cache: the tests also run through PgBouncer in transaction mode, where a
    # prepared statement may be gone by the next transaction.
    url = database_url.replace("+asyncpg", "")
    connection = await asyncpg.connect(url, statement_cache_size=0)
    try:
        yield connection
    finally:
        await connection.execute("DROP TABLE IF EXISTS bench_stock_before")
        await connection.close()


async def _failed(connection: asyncpg.Connection, hot: UUID) -> set[str]:
    return {check.name for check in await invariants.check(connection, hot) if not check.passed}


async def _honest(connection: asyncpg.Connection, hot: Json, *products: Json) -> list[str]:
    """The checks' details, every one passed (the ledger's for these products)."""
    checks = await invariants.check(connection, UUID(hot["id"]))
    assert [check.name for check in checks] == CHECKS
    assert [check.name for check in checks if not check.passed] in ([], [LEDGER])
    off = await invariants.off_the_ledger(connection)
    assert not off & {UUID(product["id"]) for product in (hot, *products)}
    return [check.detail for check in checks]


async def test_checkouts_and_a_cancellation_keep_every_check(
    connection: asyncpg.Connection, shop: Shop, ann: SignedInUser, bob: SignedInUser
) -> None:
    hot, other = await shop.product(stock=3), await shop.product(stock=10)
    await invariants.snapshot(connection)

    await shop.placed(ann, (hot, 2), (other, 1))
    cancelled = await shop.placed(bob, (other, 4))
    answer = await shop.client.post(f"/api/orders/{cancelled['id']}/cancel", headers=bob.headers)
    assert answer.status_code == 200, answer.text

    details = await _honest(connection, hot, other)
    # Both orders were placed; the cancelled one's units are back on the shelf.
    assert details[2] == (
        "0 mismatches; 2 orders placed, 3 units of 2 products net of 0 given back by picking"
    )


async def test_picking_short_and_substituting_keeps_every_check(
    connection: asyncpg.Connection, shop: Shop, ann: SignedInUser
) -> None:
    picker = Picker(shop)
    milk, eggs, bread, rolls = [await shop.product(stock=10) for _ in range(4)]
    await invariants.snapshot(connection)

    order = await picker.placed_by(ann, (milk, 3), (eggs, 2), (bread, 1))
    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=1)
    await picker.pick(order, 1, picked_quantity=2)
    substitute = {"product_id": rolls["id"], "quantity": 1}
    await picker.pick(order, 2, picked_quantity=0, substitute=substitute)
    await picker.complete(order)

    details = await _honest(connection, milk, eggs, bread, rolls)
    # Ordered 3 + 2 + 1, the roll taken in the bread's place; milk 2 and bread 1 given back.
    assert details[2] == (
        "0 mismatches; 1 orders placed, 4 units of 4 products net of 3 given back by picking"
    )
    assert [(await shop.now(p))["stock"] for p in (milk, eggs, bread, rolls)] == [9, 8, 10, 9]


async def test_bookings_holds_and_a_cancellation_keep_the_slot_checks(
    connection: asyncpg.Connection,
    shop: Shop,
    adapters: Adapters,
    ann: SignedInUser,
    bob: SignedInUser,
) -> None:
    places = Places(adapters)
    zone = await places.zone()
    slot = await places.slot(zone, capacity=2)
    hot = await shop.product(stock=5)
    await invariants.snapshot(connection)
    for customer in (ann, bob):
        await shop.fill(customer, (hot, 1))
        assert (
            await hold(shop.client, customer, slot, await places.address(customer, zone))
        ).status_code == 200
    placed = await checkout(shop.client, ann)
    assert placed.status_code == 201, placed.text
    answer = await shop.client.post(
        f"/api/orders/{placed.json()['id']}/cancel", headers=ann.headers
    )
    assert answer.status_code == 200, answer.text

    await _honest(connection, hot)  # the slot checks among every one passed
    assert await places.taken(slot) == (0, 1)


async def test_a_slot_held_past_its_capacity_or_booked_without_an_order_is_caught(
    connection: asyncpg.Connection,
    shop: Shop,
    adapters: Adapters,
    ann: SignedInUser,
    bob: SignedInUser,
) -> None:
    places = Places(adapters)
    zone = await places.zone()
    slot = await places.slot(zone, capacity=1)
    hot = await shop.product(stock=3)
    await invariants.snapshot(connection)
    for customer in (ann, bob):  # straight in, past the capacity
        await connection.execute(
            "INSERT INTO slot_holds (user_id, slot_id, held_until)"
            " VALUES ($1, $2, now() + interval '1 hour')",
            customer.id,
            slot.id,
        )
    assert await _failed(connection, UUID(hot["id"])) - {LEDGER} == {"no slot overbooked"}

    await connection.execute("DELETE FROM slot_holds WHERE slot_id = $1", slot.id)
    await connection.execute("UPDATE slots SET booked = 1 WHERE id = $1", slot.id)
    try:
        failed = await _failed(connection, UUID(hot["id"]))
        assert failed - {LEDGER} == {"slot bookings match live orders"}
    finally:
        await connection.execute("UPDATE slots SET booked = 0 WHERE id = $1", slot.id)


async def test_a_unit_gone_without_an_order_is_caught(
    connection: asyncpg.Connection, shop: Shop
) -> None:
    hot = await shop.product(stock=3)
    await invariants.snapshot(connection)

    await connection.execute("UPDATE products SET stock = stock - 1 WHERE id = $1", hot["id"])
    try:
        assert await _failed(connection, UUID(hot["id"])) == {
            "stock + units_sold conserved",
            "stock moved by exactly the units ordered and given back",
            LEDGER,
        }
        assert UUID(hot["id"]) in await invariants.off_the_ledger(connection)
    finally:  # the shelf as its ledger says, for the other tests' ledger checks
        await connection.execute("UPDATE products SET stock = stock + 1 WHERE id = $1", hot["id"])


async def test_a_movement_without_its_stock_change_is_caught(
    connection: asyncpg.Connection, shop: Shop
) -> None:
    hot = await shop.product(stock=3)
    await invariants.snapshot(connection)

    stray = await connection.fetchval(
        "INSERT INTO stock_movements (id, product_id, kind, quantity, stock_after, created_at)"
        " VALUES (gen_random_uuid(), $1, 'receipt', 2, 5, now()) RETURNING id",
        UUID(hot["id"]),
    )
    try:
        assert await _failed(connection, UUID(hot["id"])) == {LEDGER}
        assert UUID(hot["id"]) in await invariants.off_the_ledger(connection)
    finally:
        await connection.execute("DELETE FROM stock_movements WHERE id = $1", stray)


async def test_a_hot_product_counted_sold_past_its_stock_is_caught(
    connection: asyncpg.Connection, shop: Shop
) -> None:
    hot = await shop.product(stock=3)
    await invariants.snapshot(connection)

    await connection.execute(
        "UPDATE products SET units_sold = units_sold + 4 WHERE id = $1", hot["id"]
    )

    assert await _failed(connection, UUID(hot["id"])) - {LEDGER} == {
        "stock + units_sold conserved",
        "hot product not oversold",
    }


async def test_the_cpu_meter_finds_the_server_from_one_of_its_backends(
    connection: asyncpg.Connection,
) -> None:
    backend = await connection.fetchval("SELECT pg_backend_pid()")

    processes = cpu.postgres_tree(backend)

    assert processes is not None
    assert backend in {process.pid for process in processes()}
