"""Caps on what one request may ask for or send: page sizes, body sizes, and values far
outside what a shop holds. Each is refused with a 4xx, never a 5xx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from grocery.config import Settings
from tests.integration.catalog_shop import PROBLEM, Client
from tests.integration.conftest import MakeUser
from tests.security.shop import expect, open_shop, unique

PAGED = [
    ("/api/products", "anonymous"),
    ("/api/wishlist", "customer"),
    ("/api/orders", "customer"),
    ("/api/promo-codes", "manager"),
    ("/api/alerts/low-stock", "manager"),
    ("/api/admin/users", "admin"),
]


@pytest.mark.parametrize(("path", "caller"), PAGED)
async def test_page_size_is_capped_at_100(
    client: Client, make_user: MakeUser, path: str, caller: str
) -> None:
    shop = await open_shop(client, make_user)
    headers = shop.headers(caller)
    for limit in ("0", "-1", "101", "1000000", "ten", "1.5", "99999999999999999999"):
        response = await client.get(path, params={"limit": limit}, headers=headers)
        assert response.status_code == 422, f"limit={limit}: {response.text}"
        assert response.json()["code"] == "validation_error"
    page = await expect(client.get(path, params={"limit": "100"}, headers=headers), 200)
    assert len(page.json()["items"]) <= 100


async def test_report_rows_are_capped(client: Client, make_user: MakeUser) -> None:
    shop = await open_shop(client, make_user)
    for limit in ("0", "1001", "99999999999999999999"):
        response = await client.get(
            "/api/reports/sales-by-product", params={"limit": limit}, headers=shop.manager.headers
        )
        assert response.status_code == 422, f"limit={limit}: {response.text}"


@pytest.mark.parametrize(
    ("path", "caller"),
    [
        ("/api/auth/register", "anonymous"),
        ("/api/cart/items", "customer"),
        ("/api/products", "manager"),
    ],
)
async def test_a_body_over_the_limit_is_413(
    client: Client, make_user: MakeUser, settings: Settings, path: str, caller: str
) -> None:
    shop = await open_shop(client, make_user)
    padding = "x" * (settings.max_body_bytes + 1)
    response = await client.post(path, json={"name": padding}, headers=shop.headers(caller))
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_a_chunked_body_over_the_limit_is_413(
    client: Client, direct_client: httpx.AsyncClient, make_user: MakeUser, settings: Settings
) -> None:
    """No Content-Length to judge by: the server must count as it reads."""
    shop = await open_shop(client, make_user)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = await direct_client.post(
        "/api/categories",
        content=chunks(),
        headers={**shop.manager.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.text


def _outlandish(shop_ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any], str, int]]:
    huge, long_text = 10**30, "y" * 100_000
    product = shop_ids["product"]
    return [
        ("POST", "/api/categories", {"name": long_text}, "manager", 422),
        ("POST", "/api/categories", {"name": unique("c"), "slug": long_text}, "manager", 422),
        (
            "POST",
            "/api/products",
            {"name": long_text, "category_id": shop_ids["category"], "price": "1", "stock": 1},
            "manager",
            422,
        ),
        ("PATCH", f"/api/products/{product}", {"description": long_text * 5}, "manager", 422),
        ("PATCH", f"/api/products/{product}", {"stock": huge}, "manager", 422),
        ("PATCH", f"/api/products/{product}", {"stock": 2**31}, "manager", 422),
        ("PATCH", f"/api/products/{product}", {"stock": -1}, "manager", 422),
        ("PATCH", f"/api/products/{product}", {"price": "1e30"}, "manager", 422),
        ("PATCH", f"/api/products/{product}", {"price": "99999999999999999999.99"}, "manager", 422),
        ("PATCH", f"/api/products/{product}", {"price": "0.001"}, "manager", 422),
        ("PATCH", f"/api/products/{product}", {"price": 1e308}, "manager", 422),
        ("PATCH", f"/api/products/{product}", {"low_stock_threshold": huge}, "manager", 422),
        ("PATCH", f"/api/products/{product}", {"low_stock_threshold": 2**31}, "manager", 422),
        (
            "POST",
            "/api/promo-codes",
            {"code": long_text, "discount_type": "fixed", "value": "1"},
            "manager",
            422,
        ),
        (
            "POST",
            "/api/promo-codes",
            {"code": unique("H"), "discount_type": "fixed", "value": "1e30"},
            "manager",
            422,
        ),
        (
            "POST",
            "/api/promo-codes",
            {"code": unique("H"), "discount_type": "fixed", "value": "1", "max_uses": 2**31},
            "manager",
            422,
        ),
        (
            "POST",
            "/api/promo-codes",
            {
                "code": unique("H"),
                "discount_type": "fixed",
                "value": "1",
                "min_order_amount": "99999999999999999999",
                "max_uses_per_customer": huge,
            },
            "manager",
            422,
        ),
        (
            "POST",
            "/api/promo-codes",
            {
                "code": unique("H"),
                "discount_type": "percent",
                "value": "10",
                "expires_at": "9999-12-31T23:59:59Z",
                "starts_at": "0001-01-01T00:00:00Z",
            },
            "manager",
            201,  # far, but real dates
        ),
        ("POST", "/api/cart/items", {"product_id": product, "quantity": huge}, "customer", 422),
        ("PATCH", f"/api/cart/items/{product}", {"quantity": 2**31}, "customer", 422),
        ("PUT", "/api/cart/promo", {"code": long_text}, "customer", 422),
        ("POST", "/api/checkout", {"promo_code": long_text}, "customer", 422),
        (
            "POST",
            "/api/auth/login",
            {"username": long_text, "password": long_text},
            "anonymous",
            401,
        ),
        ("POST", "/api/auth/refresh", {"refresh_token": long_text}, "anonymous", 401),
    ]


async def test_outlandish_values_are_refused_not_crashed_on(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    for method, path, body, caller, status in _outlandish(shop.ids):
        response = await client.request(method, path, json=body, headers=shop.headers(caller))
        assert response.status_code == status, f"{method} {path} {list(body)}: {response.text}"
