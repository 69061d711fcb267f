"""Taxes on carts, checkout, orders and picking over HTTP on PostgreSQL: a product's class
wins over its aisle's, each line is taxed after its discount share, past orders keep their
rates, and prices may include tax (GROCERY_PRICES_INCLUDE_TAX)."""

from __future__ import annotations

from typing import Any

from grocery.config import Settings
from tests.integration.catalog_shop import Json, add_product, tag
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import SignedInUser, app_in_this_loop, make_settings
from tests.integration.picking_shop import Picker


async def tax_class(shop: Shop, rate: str) -> Json:
    body = {"name": f"Tax {tag()}", "rate": rate}
    response = await shop.client.post("/api/tax-classes", json=body, headers=shop.manager.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def tax_the_aisle(shop: Shop, rate: str) -> Json:
    taxed_by = await tax_class(shop, rate)
    response = await shop.client.patch(
        f"/api/categories/{shop.aisle['id']}",
        json={"tax_class_id": taxed_by["id"]},
        headers=shop.manager.headers,
    )
    assert response.status_code == 200, response.text
    return taxed_by


async def own_class_product(shop: Shop, price: str, taxed_by: Json, **fields: Any) -> Json:
    return await add_product(
        shop.client,
        shop.manager.headers,
        shop.aisle,
        f"Item {tag()}",
        price=price,
        stock=10,
        tax_class_id=taxed_by["id"],
        **fields,
    )


def summary(order: Json) -> list[tuple[str, str, str]]:
    return [(t["tax_class"], t["rate"], t["amount"]) for t in order["taxes"]]


async def test_cart_and_order_tax_each_line_after_its_discount_share(
    shop: Shop, ann: SignedInUser
) -> None:
    standard = await tax_the_aisle(shop, "20")
    reduced = await tax_class(shop, "5.5")
    bread = await shop.product("10.00")  # taxed as its aisle is
    milk = await own_class_product(shop, "3.00", reduced)  # its own class wins
    await shop.fill(ann, (bread, 2), (milk, 1))
    await shop.apply(ann, await shop.promo(value="10"))

    cart = await shop.cart(ann)
    response = await checkout(shop.client, ann)

    # 2.30 off, spread 2.00 / 0.30: 18.00 at 20 % and 2.70 at 5.5 % (0.1485, half up).
    assert [(i["discount"], i["tax"]) for i in cart["items"]] == [
        ("2.00", "3.60"),
        ("0.30", "0.15"),
    ]
    assert (cart["subtotal"], cart["discount"], cart["tax"], cart["total"]) == (
        "23.00",
        "2.30",
        "3.75",
        "24.45",
    )
    assert cart["prices_include_tax"] is False
    assert response.status_code == 201, response.text
    order = response.json()
    assert [(i["line_total"], i["tax"]) for i in order["items"]] == [
        ("18.00", "3.60"),
        ("2.70", "0.15"),
    ]
    assert (order["tax"], order["total"], order["prices_include_tax"]) == ("3.75", "24.45", False)
    assert sorted(summary(order)) == sorted(
        [(standard["name"], "20", "3.60"), (reduced["name"], "5.5", "0.15")]
    )


async def test_a_placed_order_keeps_its_rates_when_the_class_changes(
    shop: Shop, ann: SignedInUser
) -> None:
    standard = await tax_the_aisle(shop, "20")
    bread = await shop.product("10.00")
    placed = await shop.placed(ann, (bread, 1))

    changed = await shop.client.patch(
        f"/api/tax-classes/{standard['id']}",
        json={"name": f"Renamed {tag()}", "rate": "50"},
        headers=shop.manager.headers,
    )
    await shop.fill(ann, (bread, 1))
    cart = await shop.cart(ann)
    kept = await shop.client.get(f"/api/orders/{placed['id']}", headers=ann.headers)

    assert changed.status_code == 200, changed.text
    assert (cart["tax"], cart["total"]) == ("5.00", "15.00")  # the cart prices today's rate
    assert kept.json() == placed
    assert summary(placed) == [(standard["name"], "20", "2.00")]


async def test_an_untaxed_aisle_adds_no_tax(shop: Shop, ann: SignedInUser) -> None:
    bread = await shop.product("4.00")

    order = await shop.placed(ann, (bread, 2))

    assert (order["tax"], order["taxes"], order["total"]) == ("0.00", [], "8.00")
    assert [i["tax"] for i in order["items"]] == ["0.00"]


async def test_picking_taxes_the_final_lines_again(shop: Shop, ann: SignedInUser) -> None:
    await tax_the_aisle(shop, "20")
    picker = Picker(shop)
    bread, jam = await shop.product("10.00"), await shop.product("2.50")
    order = await shop.placed(ann, (bread, 2), (jam, 1))

    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=1)
    await picker.pick(order, 1, picked_quantity=1)
    billed = await picker.complete(order)

    assert (order["tax"], order["total"]) == ("4.50", "27.00")
    assert [(i["final_line_total"], i["final_tax"]) for i in billed["items"]] == [
        ("10.00", "2.00"),
        ("2.50", "0.50"),
    ]
    assert (billed["subtotal"], billed["tax"], billed["total"]) == ("12.50", "2.50", "15.00")
    assert billed["checkout_total"] == "27.00"
    assert [t["amount"] for t in billed["taxes"]] == ["2.50"]


async def test_a_substitute_is_taxed_at_its_own_class(shop: Shop, ann: SignedInUser) -> None:
    standard = await tax_the_aisle(shop, "20")
    reduced = await tax_class(shop, "5.5")
    picker = Picker(shop)
    bread = await shop.product("10.00")
    rolls = await own_class_product(shop, "6.00", reduced)
    order = await shop.placed(ann, (bread, 2))

    await picker.start(order)
    substitute = {"product_id": rolls["id"], "quantity": 1}
    await picker.pick(order, 0, picked_quantity=1, substitute=substitute)
    billed = await picker.complete(order)
    again = await picker.order(order)

    # 10.00 at 20 % and the rolls' 6.00 at their own 5.5 % (0.33), not the bread's 20 % (1.20).
    assert [(i["final_line_total"], i["final_tax"]) for i in billed["items"]] == [("16.00", "2.33")]
    assert (billed["tax"], billed["total"]) == ("2.33", "18.33")
    assert sorted(summary(billed)) == sorted(
        [(standard["name"], "20", "2.00"), (reduced["name"], "5.5", "0.33")]
    )
    assert again == billed  # read back from PostgreSQL the same


async def test_with_prices_including_tax_the_total_stays_and_shows_the_tax_in_it(
    shop: Shop, ann: SignedInUser, database_url: str
) -> None:
    await tax_the_aisle(shop, "20")
    cheese = await shop.product("12.00")
    with_tax: Settings = make_settings(database_url, prices_include_tax=True)

    async with app_in_this_loop(with_tax) as client:
        added = await client.post(
            "/api/cart/items", json={"product_id": cheese["id"], "quantity": 1}, headers=ann.headers
        )
        placed = await checkout(client, ann)

    assert added.status_code == 201, added.text
    cart = added.json()
    assert (cart["tax"], cart["total"], cart["prices_include_tax"]) == ("2.00", "12.00", True)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["subtotal"], order["tax"], order["total"]) == ("12.00", "2.00", "12.00")
    assert order["prices_include_tax"] is True
    assert [i["tax"] for i in order["items"]] == ["2.00"]
