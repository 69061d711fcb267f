"""A small shop for attacking: five callers, an aisle, products, a picture, a promo code and
one order of the customer's. Everything is made over HTTP, the way a client would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from tests.integration.catalog_shop import Client, Json, add_category, add_product, picture, tag
from tests.integration.conftest import MakeUser, SignedInUser

CALLERS = ("anonymous", "other", "customer", "manager", "admin")
# A caller turned away for who they are (as opposed to what they asked) gets one of these.
DENIALS = {"not_authenticated", "invalid_token", "forbidden"}


@dataclass
class Shop:
    customer: SignedInUser  # owns the order, the cart line and the wishlist entry
    other: SignedInUser  # another customer
    manager: SignedInUser
    admin: SignedInUser
    spare: SignedInUser  # a user the admin routes act on
    ids: dict[str, str] = field(default_factory=dict)

    def headers(self, caller: str) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        user: SignedInUser = getattr(self, caller)
        return user.headers


async def open_shop(client: Client, make_user: MakeUser) -> Shop:
    shop = Shop(
        customer=await make_user(),
        other=await make_user(),
        manager=await make_user(role="manager"),
        admin=await make_user(role="admin"),
        spare=await make_user(),
    )
    staff = shop.manager.headers
    aisle = await add_category(client, staff)
    empty_aisle = await add_category(client, staff)
    product = await add_product(client, staff, aisle, f"Target {tag()}", price="3.00", stock=50)
    spare_product = await add_product(client, staff, aisle, f"Spare {tag()}", stock=5)
    image = await client.post(
        f"/api/products/{product['id']}/images",
        files={"file": ("p.png", picture(), "image/png")},
        headers=staff,
    )
    assert image.status_code == 201, image.text
    promo = await client.post(
        "/api/promo-codes",
        json={"code": f"SEC{tag()}", "discount_type": "percent", "value": "10"},
        headers=staff,
    )
    assert promo.status_code == 201, promo.text
    tax_class = await client.post(
        "/api/tax-classes", json={"name": f"Tax {tag()}", "rate": "20"}, headers=staff
    )
    assert tax_class.status_code == 201, tax_class.text
    order = await place_order(client, shop.customer, product, quantity=2)
    await expect(
        client.post(
            "/api/cart/items", json={"product_id": product["id"]}, headers=shop.customer.headers
        ),
        201,
    )
    await expect(
        client.post(
            "/api/wishlist", json={"product_id": product["id"]}, headers=shop.customer.headers
        ),
        201,
    )
    shop.ids.update(
        category=aisle["id"],
        category_slug=aisle["slug"],
        empty_category=empty_aisle["id"],
        product=product["id"],
        product_slug=product["slug"],
        spare_product=spare_product["id"],
        image=image.json()["id"],
        promo=promo.json()["id"],
        promo_code=promo.json()["code"],
        tax_class=tax_class.json()["id"],
        order=order["id"],
        order_line=order["items"][0]["id"],
        customer=str(shop.customer.id),
        spare=str(shop.spare.id),
    )
    return shop


async def place_order(
    client: Client, user: SignedInUser, product: Json, quantity: int = 1, **body: Any
) -> Json:
    await expect(
        client.post(
            "/api/cart/items",
            json={"product_id": product["id"], "quantity": quantity},
            headers=user.headers,
        ),
        201,
    )
    response = await client.post(
        "/api/checkout",
        json=body or None,
        headers={**user.headers, "Idempotency-Key": str(uuid4())},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def expect(pending: Any, status: int) -> Any:
    response = await pending
    assert response.status_code == status, response.text
    return response


def unique(prefix: str) -> str:
    return f"{prefix}{tag()}"
