"""A disabled or deleted account is refused on its next request, on every route and every
server, although its access token has minutes to live (and without a database read per
request: see tests/unit/test_lockouts.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from sqlalchemy import text

from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Client, assert_problem, picture
from tests.integration.conftest import MakeUser, SignedInUser
from tests.security.shop import Shop, open_shop
from tests.security.test_access_matrix import ROUTES, Access, Route


async def _disable(client: Client, shop: Shop, user: SignedInUser, active: bool = False) -> None:
    response = await client.patch(
        f"/api/admin/users/{user.id}", json={"is_active": active}, headers=shop.admin.headers
    )
    assert response.status_code == 200, response.text


async def _call_as(client: Client, shop: Shop, route: Route, headers: dict[str, str]) -> Any:
    path = route.path.format(**shop.ids)
    if route.upload:
        files = {"file": ("p.png", picture(), "image/png")}
        return await client.post(path, files=files, headers=headers)
    body = None if route.body is None else route.body(shop)
    return await client.request(route.method, path, json=body, headers=headers)


async def test_a_disabled_account_is_refused_at_once_on_every_route(
    client: Client, make_user: MakeUser
) -> None:
    shop = await open_shop(client, make_user)
    # An admin may call every route, so each one shows the refusal (not a role's 403).
    insider = await make_user(role="admin")
    assert (await client.get("/api/auth/me", headers=insider.headers)).status_code == 200

    await _disable(client, shop, insider)

    for route in ROUTES:
        if route.access is Access.ANYONE:
            continue
        response = await _call_as(client, shop, route, insider.headers)
        body = assert_problem(response, 401, "account_disabled")
        assert response.headers["www-authenticate"] == "Bearer", f"{route}: {body}"


async def test_a_disabled_customer_can_not_check_out(client: Client, make_user: MakeUser) -> None:
    shop = await open_shop(client, make_user)  # the customer has one order and a cart line
    await _disable(client, shop, shop.customer)

    checkout = await client.post("/api/checkout", headers=shop.customer.headers)

    assert_problem(checkout, 401, "account_disabled")
    orders = await client.get(
        "/api/orders", params={"customer": shop.ids["customer"]}, headers=shop.manager.headers
    )
    assert [order["id"] for order in orders.json()["items"]] == [shop.ids["order"]]


async def test_enabled_again_the_same_token_works(client: Client, make_user: MakeUser) -> None:
    shop = await open_shop(client, make_user)
    await _disable(client, shop, shop.other)
    assert_problem(
        await client.get("/api/cart", headers=shop.other.headers), 401, "account_disabled"
    )

    await _disable(client, shop, shop.other, active=True)

    assert (await client.get("/api/cart", headers=shop.other.headers)).status_code == 200


async def test_a_deleted_account_is_refused(
    client: Client, make_user: MakeUser, adapters: Adapters
) -> None:
    """Deleted straight in the database (no route deletes users), as an operator might."""
    gone = await make_user()
    assert (await client.get("/api/cart", headers=gone.headers)).status_code == 200
    async with adapters.database.engine.begin() as connection:
        await connection.execute(text("DELETE FROM users WHERE id = :id"), {"id": gone.id})

    refused = await _eventually_refused(lambda: client.get("/api/cart", headers=gone.headers))

    assert_problem(refused, 401, "account_disabled")


async def test_other_servers_refuse_it_within_seconds(
    client: Client, make_user: MakeUser, live_server: str
) -> None:
    """`grocery serve` with two workers, apart from the app the admin uses: both workers
    learn of the change from the database."""
    shop = await open_shop(client, make_user)
    async with httpx.AsyncClient(base_url=live_server, headers=shop.other.headers) as other:
        before = await asyncio.gather(*(other.get("/api/auth/me") for _ in range(8)))
        assert {response.status_code for response in before} == {200}

        await _disable(client, shop, shop.other)
        disabled_at = time.monotonic()
        await _eventually_refused(lambda: other.get("/api/auth/me"))
        first_refusal = time.monotonic() - disabled_at
        # Each worker follows the lockouts on its own, about once a second.
        await asyncio.sleep(max(0.0, disabled_at + 3 - time.monotonic()))
        after = await asyncio.gather(*(other.get("/api/wishlist") for _ in range(16)))

    assert first_refusal < 3, first_refusal
    for response in after:
        assert_problem(response, 401, "account_disabled")


async def _eventually_refused(ask: Any, seconds: float = 5) -> Any:
    """The first 401 answer within `seconds` (a server follows lockouts about once a second)."""
    deadline = time.monotonic() + seconds
    while True:
        response = await ask()
        if response.status_code == 401 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.05)
