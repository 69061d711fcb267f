"""The stock ledger over HTTP: every stock change is a movement, receipts and adjustments by
hand, and stock = the sum of the movements after any sequence of the shop's operations."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.integration.catalog_shop import Client, Json, assert_problem
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import MakeUser, SignedInUser
from tests.integration.picking_shop import Picker


@pytest.fixture
def picker(shop: Shop) -> Picker:
    return Picker(shop)


async def record(shop: Shop, product: Json, **body: Any) -> Any:
    return await shop.client.post(
        f"/api/products/{product['id']}/stock-movements", json=body, headers=shop.manager.headers
    )


async def test_a_new_product_starts_its_ledger_and_every_change_follows(
    picker: Picker, shop: Shop, ann: SignedInUser, manager: SignedInUser
) -> None:
    milk = await shop.product(stock=10)
    order = await shop.placed(ann, (milk, 3))
    await shop.client.post(f"/api/orders/{order['id']}/cancel", headers=ann.headers)
    await shop.edit(milk, stock=12)
    received = await record(shop, milk, kind="receipt", quantity=6, note="  pallet 7 ")
    assert received.status_code == 201, received.text
    assert (await record(shop, milk, kind="adjustment", quantity=-2)).status_code == 201

    ledger = await picker.movements(milk)

    assert [(m["kind"], m["quantity"], m["stock_after"]) for m in ledger] == [
        ("adjustment", -2, 16),
        ("receipt", 6, 18),
        ("adjustment", 2, 12),  # the PATCH of stock
        ("cancellation", 3, 10),
        ("sale", -3, 7),
        ("initial", 10, 10),
    ]
    assert ledger[1]["note"] == "pallet 7"
    assert [m["order_id"] for m in ledger[3:5]] == [order["id"], order["id"]]
    assert (ledger[4]["user_id"], ledger[1]["user_id"]) == (str(ann.id), str(manager.id))
    assert set(ledger[0]) == {
        "id",
        "kind",
        "quantity",
        "stock_after",
        "order_id",
        "note",
        "user_id",
        "created_at",
    }
    assert (await shop.now(milk))["stock"] == 16


async def test_the_ledger_pages_newest_first(picker: Picker, shop: Shop) -> None:
    milk = await shop.product(stock=1)
    for _ in range(4):
        await record(shop, milk, kind="receipt", quantity=1)
    first = await shop.client.get(
        f"/api/products/{milk['id']}/stock-movements",
        params={"limit": 2},
        headers=shop.manager.headers,
    )
    assert first.status_code == 200, first.text
    page = first.json()
    assert [m["stock_after"] for m in page["items"]] == [5, 4]
    rest = await shop.client.get(
        f"/api/products/{milk['id']}/stock-movements",
        params={"limit": 10, "cursor": page["next_cursor"]},
        headers=shop.manager.headers,
    )
    assert [m["stock_after"] for m in rest.json()["items"]] == [3, 2, 1]
    assert rest.json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "receipt", "quantity": 0}, 422, "validation_error"),
        ({"kind": "receipt", "quantity": -1}, 422, "validation_error"),
        ({"kind": "adjustment", "quantity": 0}, 422, "validation_error"),
        ({"kind": "sale", "quantity": -1}, 422, "validation_error"),
        ({"kind": "adjustment", "quantity": -4}, 409, "insufficient_stock"),
        ({"kind": "receipt", "quantity": 999_998}, 422, "validation_error"),  # past 1,000,000
        ({"kind": "receipt", "quantity": 1, "note": "x" * 501}, 422, "validation_error"),
        ({"quantity": 1}, 422, "validation_error"),
    ],
)
async def test_bad_entries_are_refused_and_change_nothing(
    body: Json, status: int, code: str, picker: Picker, shop: Shop
) -> None:
    milk = await shop.product(stock=3)
    assert_problem(await record(shop, milk, **body), status, code)
    assert (await shop.now(milk))["stock"] == 3
    assert len(await picker.movements(milk)) == 1


async def test_an_unknown_product_has_no_ledger_and_customers_see_none(
    shop: Shop, ann: SignedInUser, client: Client
) -> None:
    milk = await shop.product()
    path = f"/api/products/{ann.id}/stock-movements"
    assert_problem(await client.get(path, headers=shop.manager.headers), 404, "not_found")
    assert_problem(
        await client.post(
            path, json={"kind": "receipt", "quantity": 1}, headers=shop.manager.headers
        ),
        404,
        "not_found",
    )
    own = f"/api/products/{milk['id']}/stock-movements"
    assert_problem(await client.get(own, headers=ann.headers), 403, "forbidden")
    assert_problem(await client.get(own), 401, "not_authenticated")


async def test_a_receipt_that_lifts_stock_resolves_its_low_stock_alert(
    shop: Shop, client: Client
) -> None:
    milk = await shop.product(stock=6, threshold=5)
    await record(shop, milk, kind="adjustment", quantity=-2)
    open_now = await client.get(
        "/api/alerts/low-stock",
        params={"status": "open", "limit": 100},
        headers=shop.manager.headers,
    )
    assert milk["id"] in {a["product"]["id"] for a in open_now.json()["items"]}
    await record(shop, milk, kind="receipt", quantity=10)
    still_open = await client.get(
        "/api/alerts/low-stock",
        params={"status": "open", "limit": 100},
        headers=shop.manager.headers,
    )
    assert milk["id"] not in {a["product"]["id"] for a in still_open.json()["items"]}


# Checkouts and picks come up more often: they are what the ledger has most of.
STEPS = ["checkout"] * 3 + ["pick"] * 3 + ["cancel", "receipt", "adjust", "edit"]
EVERY_KIND = {
    "initial",
    "sale",
    "cancellation",
    "picking_return",
    "substitution",
    "receipt",
    "adjustment",
}


@pytest.mark.parametrize("seed", [1, 2, 4])
async def test_the_ledger_sums_to_stock_after_any_sequence_of_operations(
    seed: int, picker: Picker, shop: Shop, make_user: MakeUser
) -> None:
    """Checkouts, cancellations, picks with substitutes and short picks, receipts,
    adjustments and edits of stock, in a random order: every product's ledger holds."""
    chance = random.Random(seed)
    products = [await shop.product(stock=chance.randint(5, 30)) for _ in range(3)]
    products.append(await picker.weighed(stock=20))
    customers = [await make_user() for _ in range(2)]
    orders: list[Json] = []
    for _ in range(40):
        step = chance.choice(STEPS)
        if step == "checkout":
            await _check_out(shop, chance, products, chance.choice(customers), orders)
        elif step == "cancel" and orders:
            order = orders.pop(chance.randrange(len(orders)))
            await shop.client.post(
                f"/api/orders/{order['id']}/cancel", headers=shop.manager.headers
            )
        elif step == "pick" and orders:
            await _pick_all(picker, chance, products, orders.pop(chance.randrange(len(orders))))
        elif step in ("receipt", "adjust"):
            quantity = chance.randint(1, 5) * (1 if step == "receipt" else chance.choice([1, -1]))
            kind = "receipt" if step == "receipt" else "adjustment"
            await record(shop, chance.choice(products), kind=kind, quantity=quantity)
        elif step == "edit":
            await shop.edit(chance.choice(products), stock=chance.randint(0, 40))
    await picker.assert_ledger_holds(*products)
    kinds = {m["kind"] for product in products for m in await picker.movements(product)}
    assert kinds == EVERY_KIND  # the sequence made every kind of movement


