"""The dashboard: takings today and this week, the 30 days' sales chart, what runs low."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from grocery.entrypoints.wiring import Adapters
from tests.integration.back_office.conftest import Browser
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import MakeUser, SignedInUser
from tests.integration.slot_shop import Places, hold

pytestmark = pytest.mark.integration


def figure(html: str, name: str) -> Decimal:
    found = re.search(rf'id="{name}">([0-9,.]+) USD<', html)
    assert found, name
    return Decimal(found.group(1).replace(",", ""))


async def test_takings_chart_and_low_stock(office: Browser, shop: Shop, ann: SignedInUser) -> None:
    before = (await office.get("/admin/")).text
    product = await shop.product(price="2.50", stock=12, threshold=10)
    order = await shop.placed(ann, (product, 4))

    after = await office.get("/admin/")
    assert after.status_code == 200
    paid = Decimal(order["total"])
    assert figure(after.text, "revenue-today") - figure(before, "revenue-today") == paid
    assert figure(after.text, "revenue-week") - figure(before, "revenue-week") == paid
    assert after.text.count('<circle class="point"') == 30
    assert product["name"] in after.text  # 12 -> 8, under its threshold of 10


async def test_today_s_and_tomorrow_s_orders_by_slot(
    office: Browser,
    client: Browser,
    shop: Shop,
    adapters: Adapters,
    make_user: MakeUser,
    manager: SignedInUser,
) -> None:
    places = Places(adapters)
    zone, counter = await places.zone(), await places.point("Back door")
    now = datetime.now(UTC).replace(second=0, microsecond=0)  # the test store's clock is UTC
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(10), UTC)
    later = datetime.combine(now.date() + timedelta(days=2), time(10), UTC)
    delivered, collected = (
        await places.slot(zone, starts_at=tomorrow),
        await places.slot(counter, starts_at=later),
    )
    booked = []
    for slot, place in ((delivered, zone), (delivered, zone), (collected, None)):
        customer = await make_user()
        await shop.fill(customer, (await shop.product(), 1))
        address = None if place is None else await places.address(customer, place)
        assert (await hold(client, customer, slot, address)).status_code == 200
        booked.append((await checkout(client, customer)).json())
    moved = await client.patch(
        f"/api/orders/{booked[1]['id']}", json={"status": "processing"}, headers=manager.headers
    )
    assert moved.status_code == 200
    today = datetime.combine(now.date(), time(0, 30), UTC)  # checkout books only upcoming slots
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE orders SET slot_starts_at = :starts, slot_ends_at = :ends WHERE id = :id"),
            {"starts": today, "ends": today + timedelta(hours=2), "id": booked[2]["id"]},
        )

    page = (await office.get("/admin/")).text
    tomorrow_row = re.search(rf'<tr id="slot-{delivered.id}">(.*?)</tr>', page, re.S)
    assert tomorrow_row and "1 placed, 1 processing" in tomorrow_row.group(1)
    assert f"{tomorrow:%Y-%m-%d} 10:00–12:00" in tomorrow_row.group(1)
    today_row = re.search(rf'<tr id="slot-{collected.id}">(.*?)</tr>', page, re.S)
    assert (
        today_row
        and "1 placed" in today_row.group(1)
        and "pickup at Back door" in today_row.group(1)
    )
    todays, tomorrows = page.index("Today's slots"), page.index("Tomorrow's slots")
    assert (
        todays < page.index(f"slot-{collected.id}") < tomorrows < page.index(f"slot-{delivered.id}")
    )
    assert f'href="/admin/orders?slot_date={tomorrow:%Y-%m-%d}"' in page


async def test_a_busy_slot_is_counted_whole(
    office: Browser, client: Browser, shop: Shop, adapters: Adapters, make_user: MakeUser
) -> None:
    """Past any page of orders: 150 booked in one slot are 150, not the first hundred."""
    places = Places(adapters)
    zone = await places.zone()
    tomorrow = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(14), UTC)
    slot = await places.slot(zone, starts_at=tomorrow)
    customer = await make_user()
    await shop.fill(customer, (await shop.product(), 1))
    assert (await hold(client, customer, slot, await places.address(customer, zone))).is_success
    order = (await checkout(client, customer)).json()
    async with adapters.database.engine.begin() as connection:  # 149 more like it, fast
        await connection.execute(
            text(
                "CREATE TEMP TABLE copies ON COMMIT DROP AS"
                " SELECT o.* FROM orders o, generate_series(1, 149) WHERE o.id = :id"
            ),
            {"id": order["id"]},
        )
        await connection.execute(text("UPDATE copies SET id = gen_random_uuid()"))
        await connection.execute(text("INSERT INTO orders SELECT * FROM copies"))

    try:
        page = (await office.get("/admin/")).text
    finally:  # copies without lines, booking or rollups: gone again, so the shop stays whole
        async with adapters.database.engine.begin() as connection:
            await connection.execute(
                text("DELETE FROM orders WHERE slot_id = :slot AND id <> :id"),
                {"slot": slot.id, "id": order["id"]},
            )
    row = re.search(rf'<tr id="slot-{slot.id}">(.*?)</tr>', page, re.S)
    assert row and "150 placed" in row.group(1)
