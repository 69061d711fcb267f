"""Fields a client must not set, sent anyway: roles, prices, totals, statuses, counters."""

from __future__ import annotations

from uuid import uuid4

from tests.integration.catalog_shop import Client
from tests.integration.conftest import TEST_PASSWORD, MakeUser
from tests.security.shop import expect, open_shop, place_order, unique


async def test_sign_up_cannot_choose_a_role_or_state(client: Client) -> None:
    name = unique("climber")
    body = {
        "email": f"{name}@example.com",
        "username": name,
        "password": TEST_PASSWORD,
        "role": "admin",
        "is_active": False,
        "id": str(uuid4()),
        "created_at": "2000-01-01T00:00:00Z",
    }
    created = (await expect(client.post("/api/auth/register", json=body), 201)).json()
    assert created["role"] == "customer"
    assert created["id"] != body["id"]
    assert not created["created_at"].startswith("2000")
    pair = await expect(
        client.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD}), 200
    )
    headers = {"Authorization": f"Bearer {pair.json()['access_token']}"}
    await expect(client.get("/api/admin/users", headers=headers), 403)


async def test_admin_user_changes_take_only_role_and_is_active(
    client: Client, make_user: MakeUser
) -> None:
    admin, user = await make_user(role="admin"), await make_user()
    for extra in ({"password": "hijacked-password"}, {"email": "x@evil.test"}, {"username": "x"}):
        await expect(
            client.patch(f"/api/admin/users/{user.id}", json={**extra}, headers=admin.headers),
            422,
        )
    await expect(
        client.post("/api/auth/login", json={"username": user.username, "password": user.password}),
        200,
    )


async def test_products_ignore_computed_fields(client: Client, make_user: MakeUser) -> None:
    shop = await open_shop(client, make_user)
    staff, product = shop.manager.headers, shop.ids["product"]
    before = (await expect(client.get(f"/api/products/{product}"), 200)).json()
    sneaky = {"units_sold": 10_000, "in_stock": False, "id": str(uuid4()), "images": []}
    after = (
        await expect(client.patch(f"/api/products/{product}", json=sneaky, headers=staff), 200)
    ).json()
    assert {k: after[k] for k in ("id", "units_sold", "in_stock", "images")} == {
        k: before[k] for k in ("id", "units_sold", "in_stock", "images")
    }


async def test_the_cart_prices_from_the_catalog_not_the_body(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    body = {
        "product_id": shop.ids["product"],
        "quantity": 1,
        "unit_price": "0.01",
        "price": "0.01",
        "line_total": "0.01",
        "discount": "3.00",
    }
    cart = (
        await expect(client.post("/api/cart/items", json=body, headers=shop.other.headers), 201)
    ).json()
    assert (cart["items"][0]["unit_price"], cart["total"]) == ("3.00", "3.00")


async def test_checkout_sets_its_own_total_status_and_owner(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    products = await expect(client.get(f"/api/products/{shop.ids['product']}"), 200)
    order = await place_order(
        client,
        shop.other,
        products.json(),
        quantity=2,
        total="0.01",
        subtotal="0.01",
        discount="5.99",
        status="delivered",
        user_id=shop.ids["customer"],
        customer_id=shop.ids["customer"],
        currency="XXX",
    )
    assert (order["subtotal"], order["discount"], order["total"]) == ("6.00", "0.00", "6.00")
    assert (order["status"], order["currency"]) == ("placed", "USD")
    # The order is the caller's, not the customer the body named.
    await expect(client.get(f"/api/orders/{order['id']}", headers=shop.other.headers), 200)
    await expect(client.get(f"/api/orders/{order['id']}", headers=shop.customer.headers), 404)


async def test_promo_codes_keep_their_own_usage_count(client: Client, make_user: MakeUser) -> None:
    shop = await open_shop(client, make_user)
    staff = shop.manager.headers
    created = await expect(
        client.post(
            "/api/promo-codes",
            json={"code": unique("MA"), "discount_type": "fixed", "value": "1", "times_used": 50},
            headers=staff,
        ),
        201,
    )
    assert created.json()["times_used"] == 0
    product = (await expect(client.get(f"/api/products/{shop.ids['product']}"), 200)).json()
    await place_order(client, shop.other, product, promo_code=shop.ids["promo_code"])
    promo = shop.ids["promo"]
    await expect(
        client.patch(f"/api/promo-codes/{promo}", json={"times_used": 0}, headers=staff), 200
    )
    shown = (await expect(client.get(f"/api/promo-codes/{promo}", headers=staff), 200)).json()
    assert shown["times_used"] == 1


async def test_an_order_status_change_takes_only_the_status(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    order = shop.ids["order"]
    body = {"status": "processing", "total": "0.00", "items": [], "promo_code": "FREE"}
    changed = (
        await expect(
            client.patch(f"/api/orders/{order}", json=body, headers=shop.manager.headers), 200
        )
    ).json()
    assert (changed["status"], changed["total"], len(changed["items"])) == ("processing", "6.00", 1)
    assert changed["promo_code"] is None
    # A customer can't move their own order along.
    await expect(
        client.patch(
            f"/api/orders/{order}", json={"status": "shipped"}, headers=shop.customer.headers
        ),
        403,
    )


async def test_units_sold_comes_only_from_orders(client: Client, make_user: MakeUser) -> None:
    shop = await open_shop(client, make_user)
    product = (await expect(client.get(f"/api/products/{shop.ids['product']}"), 200)).json()
    # open_shop's order took two.
    assert (product["units_sold"], product["stock"]) == (2, 48)
