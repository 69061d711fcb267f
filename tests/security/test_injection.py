"""SQL (and full-text query) metacharacters wherever a client can put text: query strings,
path ids, cursors and bodies. The answer is a 4xx or a normal one, never a 5xx, and the
data is still all there afterwards."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.integration.catalog_shop import PROBLEM, Client
from tests.integration.conftest import MakeUser
from tests.security.shop import Shop, expect, open_shop

NASTY = [
    "'",
    '"',
    "' OR '1'='1",
    "1; DROP TABLE products; --",
    "') OR 1=1 --",
    "%",
    "_",
    "\\",
    "\\'",
    "$1",
    ":*",
    "!&|<->()",
    "a & ! b | (c <-> d)",
    "\x00",
    "nul\x00in the middle",
    "😀 ünïcödé",
    "x" * 3000,
    "-1",
    "NaN",
    "1e999",
    "0x1F",
]

QUERY_PARAMS = [
    ("/api/products", "q", "anyone"),
    ("/api/products", "sort", "anyone"),
    ("/api/products", "category", "anyone"),
    ("/api/products", "min_price", "anyone"),
    ("/api/products", "max_price", "anyone"),
    ("/api/products", "in_stock", "anyone"),
    ("/api/products", "cursor", "anyone"),
    ("/api/products", "limit", "anyone"),
    ("/api/wishlist", "cursor", "customer"),
    ("/api/orders", "cursor", "customer"),
    ("/api/orders", "customer", "manager"),
    ("/api/promo-codes", "cursor", "manager"),
    ("/api/admin/users", "role", "admin"),
    ("/api/admin/users", "cursor", "admin"),
    ("/api/alerts/low-stock", "status", "manager"),
    ("/api/alerts/low-stock", "cursor", "manager"),
    ("/api/reports/sales-by-product", "category", "manager"),
    ("/api/reports/sales-by-product", "sort", "manager"),
    ("/api/reports/sales-by-product", "from", "manager"),
    ("/api/reports/sales-by-product", "to", "manager"),
    ("/api/reports/sales-by-product", "limit", "manager"),
    ("/api/reports/sales-by-product", "format", "manager"),
    ("/api/reports/sales-by-category", "category", "manager"),
    ("/api/reports/sales-over-time", "interval", "manager"),
    ("/api/reports/sales-over-time", "from", "manager"),
]

PATHS = [
    ("GET", "/api/products/{}", "anyone"),
    ("GET", "/api/categories/{}", "anyone"),
    ("PATCH", "/api/categories/{}", "manager"),
    ("DELETE", "/api/categories/{}", "manager"),
    ("PATCH", "/api/tax-classes/{}", "manager"),
    ("GET", "/api/orders/{}", "customer"),
    ("GET", "/api/promo-codes/{}", "manager"),
    ("DELETE", "/api/cart/items/{}", "customer"),
    ("PATCH", "/api/admin/users/{}", "admin"),
]


def _sane(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM), response.text


async def _product_count(client: Client) -> int:
    count, cursor = 0, None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = (await expect(client.get("/api/products", params=params), 200)).json()
        count += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return count


@pytest.mark.parametrize(("path", "param", "caller"), QUERY_PARAMS, ids=lambda v: str(v))
async def test_metacharacters_in_query_strings(
    client: Client, make_user: MakeUser, path: str, param: str, caller: str
) -> None:
    shop = await open_shop(client, make_user)
    before = await _product_count(client)
    for value in NASTY:
        _sane(await client.get(path, params={param: value}, headers=_headers(shop, caller)))
    assert await _product_count(client) == before


@pytest.mark.parametrize(("method", "path", "caller"), PATHS, ids=lambda v: str(v))
async def test_metacharacters_in_path_ids(
    client: Client, make_user: MakeUser, method: str, path: str, caller: str
) -> None:
    shop = await open_shop(client, make_user)
    body = {"name": "x", "role": "customer"} if method == "PATCH" else None
    for value in [*NASTY, "..", "../..", "%2e%2e%2f"]:
        url = path.format(quote(value, safe=""))
        _sane(await client.request(method, url, json=body, headers=_headers(shop, caller)))


async def test_metacharacters_in_bodies(client: Client, make_user: MakeUser) -> None:
    shop = await open_shop(client, make_user)
    customer, staff = shop.customer.headers, shop.manager.headers
    for value in NASTY:
        for path, body, headers in [
            ("/api/auth/login", {"username": value, "password": value}, {}),
            ("/api/auth/login", {"email": value, "password": "x"}, {}),
            ("/api/auth/register", {"email": value, "username": value, "password": value}, {}),
            ("/api/auth/refresh", {"refresh_token": value}, {}),
            ("/api/categories", {"name": value, "slug": value}, staff),
            ("/api/promo-codes", {"code": value, "discount_type": "fixed", "value": "1"}, staff),
            ("/api/cart/items", {"product_id": value, "quantity": 1}, customer),
            ("/api/checkout", {"promo_code": value}, customer),
        ]:
            _sane(await client.post(path, json=body, headers=headers))
        _sane(await client.put("/api/cart/promo", json={"code": value}, headers=customer))
        _sane(
            await client.patch(
                f"/api/products/{shop.ids['product']}",
                json={"name": value, "description": value, "slug": value, "price": value},
                headers=staff,
            )
        )


async def test_a_quoted_search_finds_nothing_it_should_not(
    client: Client, make_user: MakeUser
) -> None:
    """Were the search text pasted into SQL, `' OR '1'='1` would match every product."""
    await open_shop(client, make_user)
    answer = await expect(
        client.get("/api/products", params={"q": "qqzz' OR '1'='1", "limit": "100"}), 200
    )
    assert answer.json()["items"] == []


async def test_a_nul_character_is_a_422(client: Client, make_user: MakeUser) -> None:
    """PostgreSQL can't store NUL in text; wherever one arrives it is the client's mistake."""
    shop = await open_shop(client, make_user)
    for response in [
        await client.get("/api/products", params={"q": "tea\x00"}),
        await client.get("/api/categories/%00"),
        await client.post("/api/auth/login", json={"username": "a\x00b", "password": "x"}),
        await client.put("/api/cart/promo", json={"code": "\x00"}, headers=shop.customer.headers),
    ]:
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "validation_error"


def _headers(shop: Shop, caller: str) -> dict[str, str]:
    return {} if caller == "anyone" else shop.headers(caller)
