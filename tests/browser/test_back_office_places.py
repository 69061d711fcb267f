"""Where and when the shop hands groceries over, in a real browser: a manager opens a pickup
point and plans a week of slots there with the batch form, sees them in the week's grid with
their places left (and so does the public API), and every new screen is free of serious or
critical accessibility problems (axe-core), on a desktop and on a phone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    open_page,
    serious_violations,
    sign_in,
)
from tests.integration.conftest import MakeUser, SignedInUser

pytestmark = pytest.mark.integration

ADDRESS = {"line1": "1 Market St", "city": "Leeds", "postal_code": "LS1 1AA", "country": "GB"}


@pytest.fixture
async def manager(make_user: MakeUser) -> SignedInUser:
    return await make_user(role="manager")


def _next_monday() -> date:
    """A whole week ahead, so no slot of the batch has begun (the store's clock is UTC)."""
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday())


async def test_a_manager_plans_a_week_of_slots_in_one_batch(
    chromium: Any, live_server: str, manager: SignedInUser
) -> None:
    page = await open_page(chromium, live_server)
    await sign_in(page, manager.username, manager.password)

    await page.goto("/admin/pickup-points")
    counter = f"Market counter {uuid4().hex[:6]}"
    await page.get_by_label("Name").fill(counter)
    for label, value in [("Street address", "1 Market St"), ("Town or city", "Leeds")]:
        await page.get_by_label(label).fill(value)
    await page.get_by_label("Postal code").fill("LS1 1AA")
    await page.get_by_label("Country code").fill("GB")
    await page.get_by_role("button", name="Add the pickup point").click()
    assert f"Added {counter}." in await page.inner_text("main")

    monday = _next_monday()
    await page.goto("/admin/slots/batch")
    await page.get_by_label("Place", exact=True).select_option(label=counter)
    await page.get_by_label("From").fill(monday.isoformat())
    await page.get_by_label("To", exact=True).fill((monday + timedelta(days=6)).isoformat())
    await page.get_by_label("Sun").uncheck()  # closed on Sundays
    await page.get_by_label("Slot 1 starts").fill("09:00")
    await page.get_by_label("Slot 1 ends").fill("11:00")
    await page.get_by_label("Slot 2 starts").fill("17:00")
    await page.get_by_label("Slot 2 ends").fill("19:00")
    await page.get_by_label("Places in each slot").fill("4")
    await page.get_by_label("Booking closes").fill("120")
    await page.get_by_role("button", name="Add the slots").click()

    assert "Added 12 slots." in await page.inner_text("main")
    assert f"Week of {monday.isoformat()}" in await page.inner_text("caption")
    planned = page.locator("a.slot", has_text=counter)
    assert await planned.count() == 12
    assert await page.locator("a.slot", has_text="4 left").count() >= 12
    rows = page.locator(".week tbody tr")
    assert [await rows.nth(n).locator("th").inner_text() for n in range(2)] == [
        "09:00–11:00",
        "17:00–19:00",
    ]
    assert await rows.nth(0).locator("td").nth(6).locator("a.slot").count() == 0  # Sunday

    point_id = (await planned.first.get_attribute("href") or "").rsplit("/", 1)[-1]
    shown = await page.request.get(f"/api/slots/{point_id}")
    pickup_point = (await shown.json())["pickup_point_id"]
    listed = await page.request.get(f"/api/slots?pickup_point_id={pickup_point}&limit=100")
    slots = (await listed.json())["items"]
    assert len(slots) == 12
    assert {(s["capacity"], s["booked"], s["held"], s["remaining"]) for s in slots} == {
        (4, 0, 0, 4)
    }

    await planned.first.click()
    assert await page.locator("#remaining").inner_text() == "4"
    await page.get_by_label("Places", exact=True).fill("0")
    await page.get_by_role("button", name="Save").click()
    assert await page.get_by_label("Places", exact=True).get_attribute("aria-invalid") == "true"
    assert "between 1 and" in await page.locator("#capacity-error").inner_text()


async def _places_screens(page: Any, manager: SignedInUser) -> dict[str, str]:
    """A zone, a counter with a slot and a tax class made over the API; the screens showing them."""

    async def made(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await page.request.post(path, data=body, headers=manager.headers)
        assert answer.status == 201, await answer.text()
        found: dict[str, Any] = await answer.json()
        return found

    tag = uuid4().hex[:6]
    zone = await made(
        "/api/delivery-zones",
        {"name": f"Zone {tag}", "postal_code_prefixes": [f"Q{tag.upper()}"], "fee": "3.50"},
    )
    point = await made("/api/pickup-points", {"name": f"Counter {tag}", "address": ADDRESS})
    starts = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    slot = await made(
        "/api/slots",
        {
            "method": "pickup",
            "pickup_point_id": point["id"],
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 5,
        },
    )
    tax_class = await made("/api/tax-classes", {"name": f"Rate {tag}", "rate": "7.5"})
    return {
        "slots": f"/admin/slots?week={starts.date().isoformat()}",
        "slots-new": "/admin/slots/new",
        "slots-batch": "/admin/slots/batch",
        "slot": f"/admin/slots/{slot['id']}",
        "delivery-zones": "/admin/delivery-zones",
        "delivery-zone": f"/admin/delivery-zones/{zone['id']}",
        "pickup-points": "/admin/pickup-points",
        "pickup-point": f"/admin/pickup-points/{point['id']}",
        "tax-classes": "/admin/tax-classes",
        "tax-class": f"/admin/tax-classes/{tax_class['id']}",
    }


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_every_places_screen_has_no_serious_accessibility_problem(
    chromium: Any, live_server: str, manager: SignedInUser, viewport: dict[str, int]
) -> None:
    """And a screenshot of each into build/screenshots, named after the screen and device."""
    device = "phone" if viewport is PHONE else "desktop"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await open_page(chromium, live_server, viewport)
    await sign_in(page, manager.username, manager.password)
    for name, screen in (await _places_screens(page, manager)).items():
        await page.goto(screen)
        assert await page.locator("h1").count() == 1, screen
        assert await serious_violations(page) == [], screen
        await page.screenshot(path=SCREENSHOTS / f"{name}-{device}.png", full_page=True)
    await page.goto("/admin/slots/batch")
    await page.get_by_label("Places in each slot").fill("4")
    await page.get_by_role("button", name="Add the slots").click()  # no place, no times
    assert await page.locator("#place-error").is_visible()
    assert await page.get_by_label("Place", exact=True).get_attribute("aria-invalid") == "true"
    assert await serious_violations(page) == [], "the batch form with its errors"
