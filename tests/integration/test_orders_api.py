"""Orders over HTTP on PostgreSQL: who sees which, pages, status steps and cancellation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.catalog_shop import Client, Json, assert_problem
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import SignedInUser

SOME_ID = "0190a000-0000-7000-8000-000000000000"


async def step(client: Client, who: SignedInUser, order: Json, status: str) -> Any:
    return await client.patch(
        f"/api/orders/{order['id']}", json={"status": status}, headers=who.headers
    )


async def cancel(client: Client, who: SignedInUser, order: Json) -> Any:
    return await client.post(f"/api/orders/{order['id']}/cancel", headers=who.headers)


# --- who sees what ------------------------------------------------------------


async def test_customers_list_their_own_orders_newest_first_in_pages(
    client: Client, shop: Shop, ann: SignedInUser, bob: SignedInUser
) -> None:
    apples = await shop.product(stock=50)
    placed = [(await shop.placed(ann, (apples, 1)))["id"] for _ in range(5)]
    await shop.placed(bob, (apples, 1))

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/orders/", params=params, headers=ann.headers)).json()
        seen += [order["id"] for order in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == placed[::-1]


async def test_managers_see_everyones_orders_and_filter_by_customer(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser, bob: SignedInUser
) -> None:
    apples = await shop.product(stock=50)
    anns = await shop.placed(ann, (apples, 1))
    bobs = await shop.placed(bob, (apples, 1))

    everyone = (
        await client.get("/api/orders", params={"limit": 100}, headers=manager.headers)
    ).json()
    only_ann = (
        await client.get("/api/orders", params={"customer": str(ann.id)}, headers=manager.headers)
    ).json()

    assert {anns["id"], bobs["id"]} <= {order["id"] for order in everyone["items"]}
    assert [order["id"] for order in only_ann["items"]] == [anns["id"]]


async def test_a_customer_naming_someone_else_finds_nothing(
    client: Client, shop: Shop, ann: SignedInUser, bob: SignedInUser
) -> None:
    await shop.placed(bob, (await shop.product(), 1))
    response = await client.get(
        "/api/orders", params={"customer": str(bob.id)}, headers=ann.headers
    )
    assert response.json() == {"items": [], "next_cursor": None}


async def test_an_order_is_shown_to_its_owner_and_managers_only(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser, bob: SignedInUser
) -> None:
    order = await shop.placed(ann, (await shop.product(), 1))
    path = f"/api/orders/{order['id']}"

    assert (await client.get(path, headers=ann.headers)).json() == order
    assert (await client.get(path, headers=manager.headers)).json() == order
    assert_problem(await client.get(path, headers=bob.headers), 404, "not_found")
    assert_problem(
        await client.get(f"/api/orders/{SOME_ID}", headers=ann.headers), 404, "not_found"
    )
    assert_problem(await client.get(path), 401, "not_authenticated")


@pytest.mark.parametrize("params", [{"limit": 101}, {"limit": 0}, {"cursor": "not-a-cursor!"}])
async def test_bad_paging_is_422(client: Client, ann: SignedInUser, params: Json) -> None:
    response = await client.get("/api/orders", params=params, headers=ann.headers)
    assert_problem(response, 422, "validation_error")


# --- status steps ---------------------------------------------------------------


async def test_managers_step_an_order_along_its_lifecycle(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser
) -> None:
    order = await shop.placed(ann, (await shop.product(), 1))

    statuses = []
    for status in ("processing", "shipped", "delivered"):
        response = await step(client, manager, order, status)
        assert response.status_code == 200, response.text
        statuses.append(response.json()["status"])

    assert statuses == ["processing", "shipped", "delivered"]
    shown = (await client.get(f"/api/orders/{order['id']}", headers=ann.headers)).json()
    assert shown["status"] == "delivered"


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ([], "shipped"),  # skipping a step
        ([], "placed"),  # staying put
        (["processing"], "placed"),  # going back
        (["processing", "shipped", "delivered"], "processing"),
        ([], "cancelled"),  # cancelling has its own route, which restocks
    ],
)
async def test_a_wrong_step_is_409(
    client: Client,
    shop: Shop,
    manager: SignedInUser,
    ann: SignedInUser,
    path: list[str],
    wanted: str,
) -> None:
    order = await shop.placed(ann, (await shop.product(), 1))
    for status in path:
        assert (await step(client, manager, order, status)).status_code == 200

    assert_problem(await step(client, manager, order, wanted), 409, "invalid_status_transition")


async def test_customers_may_not_step_orders(client: Client, shop: Shop, ann: SignedInUser) -> None:
    order = await shop.placed(ann, (await shop.product(), 1))
    assert_problem(await step(client, ann, order, "processing"), 403, "forbidden")


async def test_an_unknown_status_is_422(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser
) -> None:
    order = await shop.placed(ann, (await shop.product(), 1))
    assert_problem(await step(client, manager, order, "teleported"), 422, "validation_error")


# --- cancellation -------------------------------------------------------------


async def test_cancelling_puts_stock_and_the_promo_use_back(
    client: Client, shop: Shop, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=10)
    promo = await shop.promo(max_uses=1, max_uses_per_customer=1)
    await shop.fill(ann, (apples, 3))
    order = (await checkout(client, ann, body={"promo_code": promo["code"]})).json()

    response = await cancel(client, ann, order)

    assert response.status_code == 200, response.text
    voided = {**order["payment"], "status": "voided"}  # paid by hand: nothing was taken
    assert response.json() == {**order, "status": "cancelled", "payment": voided}
    now = await shop.now(apples)
    assert (now["stock"], now["units_sold"]) == (10, 0)
    assert (await shop.promo_now(promo))["times_used"] == 0
    await shop.fill(ann, (apples, 1))  # the released use is the customer's again
    again = await checkout(client, ann, body={"promo_code": promo["code"]})
    assert again.status_code == 201, again.text


async def test_a_second_cancel_changes_nothing(
    client: Client, shop: Shop, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=10)
    order = await shop.placed(ann, (apples, 4))
    first = await cancel(client, ann, order)

    second = await cancel(client, ann, order)

    assert second.status_code == 200
    assert second.json() == first.json()
    now = await shop.now(apples)
    assert (now["stock"], now["units_sold"]) == (10, 0)


async def test_owners_cancel_only_placed_orders_managers_until_shipped(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=10)
    processing = await shop.placed(ann, (apples, 1))
    shipped = await shop.placed(ann, (apples, 1))
    await step(client, manager, processing, "processing")
    for status in ("processing", "shipped"):
        await step(client, manager, shipped, status)

    assert_problem(await cancel(client, ann, processing), 409, "invalid_status_transition")
    assert_problem(await cancel(client, manager, shipped), 409, "invalid_status_transition")
    by_manager = await cancel(client, manager, processing)
    assert by_manager.json()["status"] == "cancelled"
    assert (await shop.now(apples))["stock"] == 9


async def test_nobody_cancels_someone_elses_order(
    client: Client, shop: Shop, ann: SignedInUser, bob: SignedInUser
) -> None:
    apples = await shop.product(stock=10)
    order = await shop.placed(ann, (apples, 2))

    assert_problem(await cancel(client, bob, order), 404, "not_found")
    assert (await shop.now(apples))["stock"] == 8


async def test_a_product_once_ordered_is_archived_when_deleted(
    client: Client, shop: Shop, manager: SignedInUser, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=10)
    order = await shop.placed(ann, (apples, 1))
    await cancel(client, ann, order)  # units_sold is back to 0, the order line remains

    deleted = await client.delete(f"/api/products/{apples['id']}", headers=manager.headers)

    assert deleted.status_code == 204
    assert (await client.get(f"/api/products/{apples['id']}")).status_code == 404
    shown = await client.get(f"/api/orders/{order['id']}", headers=ann.headers)
    assert shown.json()["items"][0]["product_name"] == apples["name"]
