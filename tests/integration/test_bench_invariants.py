"""bench/run's stock checks on real orders: they pass after honest checkouts and a
cancellation, and each catches the fault it is there for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest
from bench import cpu, invariants

from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser


@pytest.fixture
async def connection(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        yield connection
    finally:
        await connection.execute("DROP TABLE IF EXISTS bench_stock_before")
        await connection.close()


async def _failed(connection: asyncpg.Connection, hot: UUID) -> set[str]:
    return {check.name for check in await invariants.check(connection, hot) if not check.passed}


async def test_checkouts_and_a_cancellation_keep_every_check(
    connection: asyncpg.Connection, shop: Shop, ann: SignedInUser, bob: SignedInUser
) -> None:
    hot, other = await shop.product(stock=3), await shop.product(stock=10)
    await invariants.snapshot(connection)

    await shop.placed(ann, (hot, 2), (other, 1))
    cancelled = await shop.placed(bob, (other, 4))
    answer = await shop.client.post(f"/api/orders/{cancelled['id']}/cancel", headers=bob.headers)
    assert answer.status_code == 200, answer.text

    checks = await invariants.check(connection, UUID(hot["id"]))
    assert [check.passed for check in checks] == [True] * 4
    # Both orders were placed; the cancelled one's units are back on the shelf.
    assert checks[2].detail == "0 mismatches; 2 orders placed, 3 units of 2 products"


async def test_a_unit_gone_without_an_order_is_caught(
    connection: asyncpg.Connection, shop: Shop
) -> None:
    hot = await shop.product(stock=3)
    await invariants.snapshot(connection)

    await connection.execute("UPDATE products SET stock = stock - 1 WHERE id = $1", hot["id"])

    assert await _failed(connection, UUID(hot["id"])) == {
        "stock + units_sold conserved",
        "stock moved by exactly the units ordered",
    }


async def test_a_hot_product_counted_sold_past_its_stock_is_caught(
    connection: asyncpg.Connection, shop: Shop
) -> None:
    hot = await shop.product(stock=3)
    await invariants.snapshot(connection)

    await connection.execute(
        "UPDATE products SET units_sold = units_sold + 4 WHERE id = $1", hot["id"]
    )

    assert await _failed(connection, UUID(hot["id"])) == {
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
