"""Picking over HTTP, end to end: weighed lines billed by weight up to the tolerance,
substitutes, short picks, the promo worked out again, stock, sales counters, reports and
alerts corrected to what was handed over, and shipping only once picked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.catalog_shop import Client, Json, assert_problem
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser
from tests.integration.picking_shop import Picker


@pytest.fixture
def picker(shop: Shop) -> Picker:
    return Picker(shop)


def amounts(order: Json) -> tuple[str, str, str, str]:
    return (order["subtotal"], order["discount"], order["total"], order["checkout_total"])


def finals(order: Json) -> list[str | None]:
    return [item["final_line_total"] for item in order["items"]]


# --- weighed lines ------------------------------------------------------------


async def test_a_weighed_line_costs_its_weight_capped_at_the_estimate_plus_tolerance(
    picker: Picker, ann: SignedInUser
) -> None:
    apples = await picker.weighed("4.00", "0.500")  # 2.00 a step
    carrots = await picker.weighed("2.00", "1.000")
    order = await picker.placed_by(ann, (apples, 3), (carrots, 2))
    line = order["items"][0]
    assert (line["estimated"], line["estimated_weight_kg"], line["price_at_purchase"]) == (
        True,
        "1.500",
        "2.00",
    )
    assert (line["line_total"], order["total"]) == ("6.00", "10.00")

    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=3, picked_weight_kg="1.900")  # 7.60
    picked = await picker.pick(order, 1, picked_quantity=2, picked_weight_kg="1.800")
    assert picked["items"][0]["picked_weight_kg"] == "1.900"
    assert finals(picked) == [None, None]  # the bill waits for completion
    done = await picker.complete(order)

    assert finals(done) == ["6.60", "3.60"]  # 6.00 + 10%; 1.8 kg x 2.00
    assert amounts(done) == ("10.20", "0.00", "10.20", "10.00")
    assert (await picker.order(order))["total"] == "10.20"


# --- short picks and substitutes ----------------------------------------------


async def test_short_units_are_free_and_substitutes_cost_at_most_what_they_stand_in_for(
    picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    milk, bread, butter = (
        await shop.product("1.50"),
        await shop.product("3.00"),
        await shop.product("2.00"),
    )
    oat, ghee = await shop.product("2.00"), await shop.product("5.00")
    order = await picker.placed_by(ann, (milk, 4), (bread, 2), (butter, 1))
    await picker.start(order)

    await picker.pick(
        order, 0, picked_quantity=1, substitute={"product_id": oat["id"], "quantity": 2}
    )
    await picker.pick(order, 1, picked_quantity=1)
    picked = await picker.pick(
        order, 2, picked_quantity=0, substitute={"product_id": ghee["id"], "quantity": 1}
    )
    assert picked["items"][0]["substitute"] == {
        "product_id": oat["id"],
        "product_name": oat["name"],
        "quantity": 2,
        "weight_kg": None,
        "line_total": "4.00",
    }
    done = await picker.complete(order)

    # Milk: 1 x 1.50 + oat 4.00 (under the 4.50 of three milks); bread: one of two;
    # butter: ghee at 5.00 capped at the 2.00 butter it replaces.
    assert finals(done) == ["5.50", "3.00", "2.00"]
    assert done["items"][2]["substitute"]["line_total"] == "2.00"
    assert amounts(done) == ("10.50", "0.00", "10.50", "14.00")
    stock = {p["name"]: (await shop.now(p))["stock"] for p in (milk, bread, butter, oat, ghee)}
    assert list(stock.values()) == [9, 9, 10, 8, 9]
    sold = [(await shop.now(p))["units_sold"] for p in (milk, bread, butter, oat, ghee)]
    assert sold == [1, 1, 0, 2, 1]
    await picker.assert_ledger_holds(milk, bread, butter, oat, ghee)
    kinds = [m["kind"] for m in await picker.movements(milk)]
    assert kinds == ["picking_return", "sale", "initial"]
    oat_moves = await picker.movements(oat)
    assert [(m["kind"], m["quantity"], m["order_id"]) for m in oat_moves[:1]] == [
        ("substitution", -2, order["id"])
    ]


async def test_a_pick_sent_again_gives_back_the_substitute_it_replaces(
    picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    milk, oat, soy = await shop.product("1.50"), await shop.product("1.00"), await shop.product()
    order = await picker.placed_by(ann, (milk, 2))
    await picker.start(order)

    await picker.pick(
        order, 0, picked_quantity=0, substitute={"product_id": oat["id"], "quantity": 2}
    )
    await picker.pick(
        order, 0, picked_quantity=0, substitute={"product_id": soy["id"], "quantity": 1}
    )
    again = await picker.pick(order, 0, picked_quantity=1)

    assert again["items"][0]["substitute"] is None
    assert [(await shop.now(p))["stock"] for p in (oat, soy)] == [10, 10]
    assert [m["kind"] for m in await picker.movements(oat)] == [
        "substitution",
        "substitution",
        "initial",
    ]
    await picker.assert_ledger_holds(milk, oat, soy)


async def test_a_swap_to_a_substitute_short_of_stock_keeps_the_one_taken(
    picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    """The give-back and the take are one step: the take refused, the give-back is undone."""
    milk, oat, scarce = await shop.product(), await shop.product(), await shop.product(stock=1)
    order = await picker.placed_by(ann, (milk, 2))
    await picker.start(order)
    await picker.pick(order, 0, **_sub(oat, 2))

    assert_problem(await picker.try_pick(order, 0, **_sub(scarce, 2)), 409, "insufficient_stock")

    kept = (await picker.order(order))["items"][0]["substitute"]
    assert (kept["product_id"], kept["quantity"]) == (oat["id"], 2)
    assert [(await shop.now(p))["stock"] for p in (oat, scarce)] == [8, 1]
    await picker.assert_ledger_holds(oat, scarce)


# --- the promo ----------------------------------------------------------------


async def test_the_promo_is_worked_out_again_and_never_grows(
    picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    promo = await shop.promo(value="10", min_order_amount="15.00")
    pears = await shop.product("10.00")
    melon = await picker.weighed("10.00", "1.000")
    order = await picker.placed_by(ann, (pears, 2), (melon, 1), promo=promo)
    assert amounts(order) == ("30.00", "3.00", "27.00", "27.00")
    await picker.start(order)

    # One pear short: 10.00 left (below the code's minimum, which stays met); the melon
    # weighs more: 11.00, a discount that would grow is kept at most the checkout's.
    await picker.pick(order, 0, picked_quantity=1)
    await picker.pick(order, 1, picked_quantity=1, picked_weight_kg="1.100")
    done = await picker.complete(order)

    assert amounts(done) == ("21.00", "2.10", "18.90", "27.00")
    assert sum(float(line) for line in finals(done) if line) == pytest.approx(18.90)


async def test_the_discount_never_exceeds_the_checkouts(
    picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    promo = await shop.promo(value="10")
    melon = await picker.weighed("10.00", "1.000")
    order = await picker.placed_by(ann, (melon, 2), promo=promo)
    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=2, picked_weight_kg="2.200")
    done = await picker.complete(order)
    assert amounts(done) == ("22.00", "2.00", "20.00", "18.00")


# --- sales counters, reports and alerts --------------------------------------


async def test_sales_counters_and_reports_count_what_was_handed_over(
    picker: Picker, shop: Shop, client: Client, ann: SignedInUser
) -> None:
    milk, oat = await shop.product("2.00"), await shop.product("1.00")
    order = await picker.placed_by(ann, (milk, 5))
    await picker.start(order)
    await picker.pick(
        order, 0, picked_quantity=2, substitute={"product_id": oat["id"], "quantity": 3}
    )
    await picker.complete(order)

    expected = {milk["id"]: (2, "4.00", 1), oat["id"]: (3, "3.00", 1)}
    for params in ({}, {"from": "2000-01-01", "to": "2999-12-31"}):  # counters, then lines
        rows = await _report(client, shop, "sales-by-product", **params)
        got = {r["product_id"]: (r["units_sold"], r["revenue"], r["orders"]) for r in rows}
        assert {k: got[k] for k in expected} == expected, params
        over_time = await _report(client, shop, "sales-over-time", interval="month")
        assert sum(p["units"] for p in over_time) == 5
        assert sum(float(p["revenue"]) for p in over_time) == pytest.approx(7.00)


async def test_a_product_picked_short_of_everything_no_longer_counts_the_order(
    picker: Picker, shop: Shop, client: Client, ann: SignedInUser
) -> None:
    milk, eggs = await shop.product("2.00"), await shop.product("3.00")
    order = await picker.placed_by(ann, (milk, 1), (eggs, 1))
    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=0)
    await picker.pick(order, 1, picked_quantity=1)
    await picker.complete(order)

    rows = await _report(client, shop, "sales-by-product", **{"from": "2000-01-01"})
    got = {r["product_id"]: (r["units_sold"], r["orders"]) for r in rows}
    assert (got[milk["id"]], got[eggs["id"]]) == ((0, 0), (1, 1))
    assert (await shop.now(milk))["units_sold"] == 0


async def test_low_stock_alerts_follow_picking_both_ways(
    picker: Picker, shop: Shop, client: Client, ann: SignedInUser
) -> None:
    milk = await shop.product("1.00", stock=6, threshold=5)
    oat = await shop.product("1.00", stock=6, threshold=5)
    order = await picker.placed_by(ann, (milk, 3))  # 3 left: below 5, an alert opens
    assert milk["id"] in await _open_alerts(client, shop)
    await picker.start(order)

    await picker.pick(
        order, 0, picked_quantity=1, substitute={"product_id": oat["id"], "quantity": 2}
    )
    assert oat["id"] in await _open_alerts(client, shop)  # 4 left
    await picker.complete(order)  # two milks back: 5, no longer low

    assert milk["id"] not in await _open_alerts(client, shop)
    assert [(await shop.now(p))["stock"] for p in (milk, oat)] == [5, 4]


# --- cancelling and shipping --------------------------------------------------


@pytest.mark.parametrize("completed", [False, True])
async def test_cancelling_a_picked_order_puts_back_what_it_holds(
    completed: bool, picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    milk, oat = await shop.product("2.00"), await shop.product("1.00")
    order = await picker.placed_by(ann, (milk, 4))
    await picker.start(order)
    await picker.pick(
        order, 0, picked_quantity=1, substitute={"product_id": oat["id"], "quantity": 2}
    )
    if completed:
        await picker.complete(order)

    response = await shop.client.post(
        f"/api/orders/{order['id']}/cancel", headers=shop.manager.headers
    )

    assert response.status_code == 200, response.text
    assert [(await shop.now(p))["stock"] for p in (milk, oat)] == [10, 10]
    assert [(await shop.now(p))["units_sold"] for p in (milk, oat)] == [0, 0]
    await picker.assert_ledger_holds(milk, oat)


async def test_an_order_with_weighed_lines_ships_only_once_picked(
    picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    apples = await picker.weighed()
    order = await picker.placed_by(ann, (apples, 2), (await shop.product(), 1))
    await picker.start(order)

    assert_problem(await picker.try_step(order, "shipped"), 409, "picking_incomplete")
    await picker.pick(order, 0, picked_quantity=2, picked_weight_kg="1.000")
    await picker.pick(order, 1, picked_quantity=1)
    assert_problem(await picker.try_step(order, "shipped"), 409, "picking_incomplete")
    await picker.complete(order)
    shipped = await picker.try_step(order, "shipped")
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["status"] == "shipped"


async def test_an_order_with_nothing_weighed_may_skip_picking(
    picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    promo = await shop.promo(value="10")
    milk, eggs = await shop.product("2.00"), await shop.product("3.00")
    order = await picker.placed_by(ann, (milk, 2), (eggs, 1), promo=promo)
    assert (await picker.try_step(order, "processing")).status_code == 200

    shipped = await picker.try_step(order, "shipped")

    assert shipped.status_code == 200, shipped.text
    body = shipped.json()
    assert [i["picked_quantity"] for i in body["items"]] == [2, 1]
    assert finals(body) == [i["line_total"] for i in order["items"]]
    assert amounts(body) == (order["subtotal"], order["discount"], order["total"], order["total"])
    assert [(await shop.now(p))["units_sold"] for p in (milk, eggs)] == [2, 1]
    await picker.assert_ledger_holds(milk, eggs)


# --- bad input: clear problems, nothing changes -------------------------------


async def test_bad_picks_are_refused_and_change_nothing(
    picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    apples = await picker.weighed("3.00", "0.500")
    milk = await shop.product("2.00")
    bread = await shop.product("3.00")
    archived, scarce = await shop.product(), await shop.product(stock=1)
    await shop.client.delete(f"/api/products/{archived['id']}", headers=shop.manager.headers)
    order = await picker.placed_by(ann, (apples, 2), (milk, 2))
    plain = await picker.placed_by(ann, (bread, 1), substitution="none")
    await picker.start(order)
    await picker.start(plain)

    refusals: list[tuple[Json, int, dict[str, Any], int, str]] = [
        (order, 1, {"picked_quantity": 3}, 422, "validation_error"),
        (order, 1, {"picked_quantity": -1}, 422, "validation_error"),
        (order, 1, {"picked_quantity": 1, "picked_weight_kg": "0.500"}, 422, "validation_error"),
        (order, 0, {"picked_quantity": 2}, 422, "validation_error"),
        (order, 0, {"picked_quantity": 2, "picked_weight_kg": "0"}, 422, "validation_error"),
        (order, 0, {"picked_quantity": 2, "picked_weight_kg": "100.001"}, 422, "validation_error"),
        (order, 1, _sub(milk), 422, "substitution_not_allowed"),
        (order, 1, _sub(archived), 422, "validation_error"),
        (
            order,
            1,
            {"picked_quantity": 0, "substitute": {"product_id": plain["id"]}},
            422,
            "validation_error",
        ),
        (order, 1, {**_sub(bread), "picked_quantity": 2}, 422, "substitution_not_allowed"),
        (order, 1, _sub(scarce, 2), 409, "insufficient_stock"),
        (plain, 0, _sub(milk), 422, "substitution_not_allowed"),
    ]
    for target, index, body, status, code in refusals:
        assert_problem(await picker.try_pick(target, index, **body), status, code)

    now = await picker.order(order)
    assert [i["picked_quantity"] for i in now["items"]] == [None, None]
    assert [(await shop.now(p))["stock"] for p in (milk, bread, scarce)] == [8, 9, 1]
    await picker.assert_ledger_holds(milk, bread, scarce, apples)


async def test_picks_and_completion_only_while_the_order_is_being_picked(
    picker: Picker, shop: Shop, ann: SignedInUser, client: Client
) -> None:
    milk = await shop.product("2.00")
    order = await picker.placed_by(ann, (milk, 2), (await shop.product(), 1))

    assert_problem(await picker.try_pick(order, 0, picked_quantity=1), 409, "not_picking")
    assert_problem(await picker.try_complete(order), 409, "not_picking")
    await picker.start(order)
    started_again = await shop.client.post(
        f"/api/orders/{order['id']}/picking", headers=shop.manager.headers
    )
    assert_problem(started_again, 409, "invalid_status_transition")
    await picker.pick(order, 0, picked_quantity=1)
    unpicked = assert_problem(await picker.try_complete(order), 422, "lines_not_picked")
    assert [e["line_id"] for e in unpicked["errors"]] == [order["items"][1]["id"]]
    await picker.pick(order, 1, picked_quantity=1)
    await picker.complete(order)
    stock_after = (await shop.now(milk))["stock"]

    assert_problem(await picker.try_complete(order), 409, "not_picking")
    assert_problem(await picker.try_pick(order, 0, picked_quantity=2), 409, "not_picking")
    assert (await shop.now(milk))["stock"] == stock_after == 9
    assert len(await picker.movements(milk)) == 3  # initial, sale, one return
    unknown = await client.put(
        f"/api/orders/{order['id']}/picks/{milk['id']}",
        json={"picked_quantity": 1},
        headers=shop.manager.headers,
    )
    assert_problem(unknown, 404, "not_found")


async def test_customers_can_not_pick(picker: Picker, shop: Shop, ann: SignedInUser) -> None:
    order = await picker.placed_by(ann, (await shop.product(), 1))
    response = await shop.client.post(f"/api/orders/{order['id']}/picking", headers=ann.headers)
    assert_problem(response, 403, "forbidden")


def _sub(product: Json, quantity: int = 1) -> dict[str, Any]:
    return {"picked_quantity": 0, "substitute": {"product_id": product["id"], "quantity": quantity}}


async def _report(client: Client, shop: Shop, name: str, **params: Any) -> list[Json]:
    response = await client.get(
        f"/api/reports/{name}",
        params={"category": shop.aisle["id"], "limit": 100, **params},
        headers=shop.manager.headers,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _open_alerts(client: Client, shop: Shop) -> set[str]:
    response = await client.get(
        "/api/alerts/low-stock",
        params={"status": "open", "limit": 100},
        headers=shop.manager.headers,
    )
    assert response.status_code == 200, response.text
    return {alert["product"]["id"] for alert in response.json()["items"]}