async def _check_out(
    shop: Shop, chance: random.Random, products: list[Json], user: SignedInUser, orders: list[Json]
) -> None:
    for product in chance.sample(products, chance.randint(1, len(products))):
        await shop.client.post(
            "/api/cart/items",
            json={"product_id": product["id"], "quantity": chance.randint(1, 4)},
            headers=user.headers,
        )
    response = await checkout(shop.client, user)
    if response.status_code == 201:
        orders.append(response.json())
    else:  # short of stock: the cart stays as it was; start afresh
        await shop.client.delete("/api/cart", headers=user.headers)


async def _pick_all(
    picker: Picker, chance: random.Random, products: list[Json], order: Json
) -> None:
    await picker.start(order)
    for index, line in enumerate(order["items"]):
        picked = chance.randint(0, line["quantity"])
        body: dict[str, Any] = {"picked_quantity": picked}
        if line["estimated"] and picked:
            body["picked_weight_kg"] = f"{0.45 * picked:.3f}"
        others = [p for p in products if p["id"] != line["product_id"] and p["sold_by"] == "each"]
        if picked < line["quantity"] and chance.random() < 0.5:
            substitute = chance.choice(others)
            body["substitute"] = {"product_id": substitute["id"], "quantity": 1}
        response = await picker.try_pick(order, index, **body)
        assert response.status_code in (200, 409), response.text  # 409: substitute short
        if response.status_code == 409:
            await picker.pick(order, index, picked_quantity=picked, **_weight(body))
    if chance.random() < 0.8:
        await picker.complete(order)


def _weight(body: Json) -> Json:
    return {"picked_weight_kg": body["picked_weight_kg"]} if "picked_weight_kg" in body else {}
