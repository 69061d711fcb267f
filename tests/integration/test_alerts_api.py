"""Low-stock alerts on PostgreSQL: which stock changes open and resolve them, the log line
and outbox row of each opening, and the manager's list."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from structlog.testing import capture_logs

from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Client, Json
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import SignedInUser


async def alerts_of(
    client: Client, manager: SignedInUser, product: Json, **params: Any
) -> list[Json]:
    response = await client.get(
        "/api/alerts/low-stock", params={"limit": 100, **params}, headers=manager.headers
    )
    assert response.status_code == 200, response.text
    return [a for a in response.json()["items"] if a["product"]["id"] == product["id"]]


async def outbox_of(adapters: Adapters, product: Json) -> list[Json]:
    async with adapters.database.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT kind, payload, idempotency_key FROM outbox"
                " WHERE payload -> 'product' ->> 'id' = :product ORDER BY created_at"
            ),
            {"product": product["id"]},
        )
        return [dict(row) for row in rows.mappings()]


async def test_a_sale_across_the_threshold_opens_one_alert(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=12, threshold=10)

    await shop.placed(ann, (apples, 2))  # 10: at the threshold is not below it
    assert await alerts_of(client, manager, apples) == []
    await shop.placed(ann, (apples, 1))  # 9: below
    await shop.placed(ann, (apples, 4))  # 5: still below, nothing new

    [alert] = await alerts_of(client, manager, apples)
    assert set(alert) == {"id", "product", "stock", "threshold", "created_at", "resolved_at"}
    assert alert["product"] == {"id": apples["id"], "name": apples["name"], "slug": apples["slug"]}
    assert (alert["stock"], alert["threshold"], alert["resolved_at"]) == (9, 10, None)


async def test_restocking_resolves_the_alert_and_the_next_crossing_opens_another(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=10, threshold=10)
    await shop.placed(ann, (apples, 1))

    await shop.edit(apples, stock=30)
    [resolved] = await alerts_of(client, manager, apples, status="resolved")
    assert resolved["resolved_at"] is not None
    assert await alerts_of(client, manager, apples, status="open") == []

    await shop.placed(ann, (apples, 21))
    [opened] = await alerts_of(client, manager, apples, status="open")
    assert (opened["stock"], opened["id"] != resolved["id"]) == (9, True)


async def test_a_cancellation_back_over_the_threshold_resolves_it(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=10, threshold=8)
    order = await shop.placed(ann, (apples, 5))
    assert len(await alerts_of(client, manager, apples, status="open")) == 1

    await client.post(f"/api/orders/{order['id']}/cancel", headers=ann.headers)

    assert await alerts_of(client, manager, apples, status="open") == []
    assert len(await alerts_of(client, manager, apples, status="resolved")) == 1


async def test_a_managers_edit_opens_alerts_too(
    client: Client, shop: Shop, manager: SignedInUser
) -> None:
    lowered, raised = await shop.product(stock=20, threshold=5), await shop.product(stock=7)

    await shop.edit(lowered, stock=3)
    await shop.edit(raised, low_stock_threshold=10)  # the bar moved above the stock

    assert [a["stock"] for a in await alerts_of(client, manager, lowered)] == [3]
    assert [(a["stock"], a["threshold"]) for a in await alerts_of(client, manager, raised)] == [
        (7, 10)
    ]


async def test_each_opening_is_logged_and_written_to_the_outbox(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser, adapters: Adapters
) -> None:
    apples = await shop.product(stock=10, threshold=10)

    with capture_logs() as logs:
        await shop.placed(ann, (apples, 1))

    [alert] = await alerts_of(client, manager, apples)
    logged = [entry for entry in logs if entry["event"] == "stock.low"]
    assert [(e["alert_id"], e["product_id"], e["stock"]) for e in logged] == [
        (alert["id"], apples["id"], 9)
    ]
    [message] = await outbox_of(adapters, apples)
    assert (message["kind"], message["idempotency_key"]) == ("stock.low", alert["id"])
    assert message["payload"]["alert_id"] == alert["id"]
    assert (message["payload"]["stock"], message["payload"]["threshold"]) == (9, 10)


async def test_a_refused_checkout_opens_nothing(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser, adapters: Adapters
) -> None:
    crossing, short = await shop.product(stock=10, threshold=10), await shop.product(stock=5)
    await shop.fill(ann, (crossing, 3), (short, 5))
    await shop.edit(short, stock=4)

    with capture_logs() as logs:
        response = await checkout(client, ann)

    assert response.status_code == 409
    assert await alerts_of(client, manager, crossing) == []
    assert await outbox_of(adapters, crossing) == []
    assert [entry for entry in logs if entry["event"] == "stock.low"] == []


async def test_alerts_list_newest_first_in_pages(
    client: Client, shop: Shop, manager: SignedInUser
) -> None:
    products = [await shop.product(stock=5) for _ in range(3)]
    for product in products:
        await shop.edit(product, low_stock_threshold=10)

    first = (
        await client.get("/api/alerts/low-stock", params={"limit": 2}, headers=manager.headers)
    ).json()
    second = (
        await client.get(
            "/api/alerts/low-stock",
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=manager.headers,
        )
    ).json()

    newest = [a["product"]["id"] for a in first["items"] + second["items"]][:3]
    assert newest == [product["id"] for product in reversed(products)]


@pytest.mark.parametrize(
    ("params", "status"), [({"status": "forgotten"}, 422), ({"limit": 101}, 422)]
)
async def test_bad_queries_are_422(
    client: Client, manager: SignedInUser, params: Json, status: int
) -> None:
    response = await client.get("/api/alerts/low-stock", params=params, headers=manager.headers)
    assert (response.status_code, response.json()["code"]) == (status, "validation_error")


async def test_alerts_are_for_managers(client: Client, ann: SignedInUser) -> None:
    assert (await client.get("/api/alerts/low-stock")).status_code == 401
    forbidden = await client.get("/api/alerts/low-stock", headers=ann.headers)
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "forbidden")
