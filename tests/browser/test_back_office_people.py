"""People and pictures in a real browser: a product added with a picture is in the
storefront with its image URL, an admin makes a customer a manager who can then sign in,
and the new screens (users, a product's pictures, a refused file, the 404 page) have no
serious or critical accessibility problem (axe-core), on a desktop and on a phone."""

from __future__ import annotations

import io
from typing import Any
from uuid import uuid4

import pytest
from PIL import Image

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


@pytest.fixture
async def manager(make_user: MakeUser) -> SignedInUser:
    return await make_user(role="manager")


@pytest.fixture
async def admin(make_user: MakeUser) -> SignedInUser:
    return await make_user(role="admin")


def a_png(width: int = 48, height: int = 32) -> dict[str, Any]:
    """A picture as Playwright chooses it in a file field."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="PNG")
    return {"name": "pear.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


async def add_product(page: Any) -> str:
    """A fresh category and a product in it, through the back office; the product's name."""
    await page.goto("/admin/categories")
    aisle = f"Orchard {uuid4().hex[:6]}"
    await page.get_by_label("Name").fill(aisle)
    await page.get_by_role("button", name="Add the category").click()
    await page.goto("/admin/products/new")
    name = f"Pear {uuid4().hex[:6]}"
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Category").select_option(label=aisle)
    await page.get_by_label("Price").fill("0.80")
    await page.get_by_label("Stock on the shelf").fill("40")
    await page.get_by_role("button", name="Add the product").click()
    assert await page.get_by_role("heading", level=1).inner_text() == name
    return name


async def test_a_product_added_with_a_picture_is_in_the_storefront(
    chromium: Any, live_server: str, manager: SignedInUser
) -> None:
    page = await open_page(chromium, live_server)
    await sign_in(page, manager.username, manager.password)
    name = await add_product(page)
    product_id = page.url.rstrip("/").rsplit("/", 1)[-1]

    await page.get_by_label("Picture", exact=True).set_input_files(a_png())
    await page.get_by_role("button", name="Upload the picture").click()
    assert "Picture added." in await page.inner_text("main")
    preview = page.get_by_role("img", name=f"{name}, picture 1")
    assert await preview.evaluate("img => img.complete && img.naturalWidth") == 48

    shown = await page.request.get(f"/api/products/{product_id}")
    assert shown.ok
    [image] = (await shown.json())["images"]
    assert await preview.get_attribute("src") == image["url"]
    served = await page.request.get(image["url"])
    assert served.ok and served.headers["content-type"] == "image/png"

    await page.get_by_role("button", name="Remove picture 1").click()
    assert "Picture removed." in await page.inner_text("main")
    assert (await (await page.request.get(f"/api/products/{product_id}")).json())["images"] == []


async def test_a_file_that_is_not_a_picture_is_named_next_to_the_field(
    chromium: Any, live_server: str, manager: SignedInUser
) -> None:
    page = await open_page(chromium, live_server)
    await sign_in(page, manager.username, manager.password)
    await add_product(page)
    not_a_picture = {"name": "pear.png", "mimeType": "image/png", "buffer": b"<svg></svg>"}
    await page.get_by_label("Picture", exact=True).set_input_files(not_a_picture)
    await page.get_by_role("button", name="Upload the picture").click()
    assert "JPEG, PNG and WebP" in await page.locator("#file-error").inner_text()
    assert await page.get_by_label("Picture", exact=True).get_attribute("aria-invalid") == "true"


async def test_an_admin_makes_a_customer_a_manager(
    chromium: Any, live_server: str, admin: SignedInUser, make_user: MakeUser
) -> None:
    shopper = await make_user()
    page = await open_page(chromium, live_server)
    await sign_in(page, admin.username, admin.password)
    await page.get_by_role("link", name="Users").click()
    await page.get_by_label("Username or email").fill(shopper.username)
    await page.get_by_role("button", name="Find").click()
    row = page.get_by_role("row").filter(has_text=shopper.username)
    await row.get_by_role("button", name="Make manager").click()
    assert f"{shopper.username} is now a manager." in await page.inner_text("main")
    assert "manager" in await page.get_by_role("row").filter(has_text=shopper.username).inner_text()

    promoted = await open_page(chromium, live_server)
    await sign_in(promoted, shopper.username, shopper.password)
    assert await promoted.get_by_role("heading", level=1).inner_text() == "Dashboard"
    assert await promoted.get_by_role("link", name="Users").count() == 0


async def test_an_admin_can_t_demote_themselves(
    chromium: Any, live_server: str, admin: SignedInUser
) -> None:
    page = await open_page(chromium, live_server)
    await sign_in(page, admin.username, admin.password)
    await page.goto(f"/admin/users?q={admin.username}")
    await page.get_by_role("button", name="Make manager (not admin)").click()
    assert "demote or disable themselves" in await page.get_by_role("alert").inner_text()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_the_new_screens_have_no_serious_accessibility_problem(
    chromium: Any, live_server: str, admin: SignedInUser, viewport: dict[str, int]
) -> None:
    """And a screenshot of each into build/screenshots, named after the screen and device."""
    device = "phone" if viewport is PHONE else "desktop"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await open_page(chromium, live_server, viewport)
    await sign_in(page, admin.username, admin.password)

    async def check(screen: str) -> None:
        assert await page.locator("h1").count() == 1, screen
        assert await serious_violations(page) == [], screen
        await page.screenshot(path=SCREENSHOTS / f"{screen}-{device}.png", full_page=True)

    await page.goto("/admin/users")
    await check("users")
    await add_product(page)
    await page.get_by_label("Picture", exact=True).set_input_files(a_png(640, 480))
    await page.get_by_role("button", name="Upload the picture").click()
    await check("product")
    refused = {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture"}
    await page.get_by_label("Picture", exact=True).set_input_files(refused)
    await page.get_by_role("button", name="Upload the picture").click()
    await check("product-refused-picture")
    answer = await page.goto("/admin/no-such-screen")
    assert answer.status == 404
    await check("not-found")
