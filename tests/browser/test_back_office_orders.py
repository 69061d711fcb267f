"""Orders in the back office in a real browser: a manager on a phone picks an order with a
weighed line and a substitute found by name and sees the final bill; the orders list, an
order, the picking screen and the dashboard with tomorrow's slots have no serious or
critical accessibility problem (axe-core) on a desktop or a phone, each kept as a
screenshot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    open_page,
    serious_violations,
    sign_in,
)
from tests.integration.catalog_shop import add_category
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import MakeUser, SignedInUser
from tests.integration.picking_shop import Picker
from tests.integration.slot_shop import Places, hold

pytestmark = pytest.mark.integration

THUMB = 44  # px: the smallest touch target WCAG 2.5.5 asks for


@pytest.fixture
async def manager(make_user: MakeUser) -> SignedInUser:
    return await make_user(role="manager")


@pytest.fixture
async def picker(live_server: str, manager: SignedInUser) -> AsyncIterator[Picker]:
    """Shelves stocked and orders placed over the live server's API."""
    async with httpx.AsyncClient(base_url=live_server) as api:
        yield Picker(Shop(api, manager, await add_category(api, manager.headers)))


async def test_a_manager_picks_on_a_phone_and_sees_the_final_bill(
    chromium: Any, live_server: str, manager: SignedInUser, picker: Picker, make_user: MakeUser
) -> None:
    apples = await picker.weighed("4.00", "0.500")  # 2.00 a step
    pears = await picker.shop.product("3.00", stock=5)
    quinces = await picker.shop.product("2.50", stock=5)
    order = await picker.placed_by(await make_user(), (apples, 3), (pears, 2))
    apple_line, pear_line = (item["id"] for item in order["items"])

    page = await open_page(chromium, live_server, PHONE)
    await sign_in(page, manager.username, manager.password)
    await page.goto(f"/admin/orders/{order['id']}/picking")
    await page.get_by_role("button", name="Start picking").click()
    assert "Picking started." in await page.inner_text("main")

    row = page.locator(f"#line-{apple_line}")
    await row.get_by_label("Weight picked (kg)").fill("1.900")
    save = row.get_by_role("button", name=f"Save {apples['name']}")
    box = await save.bounding_box()
    assert box is not None and box["height"] >= THUMB and box["width"] > PHONE["width"] / 2
    await save.click()
    assert f"Picked {apples['name']}." in await page.inner_text("main")

    row = page.locator(f"#line-{pear_line}")
    assert await row.get_by_label("Substitute", exact=True).count() == 0  # folded till short
    await row.get_by_text("Short? Find a substitute").click()
    await row.get_by_label("Find a substitute by name").fill(quinces["name"].split()[-1])
    await row.get_by_role("button", name="Find").click()
    row = page.locator(f"#line-{pear_line}")
    await row.get_by_label("Picked (of 2)").fill("1")
    assert await row.get_by_label("Substitute", exact=True).input_value() == quinces["id"]
    await row.get_by_role("button", name=f"Save {pears['name']}").click()
    assert "Picked 1 + 1 × " + quinces["name"] in await page.inner_text(f"#line-{pear_line}")

    await page.get_by_role("button", name="Complete picking").click()
    billed = await picker.order(order)
    assert [item["final_line_total"] for item in billed["items"]] == ["6.60", "5.50"]
    assert await page.get_by_role("heading", name="Final bill").is_visible()
    assert await page.locator("#bill-total").inner_text() == f"{billed['total']} USD"
    assert quinces["name"] in await page.inner_text("#final-lines")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_the_order_screens_have_no_serious_accessibility_problem(
    chromium: Any,
    live_server: str,
    manager: SignedInUser,
    picker: Picker,
    make_user: MakeUser,
    adapters: Any,
    viewport: dict[str, int],
) -> None:
    """And a screenshot of each into build/screenshots, named after the screen and device."""
    device = "phone" if viewport is PHONE else "desktop"
    customer = await make_user()
    await picker.shop.fill(customer, (await picker.weighed(), 2), (await picker.shop.product(), 1))
    places = Places(adapters)
    zone = await places.zone()
    tomorrow = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(10), UTC)
    slot = await places.slot(zone, starts_at=tomorrow)
    held = await hold(picker.shop.client, customer, slot, await places.address(customer, zone))
    assert held.status_code == 200, held.text
    order = (await checkout(picker.shop.client, customer)).json()
    await picker.start(order)
    screens = {
        "dashboard-slots": "/admin/",
        "orders": "/admin/orders",
        "order": f"/admin/orders/{order['id']}",
        "picking": f"/admin/orders/{order['id']}/picking",
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await open_page(chromium, live_server, viewport)
    await sign_in(page, manager.username, manager.password)
    for name, screen in screens.items():
        await page.goto(screen)
        assert await page.locator("h1").count() == 1, screen
        assert await serious_violations(page) == [], screen
        await page.screenshot(path=SCREENSHOTS / f"{name}-{device}.png", full_page=True)
