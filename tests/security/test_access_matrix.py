"""Every route x every kind of caller: nobody gets more than the contract allows.

Callers: anonymous, a customer who owns things, another customer, a manager and an admin.
Who may use each route is written down here once; a route the app serves that this table
doesn't name fails the completeness test, so a new route can't skip the matrix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any
from uuid import uuid4

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.integration.catalog_shop import PROBLEM, Client, picture
from tests.integration.conftest import TEST_PASSWORD, MakeUser
from tests.security.shop import CALLERS, DENIALS, Shop, open_shop, slot_in, unique


class Access(Enum):
    ANYONE = "anyone"  # the same answer whoever asks
    CART_HOLDER = "cart holder"  # as SIGNED_IN; a guest cart's token also lets its holder in
    SIGNED_IN = "signed in"  # each caller acts on their own things
    OWNER = "owner"  # the owner and staff; another customer gets 404
    OWN_ONLY = "own only"  # the owner; anyone else signed in, staff too, gets 404
    MANAGER = "manager"  # managers and admins
    ADMIN = "admin"


Body = Callable[[Shop], Any] | None


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {name} is filled from Shop.ids
    access: Access
    body: Body = None
    upload: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _register(_: Shop) -> dict[str, str]:
    name = unique("new")
    return {"email": f"{name}@example.com", "username": name, "password": TEST_PASSWORD}


def _product(shop: Shop) -> dict[str, Any]:
    return {"name": unique("P "), "category_id": shop.ids["category"], "price": "1", "stock": 1}


def _address(_: Shop) -> dict[str, Any]:
    return {
        "recipient": "Ada",
        "line1": "2 B St",
        "city": "Leeds",
        "postal_code": "LS1",
        "country": "GB",
    }


def _zone(_: Shop) -> dict[str, Any]:
    return {"name": "Zone", "postal_code_prefixes": [unique("Q").upper()[:16]], "fee": "1.00"}


def _pickup_point(_: Shop) -> dict[str, Any]:
    place = {"line1": "1 High St", "city": "Leeds", "postal_code": "LS1", "country": "GB"}
    return {"name": "Counter", "address": place}


def slot_in_zone(shop: Shop, hours: int) -> dict[str, Any]:
    return slot_in({"id": shop.ids["zone"]}, hours)


def _slot_batch(shop: Shop) -> dict[str, Any]:
    first = date.today() + timedelta(days=2)
    return {
        "method": "pickup",
        "pickup_point_id": shop.ids["pickup_point"],
        "from": first.isoformat(),
        "to": first.isoformat(),
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "windows": [{"start": "10:00", "end": "11:00"}],
        "capacity": 5,
        "cutoff_minutes": 0,
    }


ROUTES = [
    Route("GET", "/health/live", Access.ANYONE),
    Route("GET", "/health/ready", Access.ANYONE),
    # Off in these tests (404 for all); when on, its own bearer token, not a caller's role.
    Route("GET", "/metrics", Access.ANYONE),
    Route("POST", "/api/auth/register", Access.ANYONE, _register),
    Route(
        "POST",
        "/api/auth/login",
        Access.ANYONE,
        lambda s: {"username": s.spare.username, "password": TEST_PASSWORD},
    ),
    Route("POST", "/api/auth/refresh", Access.ANYONE, lambda _: {"refresh_token": "rt_forged"}),
    Route("POST", "/api/auth/logout", Access.ANYONE, lambda _: {"refresh_token": "rt_forged"}),
    Route("GET", "/api/auth/me", Access.SIGNED_IN),
    Route(
        "POST",
        "/api/auth/change-password",
        Access.SIGNED_IN,
        lambda _: {"current_password": TEST_PASSWORD, "new_password": TEST_PASSWORD},
    ),
    Route("POST", "/api/auth/password-reset", Access.ANYONE, lambda _: {"email": "x@example.com"}),
    Route(
        "POST",
        "/api/auth/password-reset/confirm",
        Access.ANYONE,
        lambda _: {"token": "forged", "new_password": TEST_PASSWORD},
    ),
    Route("POST", "/api/auth/verify-email", Access.ANYONE, lambda _: {"token": "forged"}),
    Route("POST", "/api/auth/verify-email/resend", Access.SIGNED_IN),
    Route("GET", "/api/admin/users", Access.ADMIN),
    Route("PATCH", "/api/admin/users/{spare}", Access.ADMIN, lambda _: {"role": "manager"}),
    Route("GET", "/api/categories", Access.ANYONE),
    Route("POST", "/api/categories", Access.MANAGER, lambda _: {"name": unique("Aisle ")}),
    Route("GET", "/api/categories/{category_slug}", Access.ANYONE),
    Route("PATCH", "/api/categories/{category}", Access.MANAGER, lambda _: {"name": unique("A ")}),
    Route("DELETE", "/api/categories/{empty_category}", Access.MANAGER),
    Route("GET", "/api/tax-classes", Access.ANYONE),
    Route(
        "POST", "/api/tax-classes", Access.MANAGER, lambda _: {"name": unique("Tax "), "rate": "5"}
    ),
    Route("PATCH", "/api/tax-classes/{tax_class}", Access.MANAGER, lambda _: {"rate": "6"}),
    Route("DELETE", "/api/tax-classes/{tax_class}", Access.MANAGER),
    Route("GET", "/api/products", Access.ANYONE),
    Route("POST", "/api/products", Access.MANAGER, _product),
    Route("GET", "/api/products/{product_slug}", Access.ANYONE),
    Route("PATCH", "/api/products/{product}", Access.MANAGER, lambda _: {"price": "2.00"}),
    Route("DELETE", "/api/products/{spare_product}", Access.MANAGER),
    Route("POST", "/api/products/{product}/images", Access.MANAGER, upload=True),
    Route("DELETE", "/api/products/{product}/images/{image}", Access.MANAGER),
    Route("GET", "/api/cart", Access.CART_HOLDER),
    Route("DELETE", "/api/cart", Access.CART_HOLDER),
    Route(
        "POST", "/api/cart/items", Access.CART_HOLDER, lambda s: {"product_id": s.ids["product"]}
    ),
    Route("PATCH", "/api/cart/items/{product}", Access.CART_HOLDER, lambda _: {"quantity": 3}),
    Route("DELETE", "/api/cart/items/{product}", Access.CART_HOLDER),
    Route("PUT", "/api/cart/promo", Access.CART_HOLDER, lambda s: {"code": s.ids["promo_code"]}),
    Route("DELETE", "/api/cart/promo", Access.CART_HOLDER),
    Route("PUT", "/api/cart/slot", Access.SIGNED_IN, lambda _: {"slot_id": str(uuid4())}),
    Route("DELETE", "/api/cart/slot", Access.SIGNED_IN),
    Route("POST", "/api/guest-carts", Access.ANYONE),
    Route("POST", "/api/cart/merge", Access.SIGNED_IN, lambda _: {"cart_token": "gc_forged"}),
    Route("POST", "/api/products/{product}/notify-me", Access.SIGNED_IN),
    Route("DELETE", "/api/products/{product}/notify-me", Access.SIGNED_IN),
    Route("GET", "/api/wishlist", Access.SIGNED_IN),
    Route("POST", "/api/wishlist", Access.SIGNED_IN, lambda s: {"product_id": s.ids["product"]}),
    Route("DELETE", "/api/wishlist/{product}", Access.SIGNED_IN),
    Route("POST", "/api/wishlist/{product}/move-to-cart", Access.SIGNED_IN),
    Route("GET", "/api/promo-codes", Access.MANAGER),
    Route(
        "POST",
        "/api/promo-codes",
        Access.MANAGER,
        lambda _: {"code": unique("C"), "discount_type": "fixed", "value": "1"},
    ),
    Route("GET", "/api/promo-codes/{promo}", Access.MANAGER),
    Route("PATCH", "/api/promo-codes/{promo}", Access.MANAGER, lambda _: {"is_active": False}),
    Route("DELETE", "/api/promo-codes/{promo}", Access.MANAGER),
    Route("POST", "/api/checkout", Access.SIGNED_IN),
    Route("GET", "/api/orders", Access.SIGNED_IN),
    Route("GET", "/api/orders/{order}", Access.OWNER),
    Route("POST", "/api/orders/{order}/cancel", Access.OWNER),
    Route("PATCH", "/api/orders/{order}", Access.MANAGER, lambda _: {"status": "processing"}),
    Route("POST", "/api/orders/{order}/picking", Access.MANAGER),
    Route(
        "PUT",
        "/api/orders/{order}/picks/{order_line}",
        Access.MANAGER,
        lambda _: {"picked_quantity": 1},
    ),
    Route("POST", "/api/orders/{order}/picking/complete", Access.MANAGER),
    Route(
        "POST",
        "/api/orders/{order}/refunds",
        Access.MANAGER,
        lambda _: {"amount": "0.01", "reason": "bruised"},
    ),
    Route("POST", "/api/payments/stripe/webhook", Access.ANYONE, lambda _: {"id": "evt_x"}),
    Route("GET", "/api/products/{product}/stock-movements", Access.MANAGER),
    Route(
        "POST",
        "/api/products/{product}/stock-movements",
        Access.MANAGER,
        lambda _: {"kind": "receipt", "quantity": 1},
    ),
    Route("GET", "/api/addresses", Access.SIGNED_IN),
    Route("POST", "/api/addresses", Access.SIGNED_IN, _address),
    Route("GET", "/api/addresses/{address}", Access.OWN_ONLY),
    Route("PATCH", "/api/addresses/{address}", Access.OWN_ONLY, lambda _: {"city": "Leeds"}),
    Route("DELETE", "/api/addresses/{address}", Access.OWN_ONLY),
    Route("GET", "/api/delivery-zones", Access.ANYONE),
    Route("GET", "/api/delivery-zones/{zone}", Access.ANYONE),
    Route("POST", "/api/delivery-zones", Access.MANAGER, _zone),
    Route("PATCH", "/api/delivery-zones/{zone}", Access.MANAGER, lambda _: {"fee": "2.00"}),
    Route("DELETE", "/api/delivery-zones/{spare_zone}", Access.MANAGER),
    Route("GET", "/api/pickup-points", Access.ANYONE),
    Route("GET", "/api/pickup-points/{pickup_point}", Access.ANYONE),
    Route("POST", "/api/pickup-points", Access.MANAGER, _pickup_point),
    Route("PATCH", "/api/pickup-points/{pickup_point}", Access.MANAGER, lambda _: {"name": "Desk"}),
    Route("DELETE", "/api/pickup-points/{spare_pickup_point}", Access.MANAGER),
    Route("GET", "/api/slots", Access.ANYONE),
    Route("GET", "/api/slots/{slot}", Access.ANYONE),
    Route("POST", "/api/slots", Access.MANAGER, lambda s: slot_in_zone(s, 40)),
    Route("POST", "/api/slots/batch", Access.MANAGER, _slot_batch),
    Route("PATCH", "/api/slots/{slot}", Access.MANAGER, lambda _: {"capacity": 4}),
    Route("DELETE", "/api/slots/{spare_slot}", Access.MANAGER),
    Route("GET", "/api/alerts/low-stock", Access.MANAGER),
    Route("GET", "/api/reports/sales-by-product", Access.MANAGER),
    Route("GET", "/api/reports/sales-by-category", Access.MANAGER),
    Route("GET", "/api/reports/sales-over-time", Access.MANAGER),
]

# Served, but not the API: the schema, its viewer and its files, and pictures (no secrets).
UNGUARDED_EXTRAS = {"/docs", "/docs/assets/{file_path}", "/media/{key}", "/schema"}


def is_back_office(path: str) -> bool:
    """The staff back office's pages: signed in with a session, not a bearer token, so
    they have a door of their own (tests/integration/back_office, test_declared_guards)."""
    return path == "/admin" or path.startswith("/admin/")


def _outcome(route: Route, caller: str) -> str:
    """What the caller must get: 'denied' (401/403), 'hidden' (404), 'served' (not turned
    away for who they are) or, on public routes, 'same for all'."""
    access = route.access
    if access is Access.ANYONE:
        return "same for all"
    if caller == "anonymous":
        return "denied"
    if access in (Access.SIGNED_IN, Access.CART_HOLDER):
        return "served"
    if access is Access.OWNER:
        return "hidden" if caller == "other" else "served"
    if access is Access.OWN_ONLY:
        return "served" if caller == "customer" else "hidden"
    if access is Access.MANAGER:
        return "served" if caller in ("manager", "admin") else "denied"
    return "served" if caller == "admin" else "denied"


async def _call(client: Client, shop: Shop, route: Route, caller: str) -> Any:
    path = route.path.format(**shop.ids)
    headers = shop.headers(caller)
    if route.upload:
        files = {"file": ("p.png", picture(), "image/png")}
        return await client.post(path, files=files, headers=headers)
    body = None if route.body is None else route.body(shop)
    return await client.request(route.method, path, json=body, headers=headers)


@pytest.mark.parametrize("route", ROUTES, ids=str)
async def test_no_caller_gets_more_than_the_contract_allows(
    client: Client, make_user: MakeUser, route: Route
) -> None:
    shop = await open_shop(client, make_user)
    answers: dict[str, tuple[int, str | None]] = {}
    for caller in CALLERS:
        response = await _call(client, shop, route, caller)
        assert response.status_code < 500, f"{caller}: {response.text}"
        code = None
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith(PROBLEM), response.text
            code = response.json()["code"]
        answers[caller] = (response.status_code, code)
        expected = _outcome(route, caller)
        if expected == "denied":
            wanted = (401, "not_authenticated") if caller == "anonymous" else (403, "forbidden")
            assert answers[caller] == wanted, f"{caller}: {response.text}"
        elif expected == "hidden":
            assert answers[caller] == (404, "not_found"), f"{caller}: {response.text}"
        elif expected == "served":
            assert code not in DENIALS, f"{caller} was turned away: {response.text}"
    if route.access is Access.ANYONE:
        assert len({status for status, _ in answers.values()}) == 1, answers


def _template(path: str) -> str:
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path).rstrip("/") or "/"


def test_the_matrix_names_every_route_the_app_serves(app: Litestar) -> None:
    served = {
        (method, _template(route.path))
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method in route.methods - {"OPTIONS", "HEAD"}
        if not _template(route.path).startswith("/schema/")
    }
    served = {(m, p) for m, p in served if p not in UNGUARDED_EXTRAS and not is_back_office(p)}
    # The table fills ids by role; the app names them by type, so compare the shapes.
    shape = re.compile(r"\{\w+\}")
    listed = {(r.method, shape.sub("{}", r.path)) for r in ROUTES}
    assert {(m, shape.sub("{}", p)) for m, p in served} == listed
