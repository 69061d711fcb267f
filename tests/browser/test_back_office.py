"""The back office in a real browser: staff in, customers and forged forms out, a product
added and its stock received, the reports' CSV downloaded, and every screen free of
serious or critical accessibility problems (axe-core), on a desktop and on a phone."""

from __future__ import annotations

import csv
import io
from pathlib import Path
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

SCREENS = [
    "/admin/",
    "/admin/products",
    "/admin/products/new",
    "/admin/categories",
    "/admin/promo-codes",
    "/admin/promo-codes/new",
    "/admin/alerts",
    "/admin/reports",
]


@pytest.fixture
async def manager(make_user: MakeUser) -> SignedInUser:
    return await make_user(role="manager")


async def test_a_manager_adds_a_product_and_receives_stock(
    chromium: Any, live_server: str, manager: SignedInUser
) -> None:
    page = await open_page(chromium, live_server)
    await sign_in(page, manager.username, manager.password)
    assert await page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    assert await page.locator("circle.point").count() == 30

    await page.goto("/admin/categories")
    aisle = f"Pantry {uuid4().hex[:6]}"
    await page.get_by_label("Name").fill(aisle)
    await page.get_by_role("button", name="Add the category").click()
    assert f"Added {aisle}." in await page.inner_text("main")

    await page.goto("/admin/products/new")
    name = f"Oat milk {uuid4().hex[:6]}"
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Category").select_option(label=aisle)
    await page.get_by_label("Price").fill("2.40")
    await page.get_by_label("Stock on the shelf").fill("6")
    await page.get_by_role("button", name="Add the product").click()
    assert await page.get_by_role("heading", level=1).inner_text() == name

    await page.get_by_label("Movement").select_option("receipt")
    await page.get_by_label("Quantity").fill("24")
    await page.get_by_label("Note").fill("delivery 41")
    await page.get_by_role("button", name="Record").click()
    assert await page.locator("#stock").inner_text() == "30"
    first = await page.locator("#movements tbody tr").first.inner_text()
    assert "receipt" in first and "+24" in first and "delivery 41" in first

    await page.goto(f"/admin/products?q={name.split()[-1]}")
    assert await page.get_by_role("link", name=name).count() == 1


async def test_a_wrong_price_is_shown_next_to_its_field(
    chromium: Any, live_server: str, manager: SignedInUser
) -> None:
    page = await open_page(chromium, live_server)
    await sign_in(page, manager.username, manager.password)
    await page.goto("/admin/products/new")
    await page.get_by_label("Name").fill("Broken")
    await page.get_by_label("Price").fill("cheap")
    await page.get_by_label("Stock on the shelf").fill("1")
    await page.get_by_role("button", name="Add the product").click()
    assert await page.locator("#category_id-error").inner_text() == "is required"
    await page.get_by_label("Category").select_option(index=1)
    await page.get_by_role("button", name="Add the product").click()
    assert await page.locator("#price-error").is_visible()
    assert await page.get_by_label("Price").get_attribute("aria-invalid") == "true"
    assert await page.get_by_label("Price").input_value() == "cheap"


async def test_a_customer_is_turned_away(
    chromium: Any, live_server: str, make_user: MakeUser
) -> None:
    customer = await make_user()
    page = await open_page(chromium, live_server)
    await sign_in(page, customer.username, customer.password)
    assert "managers and admins" in await page.inner_text("#password-error")
    await page.goto("/admin/")
    assert "/admin/sign-in?next=/admin" in page.url


async def test_a_forged_csrf_token_is_refused(
    chromium: Any, live_server: str, manager: SignedInUser
) -> None:
    page = await open_page(chromium, live_server)
    await page.goto("/admin/sign-in")
    await page.locator("input[name=_csrf_token]").evaluate("input => input.value = 'forged'")
    await page.get_by_label("Username").fill(manager.username)
    await page.get_by_label("Password").fill(manager.password)
    await page.get_by_role("button", name="Sign in").click()
    assert await page.get_by_role("heading", level=1).inner_text() == "Form refused"
    await page.goto("/admin/")
    assert "/admin/sign-in" in page.url


async def test_a_report_downloads_as_csv(
    chromium: Any, live_server: str, manager: SignedInUser, tmp_path: Path
) -> None:
    page = await open_page(chromium, live_server)
    await sign_in(page, manager.username, manager.password)
    await page.goto("/admin/reports")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Download CSV", exact=True).first.click()
    download = await waiting.value
    assert download.suggested_filename.startswith("sales-over-time-")
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text())))
    assert rows[0] == ["period", "orders", "units", "revenue", "tax"]
    assert len(rows) == 31  # the header and the last 30 days


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_every_screen_has_no_serious_accessibility_problem(
    chromium: Any, live_server: str, manager: SignedInUser, viewport: dict[str, int]
) -> None:
    """And a screenshot of each into build/screenshots, named after the screen and device."""
    device = "phone" if viewport is PHONE else "desktop"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await open_page(chromium, live_server, viewport)
    await page.goto("/admin/sign-in")
    assert await serious_violations(page) == [], "/admin/sign-in"
    await sign_in(page, manager.username, manager.password)
    for screen in SCREENS:
        await page.goto(screen)
        assert await page.locator("h1").count() == 1, screen
        assert await serious_violations(page) == [], screen
        name = screen.removeprefix("/admin").strip("/").replace("/", "-") or "dashboard"
        await page.screenshot(path=SCREENSHOTS / f"{name}-{device}.png", full_page=True)


async def test_a_page_that_breaks_the_policy_is_caught(
    chromium: Any, live_server: str, refusals: list[str]
) -> None:
    """The watch every browser test keeps: an inline script and a picture from elsewhere are
    refused by the browser, and each refusal is reported."""
    page = await open_page(chromium, live_server)
    await page.goto("/admin/sign-in")
    await page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "document.title = 'taken'";
          document.body.append(script);
          const picture = document.createElement("img");
          picture.src = "https://elsewhere.invalid/pixel.png";
          document.body.append(picture);
        }"""
    )
    await page.wait_for_timeout(300)  # the refusals are reported as events, after the fact
    assert await page.title() != "taken"
    assert any("script-src" in refusal for refusal in refusals), refusals
    assert any("elsewhere.invalid" in refusal for refusal in refusals), refusals
    refusals.clear()  # caught as meant: the watch's own check has nothing left to find
