"""Weighed products and substitution choices over HTTP: a product sold by the kg in steps,
its estimated cart and order lines, and the customer's choice on each cart line."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.catalog_shop import Client, Json, add_product, assert_problem, tag
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser
from tests.integration.picking_shop import Picker


@pytest.fixture
def picker(shop: Shop) -> Picker:
    return Picker(shop)


async def test_a_weighed_product_shows_its_step_and_step_price(picker: Picker, shop: Shop) -> None:
    cheese = await picker.weighed("13.99", "0.250", stock=40)
    assert (cheese["sold_by"], cheese["unit"], cheese["step_kg"], cheese["step_price"]) == (
        "weight",
        "kg",
        "0.250",
        "3.50",  # 3.4975 half up
    )
    assert (cheese["price"], cheese["stock"]) == ("13.99", 40)
    assert (await shop.now(cheese))["step_price"] == "3.50"
    restepped = await shop.edit(cheese, step_kg="0.500")
    assert (restepped["step_kg"], restepped["step_price"]) == ("0.500", "7.00")
    by_piece = await shop.edit(cheese, sold_by="each")
    assert (by_piece["sold_by"], by_piece["step_kg"], by_piece["step_price"]) == (
        "each",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"sold_by": "weight"}, {"step_kg"}),
        ({"sold_by": "weight", "step_kg": "0"}, {"step_kg"}),
        ({"sold_by": "weight", "step_kg": "0.0005"}, {"step_kg"}),
        ({"sold_by": "weight", "step_kg": "0.5", "unit": "piece"}, {"unit"}),
        ({"step_kg": "0.5"}, {"step_kg"}),
        ({"sold_by": "bunch"}, {"sold_by"}),
    ],
)
async def test_a_weighed_product_needs_a_step_and_the_kg(
    fields: Json, bad: set[str], client: Client, shop: Shop
) -> None:
    body = {"name": f"Loose {tag()}", "category_id": shop.aisle["id"], "price": "2.00", "stock": 5}
    response = await client.post(
        "/api/products", json={**body, **fields}, headers=shop.manager.headers
    )
    problem = assert_problem(response, 422, "validation_error")
    assert {error["field"] for error in problem["errors"]} == bad


async def test_weighed_lines_are_estimates_in_the_cart_and_the_order(
    picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    apples = await picker.weighed("3.98", "0.250")  # 1.00 a step
    await shop.fill(ann, (apples, 6))
    cart = await shop.cart(ann)
    line = cart["items"][0]
    assert (line["unit_price"], line["line_total"], line["estimated"]) == ("1.00", "6.00", True)
    assert line["estimated_weight_kg"] == "1.500"

    order = await picker.placed_by(ann)
    assert order["items"][0]["estimated_weight_kg"] == "1.500"
    assert (order["total"], (await shop.now(apples))["stock"]) == ("6.00", 14)


# --- substitution choices -----------------------------------------------------


async def add(shop: Shop, user: SignedInUser, product: Json, **body: Any) -> Any:
    return await shop.client.post(
        "/api/cart/items", json={"product_id": product["id"], **body}, headers=user.headers
    )


async def change(shop: Shop, user: SignedInUser, product: Json, **body: Any) -> Any:
    return await shop.client.patch(
        f"/api/cart/items/{product['id']}", json=body, headers=user.headers
    )


def choice_of(cart: Json, product: Json) -> tuple[str, str | None]:
    line = next(item for item in cart["items"] if item["product_id"] == product["id"])
    return line["substitution"], line["preferred_substitute_id"]


async def test_a_line_takes_its_choice_when_added_and_by_a_patch_of_only_the_choice(
    picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    milk, oat = await shop.product(), await shop.product()
    added = await add(shop, ann, milk, quantity=2, preferred_substitute_id=oat["id"])
    assert added.status_code == 201, added.text
    assert choice_of(added.json(), milk) == ("allow", oat["id"])

    grown = await add(shop, ann, milk, quantity=1)  # no choice sent: the line keeps its own
    assert choice_of(grown.json(), milk) == ("allow", oat["id"])
    refused = await change(shop, ann, milk, substitution="none")
    assert refused.status_code == 200, refused.text
    assert choice_of(refused.json(), milk) == ("none", None)
    assert refused.json()["items"][0]["quantity"] == 3
    both = await change(shop, ann, milk, quantity=1, substitution="allow")
    assert (choice_of(both.json(), milk), both.json()["items"][0]["quantity"]) == (
        ("allow", None),
        1,
    )
    await change(shop, ann, milk, substitution="none")

    order = await picker.placed_by(ann)
    assert (order["items"][0]["substitution"], order["items"][0]["preferred_substitute_id"]) == (
        "none",
        None,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"substitution": "maybe"}, "substitution"),
        ({"substitution": "none", "preferred_substitute_id": "OTHER"}, "preferred_substitute_id"),
        ({"preferred_substitute_id": "SELF"}, "preferred_substitute_id"),
        ({"preferred_substitute_id": "ARCHIVED"}, "preferred_substitute_id"),
        ({"preferred_substitute_id": "UNKNOWN"}, "preferred_substitute_id"),
        ({}, "quantity"),
    ],
)
async def test_a_bad_choice_is_refused_and_changes_nothing(
    body: Json, field: str, shop: Shop, ann: SignedInUser
) -> None:
    milk, other, archived = await shop.product(), await shop.product(), await shop.product()
    await shop.client.delete(f"/api/products/{archived['id']}", headers=shop.manager.headers)
    ids = {"OTHER": other["id"], "SELF": milk["id"], "ARCHIVED": archived["id"]}
    ids["UNKNOWN"] = str(ann.id)
    sent = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    await add(shop, ann, milk, quantity=1)

    problem = assert_problem(await change(shop, ann, milk, **sent), 422, "validation_error")

    assert [e["field"] for e in problem["errors"]] == [field]
    assert choice_of(await shop.cart(ann), milk) == ("allow", None)
    if body:
        refused_add = await add(shop, ann, milk, quantity=1, **sent)
        assert_problem(refused_add, 422, "validation_error")
        assert (await shop.cart(ann))["items"][0]["quantity"] == 1


async def test_a_choice_for_a_product_not_in_the_cart_is_404(shop: Shop, ann: SignedInUser) -> None:
    milk = await shop.product()
    assert_problem(await change(shop, ann, milk, substitution="none"), 404, "not_found")


async def test_a_seed_style_product_body_still_works(client: Client, shop: Shop) -> None:
    product = await add_product(client, shop.manager.headers, shop.aisle, f"Jam {tag()}")
    assert (product["sold_by"], product["unit"]) == ("each", "piece")
