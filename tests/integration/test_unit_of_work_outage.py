"""Units of work take their connection without a ping before each use: a PostgreSQL restart
between two requests must still cost no failed request, and an outage must answer 503."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from httpx import AsyncClient, Response

from tests.integration.catalog_shop import Json
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser, app_in_this_loop, make_settings
from tests.integration.proxy import CuttableProxy


async def add(client: AsyncClient, customer: SignedInUser, product: Json) -> Response:
    return await client.post(
        "/api/cart/items",
        json={"product_id": product["id"], "quantity": 1},
        headers=customer.headers,
    )


@asynccontextmanager
async def proxied_shop(database_url: str) -> AsyncIterator[tuple[CuttableProxy, AsyncClient]]:
    """A shop in this loop whose database connections pass through a proxy that can be cut."""
    proxy = CuttableProxy(database_url)
    proxy.open()
    try:
        async with app_in_this_loop(make_settings(proxy.url)) as client:
            yield proxy, client
    finally:
        proxy.close()


async def test_a_restart_between_two_writes_costs_no_request(
    database_url: str, shop: Shop, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=10)
    async with proxied_shop(database_url) as (proxy, client):
        assert (await add(client, ann, apples)).status_code == 201
        views = [client.get("/api/cart", headers=ann.headers) for _ in range(8)]
        assert {view.status_code for view in await asyncio.gather(*views)} == {200}
        proxy.cut()  # every pooled connection (several, after 8 at once) dies with the server
        proxy.open()

        assert (await add(client, ann, apples)).status_code == 200
        cart = await client.get("/api/cart", headers=ann.headers)
        assert cart.status_code == 200
        assert [line["quantity"] for line in cart.json()["items"]] == [2]


async def test_writes_during_an_outage_are_503_and_recover(
    database_url: str, shop: Shop, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=10)
    async with proxied_shop(database_url) as (proxy, client):
        assert (await add(client, ann, apples)).status_code == 201
        proxy.cut()

        down = await add(client, ann, apples)
        assert down.status_code == 503
        assert down.json()["code"] == "service_unavailable"

        proxy.open()
        assert (await add(client, ann, apples)).status_code == 200
