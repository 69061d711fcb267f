"""The wishlist over HTTP on PostgreSQL: idempotent adds, pages, move-to-cart, isolation."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import (
    Client,
    Json,
    add_product,
    assert_problem,
    picture,
    set_units_sold,
    tag,
)
from tests.integration.conftest import SignedInUser


@pytest.fixture
def product(client: Client, manager: SignedInUser, aisle: Json) -> Any:
    async def make(price: str = "2.50", stock: int = 10) -> Json:
        name = f"Item {tag()}"
        return await add_product(client, manager.headers, aisle, name, price=price, stock=stock)

    return make


async def wish(client: Client, user: SignedInUser, product: Json) -> Any:
    return await client.post(
        "/api/wishlist", json={"product_id": product["id"]}, headers=user.headers
    )


async def wishlist_of(client: Client, user: SignedInUser, **params: Any) -> Json:
    response = await client.get("/api/wishlist", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def wished_ids(wishlist: Json) -> list[str]:
    return [item["product_id"] for item in wishlist["items"]]


# --- who may ------------------------------------------------------------------

SOME_ID = "0190a000-0000-7000-8000-000000000000"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/wishlist"),
        ("POST", "/api/wishlist"),
        ("DELETE", f"/api/wishlist/{SOME_ID}"),
        ("POST", f"/api/wishlist/{SOME_ID}/move-to-cart"),
    ],
)
async def test_the_wishlist_needs_a_signed_in_caller(
    client: Client, method: str, path: str
) -> None:
    assert_problem(await client.request(method, path, json={}), 401, "not_authenticated")


# --- adding, listing, removing ------------------------------------------------


async def test_wishing_answers_201_then_200(
    client: Client, ann: SignedInUser, product: Any
) -> None:
    apples = await product("2.50", stock=0)

    first = await wish(client, ann, apples)
    again = await wish(client, ann, apples)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    item = first.json()
    assert item["product_id"] == apples["id"]
    assert item["product"] == {
        "id": apples["id"],
        "name": apples["name"],
        "slug": apples["slug"],
        "price": "2.50",
        "in_stock": False,
        "available": True,
        "image_url": None,
    }
    assert wished_ids(await wishlist_of(client, ann)) == [apples["id"]]


async def test_a_wished_product_shows_its_first_image(
    client: Client, ann: SignedInUser, manager: SignedInUser, product: Any
) -> None:
    apples = await product()
    uploaded = await client.post(
        f"/api/products/{apples['id']}/images",
        files={"file": ("apples.png", picture(), "image/png")},
        headers=manager.headers,
    )
    assert uploaded.status_code == 201, uploaded.text

    item = (await wish(client, ann, apples)).json()

    assert item["product"]["image_url"] == uploaded.json()["url"]


async def test_unknown_or_archived_products_cant_be_wished(
    client: Client, ann: SignedInUser, manager: SignedInUser, product: Any, adapters: Adapters
) -> None:
    archived = await product()
    await set_units_sold(adapters.database, archived, 1)
    await client.delete(f"/api/products/{archived['id']}", headers=manager.headers)

    for missing in (archived, {"id": str(uuid4())}):
        assert_problem(await wish(client, ann, missing), 404, "not_found")


async def test_a_wish_needs_a_product_id(client: Client, ann: SignedInUser) -> None:
    response = await client.post("/api/wishlist", json={}, headers=ann.headers)

    assert_problem(response, 422, "validation_error")


async def test_an_archived_wish_stays_listed_as_unavailable(
    client: Client, ann: SignedInUser, manager: SignedInUser, product: Any, adapters: Adapters
) -> None:
    apples = await product()
    await wish(client, ann, apples)

    await set_units_sold(adapters.database, apples, 1)
    await client.delete(f"/api/products/{apples['id']}", headers=manager.headers)

    (item,) = (await wishlist_of(client, ann))["items"]
    assert (item["product"]["available"], item["product"]["in_stock"]) == (False, False)


async def test_the_wishlist_pages_newest_first(
    client: Client, ann: SignedInUser, product: Any
) -> None:
    products = [await product() for _ in range(3)]
    for each in products:
        await wish(client, ann, each)

    first = await wishlist_of(client, ann, limit=2)
    second = await wishlist_of(client, ann, limit=2, cursor=first["next_cursor"])

    assert wished_ids(first) + wished_ids(second) == [p["id"] for p in reversed(products)]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("params", [{"limit": 101}, {"limit": 0}, {"cursor": "not-a-cursor"}])
async def test_bad_paging_is_422(client: Client, ann: SignedInUser, params: Json) -> None:
    response = await client.get("/api/wishlist", params=params, headers=ann.headers)

    assert_problem(response, 422, "validation_error")


async def test_removing_a_wish(client: Client, ann: SignedInUser, product: Any) -> None:
    apples = await product()
    await wish(client, ann, apples)

    first = await client.delete(f"/api/wishlist/{apples['id']}", headers=ann.headers)
    again = await client.delete(f"/api/wishlist/{apples['id']}", headers=ann.headers)

    assert first.status_code == 204
    assert_problem(again, 404, "not_found")
    assert (await wishlist_of(client, ann))["items"] == []


# --- moving to the cart -------------------------------------------------------


async def test_moving_to_the_cart(client: Client, ann: SignedInUser, product: Any) -> None:
    apples, pears = await product("2.00"), await product("3.00")
    await client.post(
        "/api/cart/items", json={"product_id": pears["id"], "quantity": 2}, headers=ann.headers
    )
    for each in (apples, pears):
        await wish(client, ann, each)

    moved = await client.post(f"/api/wishlist/{apples['id']}/move-to-cart", headers=ann.headers)
    grown = await client.post(f"/api/wishlist/{pears['id']}/move-to-cart", headers=ann.headers)

    assert moved.status_code == 200, moved.text
    assert grown.status_code == 200, grown.text
    cart = grown.json()
    assert {item["product_id"]: item["quantity"] for item in cart["items"]} == {
        pears["id"]: 3,
        apples["id"]: 1,
    }
    assert (cart["total"], cart["currency"]) == ("11.00", "USD")
    assert (await wishlist_of(client, ann))["items"] == []


async def test_moving_what_isnt_wished_is_404(
    client: Client, ann: SignedInUser, product: Any
) -> None:
    apples = await product()

    response = await client.post(f"/api/wishlist/{apples['id']}/move-to-cart", headers=ann.headers)

    assert_problem(response, 404, "not_found")


async def test_a_move_refused_for_stock_changes_neither_list(
    client: Client, ann: SignedInUser, product: Any
) -> None:
    apples = await product(stock=0)
    await wish(client, ann, apples)

    response = await client.post(f"/api/wishlist/{apples['id']}/move-to-cart", headers=ann.headers)

    assert_problem(response, 409, "insufficient_stock")
    assert wished_ids(await wishlist_of(client, ann)) == [apples["id"]]
    cart = await client.get("/api/cart", headers=ann.headers)
    assert cart.json()["items"] == []


# --- one customer, one wishlist -----------------------------------------------


async def test_no_customer_reads_or_changes_anothers_wishlist(
    client: Client, ann: SignedInUser, bob: SignedInUser, product: Any
) -> None:
    apples = await product()
    await wish(client, ann, apples)

    seen_by_bob = await wishlist_of(client, bob)
    deleted = await client.delete(f"/api/wishlist/{apples['id']}", headers=bob.headers)
    moved = await client.post(f"/api/wishlist/{apples['id']}/move-to-cart", headers=bob.headers)

    assert seen_by_bob["items"] == []
    assert_problem(deleted, 404, "not_found")
    assert_problem(moved, 404, "not_found")
    assert wished_ids(await wishlist_of(client, ann)) == [apples["id"]]
    bobs_cart = await client.get("/api/cart", headers=bob.headers)
    assert bobs_cart.json()["items"] == []


async def test_wishing_the_same_product_is_per_customer(
    client: Client, ann: SignedInUser, bob: SignedInUser, product: Any
) -> None:
    apples = await product()

    assert (await wish(client, ann, apples)).status_code == 201
    assert (await wish(client, bob, apples)).status_code == 201
