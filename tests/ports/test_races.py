"""The ports' promises of atomicity, raced on the SQL adapters: each racer in a unit of work
of its own, on a connection of its own, all let go at once.

The memory adapters hold no locks (their units of work are meant for one use case at a
time), so these run on SQL only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from grocery.adapters.sql.database import Database
from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.core.ids import new_id
from grocery.core.orders import OrderStatus
from grocery.core.ports.unit_of_work import UnitOfWork
from tests.ports.shop import NOW, OpenWork, Seed, a_message, a_token, at

pytestmark = pytest.mark.integration

RACERS = 4  # the test database's pool size: every racer holds a connection at once


@pytest.fixture
def seed(sql_uow: OpenWork) -> Seed:
    return Seed(sql_uow)


async def _race(uow: OpenWork, attempt: Callable[[UnitOfWork], Awaitable[bool]]) -> int:
    """How many of RACERS concurrent units of work had `attempt` answer True, then committed."""
    start = asyncio.Barrier(RACERS)

    async def racer() -> bool:
        async with uow() as work:  # its transaction has begun on a connection of its own
            await start.wait()
            won = await attempt(work)
            await work.commit()
        return won

    return sum(await asyncio.wait_for(asyncio.gather(*(racer() for _ in range(RACERS))), 30))


async def test_of_concurrent_spends_of_one_token_exactly_one_wins(
    sql_uow: OpenWork, seed: Seed
) -> None:
    token = a_token(await seed.user())
    async with sql_uow() as work:
        await work.refresh_tokens.add(token)
        await work.commit()

    assert await _race(sql_uow, lambda work: work.refresh_tokens.spend(token.id, at(1))) == 1


async def test_of_concurrent_moves_out_of_one_status_exactly_one_wins(
    sql_uow: OpenWork, seed: Seed
) -> None:
    order = await seed.order(await seed.user(), (await seed.product(), 1))

    def cancel(work: UnitOfWork) -> Awaitable[bool]:
        return work.orders.move(
            order.id, to=OrderStatus.CANCELLED, allowed_from={OrderStatus.PLACED}, at=at(1)
        )

    assert await _race(sql_uow, cancel) == 1


async def test_concurrent_claims_stop_at_max_uses(sql_uow: OpenWork, seed: Seed) -> None:
    promo = await seed.promo(max_uses=RACERS - 1)

    assert await _race(sql_uow, lambda work: work.redemptions.claim(promo.id)) == RACERS - 1
    async with sql_uow() as work:
        stored = await work.promo_codes.get(promo.id)
    assert stored is not None
    assert stored.times_used == RACERS - 1


async def test_concurrent_adds_to_one_line_lose_nothing_and_keep_within_room(
    sql_uow: OpenWork, seed: Seed
) -> None:
    ann, apples = await seed.user(), await seed.product()

    async def add_two(work: UnitOfWork) -> bool:
        return await work.cart.add(ann.id, apples.id, 2, at=NOW, room=2 * RACERS - 1) is not None

    assert await _race(sql_uow, add_two) == RACERS - 1
    async with sql_uow() as work:
        [line] = (await work.shelf.in_cart(ann.id)).entries
    assert line.quantity == 2 * (RACERS - 1)


async def test_a_worker_claiming_due_messages_skips_those_another_holds(
    sql_uow: OpenWork,
) -> None:
    soonest, next_, last = a_message(at(-3)), a_message(at(-2)), a_message(at(-1))
    async with sql_uow() as work:
        for message in (soonest, next_, last):
            await work.outbox.add(message)
        await work.commit()

    async with sql_uow() as holder:
        held = await holder.outbox.claim_due(NOW, 2, kinds=["stock.low"])
        async with sql_uow() as other:  # answers at once, without waiting for the holder
            left = await asyncio.wait_for(other.outbox.claim_due(NOW, 5, kinds=["stock.low"]), 5)

    assert (held, left) == ([soonest, next_], [last])


async def test_of_concurrent_takes_of_one_guest_cart_exactly_one_gets_it(
    sql_uow: OpenWork, seed: Seed, ports_database: Database
) -> None:
    apples = await seed.product()
    cart_id = new_id()
    async with sql_uow() as work:
        await work.guest_carts.open(cart_id, "hash", at(0))
        await work.commit()
    async with SqlUnitOfWork(ports_database, for_guests=True) as work:
        await work.cart.add(cart_id, apples.id, 2, at=at(0), room=99)
        await work.commit()

    async def take(work: UnitOfWork) -> bool:
        taken = await work.guest_carts.take("hash", idle_since=at(-60))
        return taken is not None and len(taken.entries) == 1

    assert await _race(sql_uow, take) == 1
