"""GROCERY_READ_DATABASE_URL: the catalog's pages and the reports are read from a streaming
replica, while a customer's own cart, orders and account, and every write, go to the primary.

Routing is shown by pausing the replica's replay: what the primary has since written is
missing from the replica's answers only, and shows there once replay resumes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient

from grocery.adapters.sql import migrate
from grocery.config import Settings
from grocery.core.identity import Role
from grocery.entrypoints.app import build_auth_service, create_app
from grocery.entrypoints.wiring import build_adapters
from tests.integration.catalog_shop import Client, Json, add_category, add_product, assert_problem
from tests.integration.conftest import TEST_PASSWORD, app_in_this_loop, make_settings
from tests.integration.replica import Replicated, caught_up, pause_replay, primary_and_replica


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicated]:
    scratch = tmp_path_factory.mktemp("replicated")
    with primary_and_replica(scratch, f"grocery_replica_{uuid4().hex[:8]}") as servers:
        migrate.upgrade(servers.primary_url)
        yield servers


@pytest.fixture(scope="module")
def replica_settings(replicated: Replicated) -> Settings:
    return make_settings(replicated.primary_url, read_database_url=replicated.replica_url)


@pytest.fixture
async def client(replica_settings: Settings) -> AsyncIterator[Client]:
    async with AsyncTestClient(
        app=create_app(replica_settings), base_url="http://testserver.local"
    ) as served:
        yield served


async def signed_in(settings: Settings, role: Role) -> dict[str, str]:
    adapters = build_adapters(settings)
    try:
        name = f"{role.value}-{uuid4().hex[:10]}"
        user = await build_auth_service(settings, adapters).ensure_user(
            name, f"{name}@example.com", TEST_PASSWORD, role
        )
        token, _ = adapters.access_tokens.issue_access(user.principal, adapters.clock.now())
    finally:
        await adapters.database.dispose()
        await adapters.replica.dispose()
    return {"Authorization": f"Bearer {token}"}


async def price_shown(client: Client, product: Json) -> str:
    response = await client.get(f"/api/products/{product['id']}")
    assert response.status_code == 200, response.text
    return str(response.json()["price"])


async def test_a_catalog_change_shows_once_the_replica_replays_it(
    client: Client, replica_settings: Settings, replicated: Replicated
) -> None:
    manager = await signed_in(replica_settings, Role.MANAGER)
    aisle = await add_category(client, manager)
    apples = await add_product(client, manager, aisle, "Apples", price="1.00", stock=5)
    await caught_up(replicated)
    assert await price_shown(client, apples) == "1.00"

    await pause_replay(replicated, True)
    try:
        edited = await client.patch(
            f"/api/products/{apples['id']}", json={"price": "2.00"}, headers=manager
        )
        assert edited.status_code == 200 and edited.json()["price"] == "2.00"  # the primary's
        assert await price_shown(client, apples) == "1.00"  # the replica has not replayed it
    finally:
        await pause_replay(replicated, False)
    await caught_up(replicated)
    assert await price_shown(client, apples) == "2.00"


async def test_the_customers_own_cart_and_orders_are_read_from_the_primary(
    client: Client, replica_settings: Settings, replicated: Replicated
) -> None:
    manager = await signed_in(replica_settings, Role.MANAGER)
    customer = await signed_in(replica_settings, Role.CUSTOMER)
    aisle = await add_category(client, manager)
    pears = await add_product(client, manager, aisle, "Pears", price="3.00", stock=5)
    await caught_up(replicated)

    await pause_replay(replicated, True)
    try:
        added = await client.post(
            "/api/cart/items", json={"product_id": pears["id"], "quantity": 2}, headers=customer
        )
        assert added.status_code in (200, 201), added.text
        cart = await client.get("/api/cart", headers=customer)
        assert [line["quantity"] for line in cart.json()["items"]] == [2]
        placed = await client.post("/api/checkout", headers=customer)
        assert placed.status_code == 201, placed.text
        orders = await client.get("/api/orders", headers=customer)
        assert [order["id"] for order in orders.json()["items"]] == [placed.json()["id"]]
        me = await client.get("/api/auth/me", headers=customer)
        assert me.status_code == 200
        # The report is the replica's: the order is not in it yet.
        assert await units_sold(client, manager, aisle) == 0
    finally:
        await pause_replay(replicated, False)
    await caught_up(replicated)
    assert await units_sold(client, manager, aisle) == 2


async def units_sold(client: Client, manager: dict[str, str], aisle: Json) -> int:
    response = await client.get(
        "/api/reports/sales-over-time", params={"category": aisle["id"]}, headers=manager
    )
    assert response.status_code == 200, response.text
    return sum(int(period["units"]) for period in response.json()["items"])


async def test_a_new_shop_zone_waits_on_the_replica_for_the_primarys_recut(
    replicated: Replicated, replica_settings: Settings
) -> None:
    manager = await signed_in(replica_settings, Role.MANAGER)
    tokyo = make_settings(
        replicated.primary_url, read_database_url=replicated.replica_url, timezone="Asia/Tokyo"
    )
    # Its rollups are cut in UTC's days, and the replica can't recut them: 503, not a 500.
    async with app_in_this_loop(tokyo) as not_started:
        refused = await not_started.get("/api/reports/sales-by-category", headers=manager)
    assert_problem(refused, 503, "service_unavailable")
    assert "Asia/Tokyo" in refused.json()["detail"]
    try:
        # A server in the new zone starts: the primary recuts them, the replica replays it.
        async with AsyncTestClient(app=create_app(tokyo), base_url="http://testserver.local"):
            await caught_up(replicated)
        async with app_in_this_loop(tokyo) as in_tokyo:
            answer = await in_tokyo.get("/api/reports/sales-by-category", headers=manager)
        assert answer.status_code == 200, answer.text
    finally:
        async with AsyncTestClient(app=create_app(replica_settings)):
            await caught_up(replicated)
    async with app_in_this_loop(replica_settings) as in_utc:
        again = await in_utc.get("/api/reports/sales-by-category", headers=manager)
    assert again.status_code == 200, again.text
