"""A small shop for attacking: five callers, an aisle, products, a picture, a promo code and
one order of the customer's. Everything is made over HTTP, the way a client would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
    shop.ids.update(await _places(client, shop))
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


async def _places(client: Client, shop: Shop) -> dict[str, str]:
    """The customer's address, two delivery zones, two pickup points, two slots (the spares
    are deleted by the routes that delete)."""
    staff = shop.manager.headers
    address = await expect(
        client.post(
            "/api/addresses",
            json={
                "recipient": "Ada",
                "line1": "1 A St",
                "city": "London",
                "postal_code": "E1 6AN",
                "country": "GB",
            },
            headers=shop.customer.headers,
        ),
        201,
    )
    zones, points = [], []
    for _ in range(2):
        zone = {"name": f"Zone {tag()}", "postal_code_prefixes": [f"S{tag()}"], "fee": "1.00"}
        made = await expect(client.post("/api/delivery-zones", json=zone, headers=staff), 201)
        zones.append(made.json())
        point = {
            "name": f"Counter {tag()}",
            "address": {
                "line1": "1 High St",
                "city": "Leeds",
                "postal_code": "LS1",
                "country": "GB",
            },
        }
        placed = await expect(client.post("/api/pickup-points", json=point, headers=staff), 201)
        points.append(placed.json())
    slots = [
        (
            await expect(client.post("/api/slots", json=slot_in(zones[0], h), headers=staff), 201)
        ).json()
        for h in (30, 31)
    ]
    return {
        "address": address.json()["id"],
        "zone": zones[0]["id"],
        "spare_zone": zones[1]["id"],
        "pickup_point": points[0]["id"],
        "spare_pickup_point": points[1]["id"],
        "slot": slots[0]["id"],
        "spare_slot": slots[1]["id"],
    }


def slot_in(zone: Json, hours: int) -> Json:
    """A one-hour delivery slot starting `hours` from the last full hour."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)
    return {
        "method": "delivery",
        "zone_id": zone["id"],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "capacity": 3,
    }


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
