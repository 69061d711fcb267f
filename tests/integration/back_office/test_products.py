"""Products in the back office: find, create, edit, archive, receive and adjust stock."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from tests.integration.back_office.conftest import Browser, submit
from tests.integration.catalog_shop import Json, add_category, add_product
from tests.integration.conftest import SignedInUser

pytestmark = pytest.mark.integration


def product_id_in(location: str) -> str:
    found = re.fullmatch(r"/admin/products/([0-9a-f-]{36})", location)
    assert found, location
    return found.group(1)


async def test_search_and_category_filter_find_products(
    office: Browser, aisle: Json, manager: SignedInUser
) -> None:
    word = f"quince{uuid4().hex[:6]}"
    await add_product(office, manager.headers, aisle, f"Golden {word}")
    other = await add_category(office, manager.headers)
    await add_product(office, manager.headers, other, f"Red {word}")

    found = await office.get("/admin/products", params={"q": word})
    assert found.status_code == 200
    assert f"Golden {word}" in found.text and f"Red {word}" in found.text
    filtered = await office.get("/admin/products", params={"q": word, "category": aisle["slug"]})
    assert f"Golden {word}" in filtered.text and f"Red {word}" not in filtered.text


async def test_the_list_pages_with_the_api_s_cursors(
    office: Browser, aisle: Json, manager: SignedInUser
) -> None:
    for number in range(27):
        await add_product(office, manager.headers, aisle, f"Tin {number:02d}")
    first = await office.get("/admin/products", params={"category": aisle["slug"]})
    following = re.search(r'rel="next" href="([^"]+)"', first.text)
    assert following, "a next-page link"
    second = await office.get(following.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert "Tin 00" in first.text and "Tin 24" in first.text and "Tin 25" not in first.text
    assert "Tin 25" in second.text and "Tin 26" in second.text and "Tin 00" not in second.text
    assert 'rel="next"' not in second.text


async def test_a_forged_cursor_is_a_page_not_a_crash(office: Browser) -> None:
    answer = await office.get("/admin/products", params={"cursor": "not-a-cursor!"})
    assert answer.status_code == 422 and "text/html" in answer.headers["content-type"]


async def test_a_product_added_here_is_in_the_storefront(
    office: Browser, client: Browser, aisle: Json
) -> None:
    name = f"Fig jam {uuid4().hex[:6]}"
    added = await submit(
        office,
        "/admin/products/new",
        "/admin/products",
        name=name,
        category_id=aisle["id"],
        price="3.75",
        stock=12,
        unit="piece",
        sold_by="each",
    )
    assert added.status_code == 303, added.text
    product_id = product_id_in(added.headers["location"])
    shown = await office.get(added.headers["location"])
    assert f"Added {name}." in shown.text and "initial" in shown.text

    storefront = await client.get(f"/api/products/{product_id}")
    assert storefront.status_code == 200
    assert storefront.json()["price"] == "3.75" and storefront.json()["stock"] == 12


async def test_form_errors_are_shown_next_to_their_fields(office: Browser, aisle: Json) -> None:
    refused = await submit(
        office,
        "/admin/products/new",
        "/admin/products",
        name="",
        category_id=aisle["id"],
        price="cheap",
        stock="a dozen",
    )
    assert refused.status_code == 422
    assert 'id="stock-error"' in refused.text and "must be a whole number" in refused.text
    refused = await submit(
        office,
        "/admin/products/new",
        "/admin/products",
        name="",
        category_id=aisle["id"],
        price="cheap",
        stock=3,
    )
    assert refused.status_code == 422
    assert 'id="name-error"' in refused.text and 'id="price-error"' in refused.text
    assert 'value="cheap"' in refused.text  # what was typed stays


async def test_edit_then_archive(
    office: Browser, client: Browser, aisle: Json, manager: SignedInUser
) -> None:
    product = await add_product(office, manager.headers, aisle, f"Plum {uuid4().hex[:6]}")
    page = f"/admin/products/{product['id']}"
    saved = await submit(
        office,
        page,
        page,
        name=product["name"],
        category_id=aisle["id"],
        price="4.20",
        unit="piece",
        sold_by="each",
    )
    assert saved.status_code == 303
    assert (await client.get(f"/api/products/{product['id']}")).json()["price"] == "4.20"

    refused = await submit(
        office, page, page, name="x" * 500, category_id=aisle["id"], price="4.20"
    )
    assert refused.status_code == 422 and 'id="name-error"' in refused.text

    archived = await submit(office, page, f"{page}/archive")
    assert archived.status_code == 303 and archived.headers["location"] == "/admin/products"
    assert (await client.get(f"/api/products/{product['id']}")).status_code == 404


async def test_receiving_and_adjusting_stock_are_movements(
    office: Browser, client: Browser, aisle: Json, manager: SignedInUser
) -> None:
    product = await add_product(office, manager.headers, aisle, f"Pear {uuid4().hex[:6]}", stock=5)
    page = f"/admin/products/{product['id']}"
    received = await submit(
        office, page, f"{page}/stock", kind="receipt", quantity=20, note="pallet 7"
    )
    assert received.status_code == 303
    shown = await office.get(page)
    assert "Recorded a receipt of +20; stock is 25." in shown.text
    assert "pallet 7" in shown.text and 'id="stock">25<' in shown.text

    too_many = await submit(office, page, f"{page}/stock", kind="adjustment", quantity=-99)
    assert too_many.status_code == 409
    assert 'class="error"' in too_many.text
    bad = await submit(office, page, f"{page}/stock", kind="receipt", quantity=-3)
    assert bad.status_code == 422 and 'id="quantity-error"' in bad.text

    movements = await client.get(
        f"/api/products/{product['id']}/stock-movements", headers=manager.headers
    )
    assert [(m["kind"], m["quantity"]) for m in movements.json()["items"]] == [
        ("receipt", 20),
        ("initial", 5),
    ]
