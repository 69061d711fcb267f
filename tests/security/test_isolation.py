"""Another customer can neither see nor touch what is someone else's: orders, cart, wishlist."""

from __future__ import annotations

from tests.integration.catalog_shop import Client
from tests.integration.conftest import MakeUser
from tests.security.shop import Shop, expect, open_shop


async def _order_ids(client: Client, shop: Shop, caller: str, **params: str) -> set[str]:
    response = await expect(
        client.get("/api/orders", params={"limit": "100", **params}, headers=shop.headers(caller)),
        200,
    )
    return {order["id"] for order in response.json()["items"]}


async def test_order_lists_show_only_what_the_caller_may_see(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    order, customer = shop.ids["order"], shop.ids["customer"]
    assert order in await _order_ids(client, shop, "customer")
    assert order not in await _order_ids(client, shop, "other")
    # A customer can't borrow the managers' filter to read someone else's orders.
    assert order not in await _order_ids(client, shop, "other", customer=customer)
    assert order in await _order_ids(client, shop, "manager", customer=customer)
    assert order in await _order_ids(client, shop, "admin")


async def test_another_customer_cannot_cancel_or_move_an_order(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    order, other = shop.ids["order"], shop.other.headers
    await expect(client.post(f"/api/orders/{order}/cancel", headers=other), 404)
    await expect(
        client.patch(f"/api/orders/{order}", json={"status": "shipped"}, headers=other), 403
    )
    mine = await expect(client.get(f"/api/orders/{order}", headers=shop.customer.headers), 200)
    assert mine.json()["status"] == "placed"


async def test_another_customers_cart_and_wishlist_calls_touch_only_their_own(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    product, other = shop.ids["product"], shop.other.headers
    await expect(
        client.patch(f"/api/cart/items/{product}", json={"quantity": 9}, headers=other), 404
    )
    await expect(client.delete(f"/api/cart/items/{product}", headers=other), 404)
    await expect(client.delete("/api/cart", headers=other), 204)
    await expect(client.delete(f"/api/wishlist/{product}", headers=other), 404)
    cart = await expect(client.get("/api/cart", headers=shop.customer.headers), 200)
    assert [(line["product_id"], line["quantity"]) for line in cart.json()["items"]] == [
        (product, 1)
    ]
    wishes = await expect(client.get("/api/wishlist", headers=shop.customer.headers), 200)
    assert [item["product_id"] for item in wishes.json()["items"]] == [product]


async def test_user_ids_in_bodies_are_not_obeyed(client: Client, make_user: MakeUser) -> None:
    """The customer is always the caller: a user id in a body can't pick someone else's cart."""
    shop = await open_shop(client, make_user)
    other = shop.other.headers
    body = {"product_id": shop.ids["product"], "quantity": 1, "user_id": shop.ids["customer"]}
    await expect(client.post("/api/cart/items", json=body, headers=other), 201)
    cart = await expect(client.get("/api/cart", headers=shop.customer.headers), 200)
    assert cart.json()["items"][0]["quantity"] == 1
