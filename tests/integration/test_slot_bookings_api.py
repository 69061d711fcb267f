"""The cart's slot, checkout with it, cancellation and the managers' plan of the day, over
HTTP on PostgreSQL. Zones, slots and addresses are set up through the SQL unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest

from grocery.config import Settings
from grocery.entrypoints.app import create_app
from grocery.entrypoints.wiring import Adapters, build_adapters
from tests.integration.catalog_shop import Client
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import MakeUser, SignedInUser
from tests.integration.slot_shop import Places, hold
from tests.integration.test_reports_api import place_at


@pytest.fixture
def places(adapters: Adapters) -> Places:
    return Places(adapters)


async def test_a_held_slot_shows_in_the_cart_with_its_fee_until_released(
    client: Client, shop: Shop, places: Places, ann: SignedInUser
) -> None:
    zone = await places.zone("4.99", free_delivery_over="50.00")
    slot, home = await places.slot(zone), await places.address(ann, zone)
    await shop.fill(ann, (await shop.product("12.00"), 1))

    held = await hold(client, ann, slot, home)

    assert held.status_code == 200, held.text
    cart = held.json()
    assert (cart["subtotal"], cart["delivery_fee"], cart["total"]) == ("12.00", "4.99", "16.99")
    fulfilment = cart["fulfilment"]
    assert fulfilment["method"] == "delivery"
    assert fulfilment["slot"] == {
        "id": str(slot.id),
        "starts_at": slot.starts_at.isoformat().replace("+00:00", "Z"),
        "ends_at": slot.ends_at.isoformat().replace("+00:00", "Z"),
    }
    assert (fulfilment["address_id"], fulfilment["pickup_point_id"]) == (str(home.id), None)
    assert await shop.cart(ann) == cart
    assert await places.taken(slot) == (0, 1)

    released = await client.delete("/api/cart/slot", headers=ann.headers)

    assert released.status_code == 204
    after = await shop.cart(ann)
    assert (after["fulfilment"], after["delivery_fee"], after["total"]) == (None, "0.00", "12.00")
    assert await places.taken(slot) == (0, 0)


async def test_booking_another_slot_releases_the_first(
    client: Client, places: Places, ann: SignedInUser
) -> None:
    zone = await places.zone()
    first, second = await places.slot(zone), await places.slot(zone, capacity=1)
    home = await places.address(ann, zone)

    assert (await hold(client, ann, first, home)).status_code == 200
    assert (await hold(client, ann, second, home)).status_code == 200

    assert (await places.taken(first), await places.taken(second)) == ((0, 0), (0, 1))


async def test_a_pickup_slot_is_held_without_an_address_and_costs_nothing(
    client: Client, shop: Shop, places: Places, ann: SignedInUser
) -> None:
    point = await places.point()
    slot = await places.slot(point)
    await shop.fill(ann, (await shop.product("3.00"), 1))

    cart = (await hold(client, ann, slot)).json()

    assert (cart["delivery_fee"], cart["total"]) == ("0.00", "3.00")
    assert cart["fulfilment"]["pickup_point_id"] == str(point.id)


async def test_refusals_name_their_code_and_hold_nothing(
    client: Client, places: Places, ann: SignedInUser, bob: SignedInUser
) -> None:
    zone, elsewhere = await places.zone(), await places.zone()
    full = await places.slot(zone, capacity=1)
    assert (await hold(client, bob, full, await places.address(bob, zone))).status_code == 200
    closed = await places.slot(
        zone, starts_at=datetime.now(UTC) + timedelta(minutes=30), cutoff_before=timedelta(hours=1)
    )
    open_ = await places.slot(zone)
    home, away = await places.address(ann, zone), await places.address(ann, elsewhere)

    answers = {
        "full": await hold(client, ann, full, home),
        "closed": await hold(client, ann, closed, home),
        "outside": await hold(client, ann, open_, away),
        "bobs_address": await hold(client, ann, open_, await places.address(bob, zone)),
        "no_address": await hold(client, ann, open_),
    }

    codes = {name: (a.status_code, a.json()["code"]) for name, a in answers.items()}
    assert codes == {
        "full": (409, "slot_full"),
        "closed": (422, "slot_closed"),
        "outside": (422, "not_delivered_here"),
        "bobs_address": (404, "not_found"),
        "no_address": (422, "validation_error"),
    }
    assert [await places.taken(slot) for slot in (full, closed, open_)] == [(0, 1), (0, 0), (0, 0)]
    unknown = await client.put(
        "/api/cart/slot", json={"slot_id": "not-a-uuid"}, headers=ann.headers
    )
    assert (unknown.status_code, unknown.json()["code"]) == (422, "validation_error")
    assert (await client.put("/api/cart/slot", json={"slot_id": str(full.id)})).status_code == 401


async def test_checkout_books_the_slot_copies_the_address_and_cancelling_frees_it(
    client: Client, shop: Shop, places: Places, ann: SignedInUser, manager: SignedInUser
) -> None:
    zone = await places.zone("3.50", min_order_amount="5.00")
    slot, home = await places.slot(zone, capacity=1), await places.address(ann, zone)
    await shop.fill(ann, (await shop.product("6.00"), 2))
    await hold(client, ann, slot, home)

    placed = await checkout(client, ann)

    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["subtotal"], order["delivery_fee"], order["total"]) == ("12.00", "3.50", "15.50")
    assert order["checkout_total"] == "15.50"
    fulfilment = order["fulfilment"]
    assert (fulfilment["method"], fulfilment["slot"]["id"]) == ("delivery", str(slot.id))
    assert fulfilment["address"]["id"] == str(home.id)
    assert fulfilment["address"]["postal_code"] == home.postal_code
    assert fulfilment["pickup_point"] is None
    assert await places.taken(slot) == (1, 0)
    assert (await shop.cart(ann))["fulfilment"] is None
    shown = await client.get(f"/api/orders/{order['id']}", headers=ann.headers)
    assert shown.json() == order

    cancelled = await client.post(f"/api/orders/{order['id']}/cancel", headers=ann.headers)

    assert cancelled.status_code == 200
    assert cancelled.json()["fulfilment"] == fulfilment
    assert await places.taken(slot) == (0, 0)


async def test_a_pickup_order_names_its_counter(
    client: Client, shop: Shop, places: Places, ann: SignedInUser
) -> None:
    point = await places.point("Market hall counter")
    await shop.fill(ann, (await shop.product("3.00"), 1))
    await hold(client, ann, await places.slot(point))

    order = (await checkout(client, ann)).json()

    assert order["fulfilment"]["pickup_point"] == {"id": str(point.id), "name": point.name}
    assert (order["fulfilment"]["address"], order["delivery_fee"]) == (None, "0.00")


async def test_goods_under_the_zones_minimum_are_refused_and_nothing_changes(
    client: Client, shop: Shop, places: Places, ann: SignedInUser
) -> None:
    zone = await places.zone(min_order_amount="20.00")
    slot = await places.slot(zone)
    apples = await shop.product("5.00", stock=10)
    await shop.fill(ann, (apples, 2))
    await hold(client, ann, slot, await places.address(ann, zone))

    refused = await checkout(client, ann)

    assert (refused.status_code, refused.json()["code"]) == (422, "min_order_not_met")
    assert (await shop.now(apples))["stock"] == 10
    assert await places.taken(slot) == (0, 1)
    assert len((await shop.cart(ann))["items"]) == 1


async def test_checkout_refuses_an_address_the_zones_moved_out_of_its_slot_s_zone(
    client: Client, shop: Shop, places: Places, ann: SignedInUser
) -> None:
    """After the hold, a manager adds a zone with a longer prefix of the address's postal
    code: the address is now that zone's, and the slot's zone no longer delivers to it."""
    zone = await places.zone()
    slot = await places.slot(zone)
    home = await places.address(ann, zone)
    apples = await shop.product("5.00", stock=10)
    await shop.fill(ann, (apples, 2))
    assert (await hold(client, ann, slot, home)).status_code == 200
    narrower = {"name": "Narrower", "postal_code_prefixes": [home.postal_code[:-1]], "fee": "1.00"}
    added = await client.post("/api/delivery-zones", json=narrower, headers=shop.manager.headers)
    assert added.status_code == 201, added.text

    refused = await checkout(client, ann)

    assert (refused.status_code, refused.json()["code"]) == (422, "not_delivered_here")
    assert (await shop.now(apples))["stock"] == 10
    assert await places.taken(slot) == (0, 1)
    assert len((await shop.cart(ann))["items"]) == 1
    deleted = await client.delete(
        f"/api/delivery-zones/{added.json()['id']}", headers=shop.manager.headers
    )
    assert deleted.status_code == 204
    placed = await checkout(client, ann)  # the slot's zone has the address again
    assert placed.status_code == 201, placed.text
    assert await places.taken(slot) == (1, 0)


async def test_managers_plan_the_day_by_slot_start(
    client: Client, shop: Shop, places: Places, make_user: MakeUser, manager: SignedInUser
) -> None:
    zone = await places.zone()
    day = datetime(2031, 3, 4, tzinfo=UTC)  # no other test books this day
    late, early = [await places.slot(zone, starts_at=day + timedelta(hours=h)) for h in (16, 9)]
    orders = []
    for slot in (late, early, late):
        customer = await make_user()
        await shop.fill(customer, (await shop.product("20.00"), 1))
        await hold(client, customer, slot, await places.address(customer, zone))
        orders.append((await checkout(client, customer)).json())
    await client.patch(
        f"/api/orders/{orders[2]['id']}", json={"status": "processing"}, headers=manager.headers
    )

    def listed(**params: Any) -> Any:
        return client.get("/api/orders", params=params, headers=manager.headers)

    everything = (await listed(slot_date="2031-03-04")).json()["items"]
    placed = (await listed(slot_date="2031-03-04", status="placed")).json()["items"]
    first_page = (await listed(slot_date="2031-03-04", limit=1)).json()
    second_page = await listed(slot_date="2031-03-04", limit=2, cursor=first_page["next_cursor"])

    ids = [order["id"] for order in orders]
    assert [order["id"] for order in everything] == [ids[1], *sorted(ids[::2])]
    assert [order["id"] for order in placed] == [ids[1], ids[0]]
    assert [order["id"] for order in second_page.json()["items"]] == sorted(ids[::2])
    assert (await listed(slot_date="2031-03-05")).json()["items"] == []
    customer = await make_user()
    forbidden = await client.get(
        "/api/orders", params={"slot_date": "2031-03-04"}, headers=customer.headers
    )
    assert forbidden.status_code == 403
    bad = await listed(slot_date="2031-02-30")
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")


async def test_sales_reports_count_revenue_without_the_delivery_fee(
    client: Client,
    shop: Shop,
    places: Places,
    ann: SignedInUser,
    manager: SignedInUser,
    adapters: Adapters,
) -> None:
    zone = await places.zone("4.00")
    await shop.fill(ann, (await shop.product("7.00"), 1))
    await hold(client, ann, await places.slot(zone), await places.address(ann, zone))
    order = (await checkout(client, ann)).json()
    assert order["total"] == "11.00"
    day = "2001-04-05"  # no other test sells on this day
    await place_at(adapters, order, f"{day}T12:00:00+00:00")

    response = await client.get(
        "/api/reports/sales-over-time", params={"from": day, "to": day}, headers=manager.headers
    )

    assert response.json()["items"] == [
        {"period": day, "orders": 1, "units": 1, "revenue": "7.00", "tax": "0.00"}
    ]


# --- under a clock of the test's own ------------------------------------------


@dataclass
class MovableClock:
    offset: timedelta = field(default_factory=timedelta)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@asynccontextmanager
async def shop_at(
    settings: Settings, clock: MovableClock, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The app in this loop on its own adapters, reading the time from `clock`."""
    tuned = msgspec.structs.replace(settings, **overrides)
    adapters = replace(build_adapters(tuned), clock=clock)
    app: Any = create_app(tuned, adapters)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as served:
            yield served
    finally:
        await adapters.database.dispose()


