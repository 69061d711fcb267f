"""HTTP as browsers, caches and clients expect it: CORS for the storefront's origins only,
Retry-After on 429, no-store on tokens and the account, and HEAD wherever GET is served."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from grocery.config import Settings
from grocery.entrypoints.app import create_app
from tests.integration.catalog_shop import Client, assert_problem
from tests.integration.conftest import TEST_PASSWORD, MakeUser
from tests.security.shop import open_shop
from tests.security.test_access_matrix import ROUTES

STOREFRONT = "https://shop.example.com"


@pytest.fixture
async def cors_client(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    configured = msgspec.structs.replace(settings, cors_origins=(STOREFRONT,))
    async with AsyncTestClient(app=create_app(configured)) as browser:
        yield browser


async def test_a_preflight_from_the_storefront_is_answered_and_cached(
    cors_client: AsyncTestClient[Litestar],
) -> None:
    response = await cors_client.options(
        "/api/cart/items",
        headers={
            "Origin": STOREFRONT,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": (
                "authorization, content-type, idempotency-key, x-cart-token"
            ),
        },
    )
    assert response.status_code in (200, 204), response.text
    assert response.headers["access-control-allow-origin"] == STOREFRONT
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "x-cart-token" in response.headers["access-control-allow-headers"].lower()
    assert int(response.headers["access-control-max-age"]) >= 600
    assert "access-control-allow-credentials" not in response.headers


async def test_answers_to_the_storefront_carry_its_origin_errors_too(
    cors_client: AsyncTestClient[Litestar],
) -> None:
    listed = await cors_client.get("/api/products", headers={"Origin": STOREFRONT})
    refused = await cors_client.get("/api/cart", headers={"Origin": STOREFRONT})
    assert listed.status_code == 200
    assert_problem(refused, 401, "not_authenticated")
    for response in (listed, refused):
        assert response.headers["access-control-allow-origin"] == STOREFRONT
        assert "www-authenticate" in response.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize(
    "origin", ["https://evil.example.com", "https://shop.example.com.evil.net", "null"]
)
async def test_other_origins_get_no_cors_headers(
    cors_client: AsyncTestClient[Litestar], origin: str
) -> None:
    response = await cors_client.get("/api/products", headers={"Origin": origin})
    preflight = await cors_client.options(
        "/api/products", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in preflight.headers


async def test_without_cors_origins_there_is_no_cors(client: Client) -> None:
    response = await client.get("/api/products", headers={"Origin": STOREFRONT})
    assert "access-control-allow-origin" not in response.headers


async def test_a_locked_sign_in_says_when_to_try_again(
    client: Client, make_user: MakeUser, settings: Settings
) -> None:
    user = await make_user()
    wrong = {"username": user.username, "password": "not-the-password"}
    for _ in range(settings.login_max_failures):
        await client.post("/api/auth/login", json=wrong)

    locked = await client.post("/api/auth/login", json=wrong)

    assert_problem(locked, 429, "too_many_attempts")
    assert int(locked.headers["retry-after"]) == settings.login_window_seconds


async def test_tokens_and_the_account_are_never_cached(client: Client, make_user: MakeUser) -> None:
    user = await make_user()
    signed_in = await client.post(
        "/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD}
    )
    refreshed = await client.post(
        "/api/auth/refresh", json={"refresh_token": signed_in.json()["refresh_token"]}
    )
    me = await client.get("/api/auth/me", headers=user.headers)
    for response in (signed_in, refreshed, me):
        assert response.status_code == 200, response.text
        assert "no-store" in response.headers["cache-control"]


async def test_every_get_route_answers_head_as_its_get_without_a_body(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    gets = [route.path.format(**shop.ids) for route in ROUTES if route.method == "GET"]
    for path in [*gets, "/schema/openapi.json", "/api/products?sort=nonsense"]:
        got = await client.get(path, headers=shop.admin.headers)
        head = await client.head(path, headers=shop.admin.headers)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        if "content-length" in got.headers:
            assert head.headers["content-length"] == got.headers["content-length"], path
