"""Checkouts that really race: requests sent at once over real sockets to `grocery serve`
(granian, two worker processes) on PostgreSQL. Each race runs several rounds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from tests.integration.catalog_shop import Json
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import MakeUser, SignedInUser

ROUNDS = range(3)


@pytest.fixture
async def server(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=live_server, timeout=60, limits=limits) as racing:
        yield racing


async def customers(make_user: MakeUser, count: int) -> list[SignedInUser]:
    return list(await asyncio.gather(*(make_user() for _ in range(count))))


def no_server_errors(answers: list[httpx.Response]) -> list[int]:
    codes = [answer.status_code for answer in answers]
    assert all(code < 500 for code in codes), [a.text for a in answers if a.status_code >= 500]
    return codes


@pytest.mark.parametrize("round_", ROUNDS)
async def test_fifty_customers_buy_the_last_five_units(
    round_: int, server: httpx.AsyncClient, shop: Shop, make_user: MakeUser
) -> None:
    apples = await shop.product(stock=5)
    crowd = await customers(make_user, 50)
    for customer in crowd:
        await shop.fill(customer, (apples, 1))

    answers = await asyncio.gather(*(checkout(server, customer) for customer in crowd))

    codes = no_server_errors(answers)
    assert (codes.count(201), codes.count(409)) == (5, 45)
    refusals = [a.json() for a in answers if a.status_code == 409]
    assert all(r["code"] == "insufficient_stock" for r in refusals)
    now = await shop.now(apples)
    assert (now["stock"], now["units_sold"]) == (0, 5)


@pytest.mark.parametrize("round_", ROUNDS)
async def test_a_code_for_three_is_used_three_times_by_thirty_checkouts(
    round_: int, server: httpx.AsyncClient, shop: Shop, make_user: MakeUser
) -> None:
    apples = await shop.product("10.00", stock=100)
    promo = await shop.promo(max_uses=3)
    crowd = await customers(make_user, 30)
    for customer in crowd:
        await shop.fill(customer, (apples, 1))
        await shop.apply(customer, promo)

    answers = await asyncio.gather(*(checkout(server, customer) for customer in crowd))

    codes = no_server_errors(answers)
    placed = [a.json() for a in answers if a.status_code == 201]
    assert [order["discount"] for order in placed] == ["1.00"] * 3
    refused = {a.json()["code"] for a in answers if a.status_code == 422}
    assert (codes.count(422), refused) == (27, {"promo_usage_limit_reached"})
    assert (await shop.promo_now(promo))["times_used"] == 3
    assert (await shop.now(apples))["stock"] == 97


@pytest.mark.parametrize("round_", ROUNDS)
async def test_a_code_once_per_customer_gives_one_order_of_ten_racing_checkouts(
    round_: int, server: httpx.AsyncClient, shop: Shop, make_user: MakeUser
) -> None:
    """One customer adds a line and checks out with the code, ten times at once: however
    the checkouts interleave with the adds, one order has the code."""
    apples = await shop.product("10.00", stock=100)
    promo = await shop.promo(max_uses_per_customer=1)
    ann = await make_user()

    async def add_and_check_out() -> httpx.Response:
        added = await server.post(
            "/api/cart/items",
            json={"product_id": apples["id"], "quantity": 1},
            headers=ann.headers,
        )
        assert added.status_code in (200, 201), added.text
        return await checkout(server, ann, body={"promo_code": promo["code"]})

    answers = await asyncio.gather(*(add_and_check_out() for _ in range(10)))

    codes = no_server_errors(answers)
    refused = {a.json()["code"] for a in answers if a.status_code == 422}
    assert refused <= {"cart_empty", "promo_customer_limit_reached"}
    assert codes.count(201) == 1
    orders = await shop.orders_of(ann)
    assert [order["promo_code"] for order in orders] == [promo["code"]]
    assert (await shop.promo_now(promo))["times_used"] == 1
    left = sum(line["quantity"] for line in (await shop.cart(ann))["items"])
    assert left + orders[0]["items"][0]["quantity"] == 10


@pytest.mark.parametrize("round_", ROUNDS)
async def test_one_key_sent_ten_times_at_once_makes_one_order(
    round_: int, server: httpx.AsyncClient, shop: Shop, make_user: MakeUser
) -> None:
    apples = await shop.product(stock=10)
    ann = await make_user()
    await shop.fill(ann, (apples, 2))

    answers = await asyncio.gather(
        *(checkout(server, ann, key=f"double-click-{round_}") for _ in range(10))
    )

    codes = no_server_errors(answers)
    assert codes == [201] * 10
    assert len({answer.content for answer in answers}) == 1
    assert len(await shop.orders_of(ann)) == 1
    assert (await shop.now(apples))["stock"] == 8


@pytest.mark.parametrize("round_", ROUNDS)
async def test_carts_in_opposite_orders_never_deadlock(
    round_: int, server: httpx.AsyncClient, shop: Shop, make_user: MakeUser
) -> None:
    a, b = await shop.product(stock=100), await shop.product(stock=100)
    crowd = await customers(make_user, 30)
    for i, customer in enumerate(crowd):
        await shop.fill(customer, *([(a, 1), (b, 2)] if i % 2 else [(b, 2), (a, 1)]))

    answers = await asyncio.gather(*(checkout(server, customer) for customer in crowd))

    assert no_server_errors(answers) == [201] * 30
    stocks = [(await shop.now(product))["stock"] for product in (a, b)]
    assert stocks == [70, 40]


@pytest.mark.parametrize("round_", ROUNDS)
async def test_checking_out_and_emptying_the_same_cart_at_once_never_deadlock(
    round_: int, server: httpx.AsyncClient, shop: Shop, make_user: MakeUser
) -> None:
    """Both take every line and the applied code with one statement, in the same order, so
    one waits for the other: the order holds the whole cart, or the cart was emptied first."""
    a, b = await shop.product(stock=100), await shop.product(stock=100)
    promo = await shop.promo(value="5")
    crowd = await customers(make_user, 15)
    for customer in crowd:
        await shop.fill(customer, (a, 1), (b, 2))
        await shop.apply(customer, promo)  # the cart's own row, beside its lines

    answers = await asyncio.gather(
        *(
            request
            for customer in crowd
            for request in (
                checkout(server, customer),
                server.delete("/api/cart", headers=customer.headers),
            )
        )
    )

    codes = no_server_errors(answers)
    checkouts, emptied = answers[0::2], codes[1::2]
    assert emptied == [204] * len(crowd)
    refused = {answer.json()["code"] for answer in checkouts if answer.status_code == 422}
    assert refused <= {"cart_empty"}
    placed = [answer.json() for answer in checkouts if answer.status_code == 201]
    assert len(placed) + sum(answer.status_code == 422 for answer in checkouts) == len(crowd)
    assert all([line["quantity"] for line in order["items"]] == [1, 2] for order in placed)
    stocks = [(await shop.now(product))["stock"] for product in (a, b)]
    assert stocks == [100 - len(placed), 100 - 2 * len(placed)]
    for customer in crowd:
        assert (await shop.cart(customer))["items"] == []


@pytest.mark.parametrize("round_", ROUNDS)
async def test_a_manager_restocking_during_checkouts_loses_no_unit(
    round_: int, server: httpx.AsyncClient, shop: Shop, make_user: MakeUser
) -> None:
    """Checkouts conserve stock + units_sold; only a manager's edit changes it, to what the
    edit answered. So: initial stock + the edits' additions = final stock + units sold,
    where an edit adds (its answered stock + units_sold) - (stock + units_sold before it)."""
    apples = await shop.product(stock=10)
    crowd = await customers(make_user, 40)
    for customer in crowd:
        await shop.fill(customer, (apples, 1))
    edits: list[Json] = []
    seen_stock: list[int] = []

    async def restock() -> None:
        for _ in range(6):
            current = (await server.get(f"/api/products/{apples['id']}")).json()
            seen_stock.append(current["stock"])
            edit = await server.patch(
                f"/api/products/{apples['id']}",
                json={"stock": current["stock"] + 3},
                headers=shop.manager.headers,
            )
            assert edit.status_code == 200, edit.text
            edits.append(edit.json())

    answers, _ = await asyncio.gather(
        asyncio.gather(*(checkout(server, customer) for customer in crowd)), restock()
    )

    no_server_errors(answers)
    sold = sum(
        item["quantity"] for a in answers if a.status_code == 201 for item in a.json()["items"]
    )
    final = await shop.now(apples)
    assert min(seen_stock + [e["stock"] for e in edits] + [final["stock"]]) >= 0
    assert final["units_sold"] == sold
    last = edits[-1]
    assert final["stock"] + final["units_sold"] == last["stock"] + last["units_sold"]
    additions, before = 0, 10
    for edit in edits:
        additions += edit["stock"] + edit["units_sold"] - before
        before = edit["stock"] + edit["units_sold"]
    assert 10 + additions == final["stock"] + sold


@pytest.mark.parametrize("round_", ROUNDS)
async def test_two_cancels_at_once_restock_once(
    round_: int, server: httpx.AsyncClient, shop: Shop, make_user: MakeUser
) -> None:
    apples = await shop.product("5.00", stock=10)
    promo = await shop.promo(max_uses=10)
    ann = await make_user()
    await shop.fill(ann, (apples, 3))
    await shop.apply(ann, promo)
    order = (await checkout(shop.client, ann)).json()

    answers = await asyncio.gather(
        server.post(f"/api/orders/{order['id']}/cancel", headers=ann.headers),
        server.post(f"/api/orders/{order['id']}/cancel", headers=shop.manager.headers),
    )

    assert no_server_errors(list(answers)) == [200, 200]
    assert {answer.json()["status"] for answer in answers} == {"cancelled"}
    now = await shop.now(apples)
    assert (now["stock"], now["units_sold"]) == (10, 0)
    assert (await shop.promo_now(promo))["times_used"] == 0
    assert Decimal(order["discount"]) == Decimal("1.50")


@pytest.mark.parametrize("round_", ROUNDS)
async def test_a_crossing_under_a_crowd_opens_exactly_one_alert(
    round_: int, server: httpx.AsyncClient, shop: Shop, make_user: MakeUser
) -> None:
    apples = await shop.product(stock=15, threshold=10)
    crowd = await customers(make_user, 12)
    for customer in crowd:
        await shop.fill(customer, (apples, 1))

    answers = await asyncio.gather(*(checkout(server, customer) for customer in crowd))

    assert no_server_errors(answers) == [201] * 12
    listed = await shop.client.get(
        "/api/alerts/low-stock", params={"limit": 100}, headers=shop.manager.headers
    )
    mine = [a for a in listed.json()["items"] if a["product"]["id"] == apples["id"]]
    assert [(a["stock"], a["threshold"], a["resolved_at"]) for a in mine] == [(9, 10, None)]