async def test_holds_run_out_and_checkout_takes_the_place_again_only_when_free(
    settings: Settings,
    adapters: Adapters,
    shop: Shop,
    places: Places,
    ann: SignedInUser,
    bob: SignedInUser,
) -> None:
    zone = await places.zone()
    slot = await places.slot(zone, capacity=1)
    await shop.fill(ann, (await shop.product("20.00"), 1))
    clock = MovableClock()
    async with shop_at(settings, clock, slot_hold_minutes=1) as served:
        ann_held = (await hold(served, ann, slot, await places.address(ann, zone))).json()
        bobs_home = await places.address(bob, zone)
        assert (await hold(served, bob, slot, bobs_home)).json()["code"] == "slot_full"
        clock.offset = timedelta(minutes=1)  # ann's hold runs out exactly now

        assert (await hold(served, bob, slot, bobs_home)).status_code == 200
        refused = await checkout(served, ann)
        assert (refused.status_code, refused.json()["code"]) == (409, "slot_full")
        assert await places.taken(slot, clock.now()) == (0, 1)

        assert (await served.delete("/api/cart/slot", headers=bob.headers)).status_code == 204
        placed = await checkout(served, ann)

    assert placed.status_code == 201, placed.text
    # Placed a minute ahead of the real clock: back to now, so that later tests that count
    # the orders placed since a moment of theirs (the bench invariants) don't count it.
    await place_at(adapters, placed.json(), datetime.now(UTC).isoformat())
    assert placed.json()["fulfilment"]["slot"]["id"] == str(slot.id)
    assert ann_held["fulfilment"]["held_until"] < placed.json()["created_at"]
    assert await places.taken(slot) == (1, 0)


async def test_a_shop_that_requires_a_slot_refuses_checkout_without_one(
    settings: Settings, shop: Shop, ann: SignedInUser
) -> None:
    await shop.fill(ann, (await shop.product(), 1))
    async with shop_at(settings, MovableClock(), require_slot=True) as served:
        refused = await checkout(served, ann)
    assert (refused.status_code, refused.json()["code"]) == (422, "slot_required")
    assert len((await shop.cart(ann))["items"]) == 1
