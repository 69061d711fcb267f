"""Managers picking the same order at once, over real sockets to `grocery serve` (two worker
processes) on PostgreSQL: stock is given back and taken exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID

import httpx
import pytest

from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.config import Settings
from grocery.entrypoints.wiring import Adapters
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import MakeUser, SignedInUser, app_in_this_loop
from tests.integration.database import until_waiting_on_locks
from tests.integration.picking_shop import Picker

ROUNDS = range(3)


@pytest.fixture
async def server(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as racing:
        yield racing


async def managers(make_user: MakeUser, count: int) -> list[SignedInUser]:
    return list(await asyncio.gather(*(make_user(role="manager") for _ in range(count))))


@pytest.mark.parametrize("round_", ROUNDS)
async def test_two_managers_completing_one_order_give_its_stock_back_once(
    round_: int, server: httpx.AsyncClient, shop: Shop, ann: SignedInUser, make_user: MakeUser
) -> None:
    picker = Picker(shop)
    milk, eggs = await shop.product(stock=10), await shop.product(stock=10)
    order = await picker.placed_by(ann, (milk, 6), (eggs, 4))
    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=1)
    await picker.pick(order, 1, picked_quantity=0)
    crew = await managers(make_user, 4)

    answers = await asyncio.gather(
        *(
            server.post(f"/api/orders/{order['id']}/picking/complete", headers=m.headers)
            for m in crew
        )
    )

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200, 409, 409, 409], [a.text for a in answers]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"not_picking"}
    assert [(await shop.now(p))["stock"] for p in (milk, eggs)] == [9, 10]
    assert [(await shop.now(p))["units_sold"] for p in (milk, eggs)] == [1, 0]
    await picker.assert_ledger_holds(milk, eggs)


@pytest.mark.parametrize("round_", ROUNDS)
async def test_managers_substituting_one_line_at_once_take_one_substitute(
    round_: int, server: httpx.AsyncClient, shop: Shop, ann: SignedInUser, make_user: MakeUser
) -> None:
    picker = Picker(shop)
    milk = await shop.product(stock=10)
    substitutes = [await shop.product(stock=5) for _ in range(4)]
    order = await picker.placed_by(ann, (milk, 3))
    await picker.start(order)
    crew = await managers(make_user, len(substitutes))
    path = f"/api/orders/{order['id']}/picks/{order['items'][0]['id']}"

    answers = await asyncio.gather(
        *(
            server.put(
                path,
                json={
                    "picked_quantity": 0,
                    "substitute": {"product_id": substitute["id"], "quantity": 2},
                },
                headers=manager.headers,
            )
            for manager, substitute in zip(crew, substitutes, strict=True)
        )
    )

    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    kept = (await picker.order(order))["items"][0]["substitute"]["product_id"]
    stock = {s["id"]: (await shop.now(s))["stock"] for s in substitutes}
    assert stock == {s["id"]: 3 if s["id"] == kept else 5 for s in substitutes}
    await picker.assert_ledger_holds(milk, *substitutes)
    done = await picker.complete(order)
    assert done["items"][0]["substitute"]["product_id"] == kept
    assert (await shop.now(milk))["stock"] == 10


async def test_managers_swapping_substitutes_opposite_ways_queue_instead_of_deadlocking(
    settings: Settings, adapters: Adapters, shop: Shop, ann: SignedInUser
) -> None:
    """Order one's substitute goes from a to b while order two's goes from b to a. A third
    transaction holds both rows until both re-picks wait; giving back before taking, each
    would then hold one row the other wants (PostgreSQL aborts one: a 409); locking both
    in id order, the second queues behind the first."""
    picker = Picker(shop)
    milk = await shop.product(stock=10)
    a, b = sorted([await shop.product(stock=10) for _ in range(2)], key=lambda p: p["id"])
    one, two = [await picker.placed_by(ann, (milk, 2)) for _ in range(2)]
    for order, substitute in ((one, a), (two, b)):
        await picker.start(order)
        await picker.pick(order, 0, picked_quantity=0, substitute=_units(substitute, 1))
    held, release = asyncio.Event(), asyncio.Event()

    async def hold_both() -> None:
        async with SqlUnitOfWork(adapters.database) as uow:
            assert len(await uow.stock.take({UUID(a["id"]): 1, UUID(b["id"]): 1})) == 2
            held.set()
            await release.wait()
            await uow.rollback()

    async with app_in_this_loop(settings) as client:
        racing = Picker(shop, client)
        holder = asyncio.create_task(hold_both())
        await held.wait()
        swaps = [
            asyncio.create_task(
                racing.try_pick(order, 0, picked_quantity=0, substitute=_units(s, 2))
            )
            for order, s in ((one, b), (two, a))
        ]
        await until_waiting_on_locks(adapters.database, 2)
        release.set()
        answers = await asyncio.gather(*swaps)
        await holder

    assert [answer.status_code for answer in answers] == [200, 200], [a.text for a in answers]
    assert [(await shop.now(p))["stock"] for p in (a, b)] == [8, 8]
    await picker.assert_ledger_holds(a, b)


def _units(product: dict[str, str], quantity: int) -> dict[str, object]:
    return {"product_id": product["id"], "quantity": quantity}
