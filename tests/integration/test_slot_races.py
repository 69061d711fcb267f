"""Holds and bookings that really race: requests sent at once over real sockets to `grocery
serve` (granian, two worker processes) on PostgreSQL. Each race runs several rounds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from grocery.entrypoints.wiring import Adapters
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import MakeUser, SignedInUser
from tests.integration.slot_shop import Places, hold
from tests.integration.test_races import customers, no_server_errors

ROUNDS = range(3)


@pytest.fixture
async def server(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=live_server, timeout=60, limits=limits) as racing:
        yield racing


@pytest.mark.parametrize("round_", ROUNDS)
async def test_forty_customers_race_for_five_places(
    round_: int, server: httpx.AsyncClient, adapters: Adapters, make_user: MakeUser
) -> None:
    places = Places(adapters)
    zone = await places.zone()
    slot = await places.slot(zone, capacity=5)
    crowd = await customers(make_user, 40)
    homes = [await places.address(customer, zone) for customer in crowd]

    answers = await asyncio.gather(
        *(hold(server, customer, slot, home) for customer, home in zip(crowd, homes, strict=True))
    )

    codes = no_server_errors(answers)
    assert (codes.count(200), codes.count(409)) == (5, 35)
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"slot_full"}
    assert await places.taken(slot) == (0, 5)


@pytest.mark.parametrize("round_", ROUNDS)
async def test_holders_check_out_together_while_a_crowd_tries_to_hold(
    round_: int, server: httpx.AsyncClient, adapters: Adapters, shop: Shop, make_user: MakeUser
) -> None:
    places = Places(adapters)
    zone = await places.zone()
    slot = await places.slot(zone, capacity=5)
    holders: list[SignedInUser] = await customers(make_user, 5)
    for holder in holders:  # each buys another product: no stock row puts them in a queue
        await shop.fill(holder, (await shop.product("20.00"), 1))
        assert (
            await hold(server, holder, slot, await places.address(holder, zone))
        ).status_code == 200
    crowd = await customers(make_user, 20)
    homes = [await places.address(customer, zone) for customer in crowd]

    answers = await asyncio.gather(
        *(checkout(server, holder) for holder in holders),
        *(hold(server, customer, slot, home) for customer, home in zip(crowd, homes, strict=True)),
    )

    codes = no_server_errors(answers)
    assert codes[:5] == [201] * 5
    assert codes[5:] == [409] * 20
    assert await places.taken(slot) == (5, 0)
