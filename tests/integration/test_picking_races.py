"""Managers picking the same order at once, over real sockets to `grocery serve` (two worker
processes) on PostgreSQL: stock is given back and taken exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.checkout_shop import Shop
from tests.integration.conftest import MakeUser, SignedInUser
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
