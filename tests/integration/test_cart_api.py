"""The cart over HTTP on PostgreSQL: lines, stock, concurrency, promo codes, isolation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import text

from grocery.config import Settings
from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import (
    Client,
    Json,
    add_category,
    assert_problem,
    set_units_sold,
)
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser, app_in_this_loop


class Stock(Shop):
    """The shop's shelves as the cart sees them: products keep the configured low-stock
    threshold, and may be archived."""

    async def product(
        self, price: str = "2.50", stock: int = 10, threshold: int | None = None
    ) -> Json:
        return await super().product(price, stock, threshold)

    async def archive(self, product: Json, adapters: Adapters) -> None:
        await set_units_sold(adapters.database, product, 1)  # once ordered: archived, not deleted
        response = await self.client.delete(
            f"/api/products/{product['id']}", headers=self.manager.headers
        )
        assert response.status_code == 204, response.text


@pytest.fixture
def stock(client: Client, manager: SignedInUser, aisle: Json) -> Stock:
    return Stock(client, manager, aisle)


async def add(client: Client, user: SignedInUser, product: Json, quantity: Any = 1) -> Any:
    return await client.post(
        "/api/cart/items",
        json={"product_id": product["id"], "quantity": quantity},
        headers=user.headers,
    )


async def cart_of(client: Client, user: SignedInUser) -> Json:
    response = await client.get("/api/cart", headers=user.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def lines(cart: Json) -> dict[str, int]:
    return {item["product_id"]: item["quantity"] for item in cart["items"]}


# --- who may ------------------------------------------------------------------

SOME_ID = "0190a000-0000-7000-8000-000000000000"
CART_ROUTES = [
    ("GET", "/api/cart"),
    ("DELETE", "/api/cart"),
    ("POST", "/api/cart/items"),
    ("PATCH", f"/api/cart/items/{SOME_ID}"),
    ("DELETE", f"/api/cart/items/{SOME_ID}"),
    ("PUT", "/api/cart/promo"),
    ("DELETE", "/api/cart/promo"),
]


@pytest.mark.parametrize(("method", "path"), CART_ROUTES)
async def test_the_cart_needs_a_signed_in_caller(client: Client, method: str, path: str) -> None:
    response = await client.request(method, path, json={})

    assert_problem(response, 401, "not_authenticated")


# --- showing and adding -------------------------------------------------------


async def test_an_empty_cart(client: Client, ann: SignedInUser) -> None:
    assert await cart_of(client, ann) == {
        "items": [],
        "subtotal": "0.00",
        "discount": "0.00",
        "tax": "0.00",  # v2: taxes, added on top unless prices include them
        "delivery_fee": "0.00",
        "total": "0.00",
        "prices_include_tax": False,
        "promo_code": None,
        "currency": "USD",
        "promo_problem": None,
        "fulfilment": None,
    }


async def test_adding_makes_a_line_then_grows_it(
    client: Client, ann: SignedInUser, stock: Stock
) -> None:
    apples = await stock.product("2.50")

    made = await add(client, ann, apples, 2)
    grown = await add(client, ann, apples, 3)

    assert made.status_code == 201, made.text
    assert made.json()["items"] == [
        {
            "product_id": apples["id"],
            "name": apples["name"],
            "unit_price": "2.50",
            "quantity": 2,
            "line_total": "5.00",
            "available": True,
            "discount": "0.00",
            "tax": "0.00",  # v2: an untaxed product
            # v2: a line by the piece, substitutes allowed unless the customer says none
            "estimated": False,
            "estimated_weight_kg": None,
            "substitution": "allow",
            "preferred_substitute_id": None,
        }
    ]
    assert grown.status_code == 200, grown.text
    assert lines(grown.json()) == {apples["id"]: 5}
    assert (grown.json()["subtotal"], grown.json()["total"]) == ("12.50", "12.50")
    assert lines(await cart_of(client, ann)) == {apples["id"]: 5}


async def test_quantity_defaults_to_one_and_trailing_slashes_work(
    client: Client, ann: SignedInUser, stock: Stock
) -> None:
    apples = await stock.product()

    response = await client.post(
        "/api/cart/items/", json={"product_id": apples["id"]}, headers=ann.headers
    )

    assert response.status_code == 201, response.text
    shown = await client.get("/api/cart/", headers=ann.headers)
    assert lines(shown.json()) == {apples["id"]: 1}


@pytest.mark.parametrize("quantity", [0, -2, 1000, "two", None])
async def test_quantity_outside_1_to_999_is_422(
    client: Client, ann: SignedInUser, stock: Stock, quantity: Any
) -> None:
    apples = await stock.product(stock=5000)

    response = await add(client, ann, apples, quantity)

    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "quantity"
    assert (await cart_of(client, ann))["items"] == []


async def test_unknown_or_archived_products_are_404(
    client: Client, ann: SignedInUser, stock: Stock, adapters: Adapters
) -> None:
    archived = await stock.product()
    await stock.archive(archived, adapters)

    for product in (archived, {"id": str(uuid4())}):
        assert_problem(await add(client, ann, product), 404, "not_found")


async def test_more_than_in_stock_is_409_saying_how_many(
    client: Client, ann: SignedInUser, stock: Stock
) -> None:
    apples = await stock.product(stock=10)
    await add(client, ann, apples, 8)

    response = await add(client, ann, apples, 3)

    body = assert_problem(response, 409, "insufficient_stock")
    assert body["errors"] == [
        {
            "field": "quantity",
            "message": "only 10 in stock",
            "product_id": apples["id"],
            "requested": 11,
            "available": 10,
        }
    ]
    assert lines(await cart_of(client, ann)) == {apples["id"]: 8}


async def test_a_line_holds_at_most_999(client: Client, ann: SignedInUser, stock: Stock) -> None:
    rice = await stock.product(stock=5000)
    await add(client, ann, rice, 999)

    assert_problem(await add(client, ann, rice, 1), 422, "validation_error")


@pytest.fixture
async def racing_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app in this test's own event loop, so gathered requests really interleave."""
    async with app_in_this_loop(settings) as racing:
        yield racing


async def test_concurrent_adds_to_one_line_lose_no_increment(
    client: Client, racing_client: httpx.AsyncClient, ann: SignedInUser, stock: Stock
) -> None:
    apples = await stock.product(stock=100)
    body = {"product_id": apples["id"], "quantity": 1}

    answers = await asyncio.gather(
        *(racing_client.post("/api/cart/items", json=body, headers=ann.headers) for _ in range(12))
    )

    assert sorted(answer.status_code for answer in answers) == [200] * 11 + [201]
    assert lines(await cart_of(client, ann)) == {apples["id"]: 12}


async def test_concurrent_adds_never_take_the_line_past_the_stock(
    client: Client, racing_client: httpx.AsyncClient, ann: SignedInUser, stock: Stock
) -> None:
    apples = await stock.product(stock=5)
    body = {"product_id": apples["id"], "quantity": 1}

    answers = await asyncio.gather(
        *(racing_client.post("/api/cart/items", json=body, headers=ann.headers) for _ in range(9))
    )

    codes = [answer.status_code for answer in answers]
    assert (sum(code < 300 for code in codes), codes.count(409)) == (5, 4)
    assert lines(await cart_of(client, ann)) == {apples["id"]: 5}


# --- prices and availability are live ----------------------------------------


async def test_the_cart_shows_todays_price(client: Client, ann: SignedInUser, stock: Stock) -> None:
    apples = await stock.product("2.50")
    await add(client, ann, apples, 2)

    await stock.edit(apples, price="3.10")

    cart = await cart_of(client, ann)
    assert (cart["items"][0]["unit_price"], cart["total"]) == ("3.10", "6.20")


async def test_archived_and_short_lines_show_unavailable(
    client: Client, ann: SignedInUser, stock: Stock, adapters: Adapters
) -> None:
    kept, archived, short = (
        await stock.product("1.00"),
        await stock.product(),
        await stock.product(),
    )
    for product in (kept, archived, short):
        await add(client, ann, product, 2)

    await stock.archive(archived, adapters)
    await stock.edit(short, stock=1)

    cart = await cart_of(client, ann)
    shown = {item["product_id"]: (item["available"], item["line_total"]) for item in cart["items"]}
    assert shown == {
        kept["id"]: (True, "2.00"),
        archived["id"]: (False, "0.00"),
        short["id"]: (False, "0.00"),
    }
    assert cart["total"] == "2.00"


async def test_a_deleted_product_leaves_the_cart(
    client: Client, ann: SignedInUser, stock: Stock, manager: SignedInUser
) -> None:
    apples = await stock.product()
    await add(client, ann, apples)

    deleted = await client.delete(f"/api/products/{apples['id']}", headers=manager.headers)

    assert deleted.status_code == 204, deleted.text
    assert (await cart_of(client, ann))["items"] == []


# --- changing and removing lines ----------------------------------------------


async def test_patch_sets_the_quantity_and_zero_removes(
    client: Client, ann: SignedInUser, stock: Stock
) -> None:
    apples, pears = await stock.product(), await stock.product()
    await add(client, ann, apples, 1)
    await add(client, ann, pears, 1)
    path = f"/api/cart/items/{apples['id']}"

    set_to_four = await client.patch(path, json={"quantity": 4}, headers=ann.headers)
    removed = await client.patch(path, json={"quantity": 0}, headers=ann.headers)

    assert set_to_four.status_code == 200, set_to_four.text
    assert lines(set_to_four.json()) == {apples["id"]: 4, pears["id"]: 1}
    assert removed.status_code == 200, removed.text
    assert lines(removed.json()) == {pears["id"]: 1}


async def test_patch_refusals(client: Client, ann: SignedInUser, stock: Stock) -> None:
    apples, absent = await stock.product(stock=3), await stock.product()
    await add(client, ann, apples, 1)
    path = f"/api/cart/items/{apples['id']}"

    over = await client.patch(path, json={"quantity": 4}, headers=ann.headers)
    negative = await client.patch(path, json={"quantity": -1}, headers=ann.headers)
    missing = await client.patch(
        f"/api/cart/items/{absent['id']}", json={"quantity": 1}, headers=ann.headers
    )

    assert assert_problem(over, 409, "insufficient_stock")["errors"][0]["available"] == 3
    assert_problem(negative, 422, "validation_error")
    assert_problem(missing, 404, "not_found")
    assert lines(await cart_of(client, ann)) == {apples["id"]: 1}


async def test_delete_a_line(client: Client, ann: SignedInUser, stock: Stock) -> None:
    apples = await stock.product()
    await add(client, ann, apples)
    path = f"/api/cart/items/{apples['id']}"

    first = await client.delete(path, headers=ann.headers)
    again = await client.delete(path, headers=ann.headers)

    assert first.status_code == 204
    assert_problem(again, 404, "not_found")
    assert (await cart_of(client, ann))["items"] == []


async def test_delete_the_cart_empties_it(client: Client, ann: SignedInUser, stock: Stock) -> None:
    promo = await stock.promo()
    for product in (await stock.product(), await stock.product()):
        await add(client, ann, product)
    await client.put("/api/cart/promo", json={"code": promo["code"]}, headers=ann.headers)

    response = await client.delete("/api/cart", headers=ann.headers)

    assert response.status_code == 204
    cart = await cart_of(client, ann)
    assert (cart["items"], cart["promo_code"]) == ([], None)


# --- one customer, one cart ---------------------------------------------------


async def test_no_customer_reads_or_changes_anothers_cart(
    client: Client, ann: SignedInUser, bob: SignedInUser, stock: Stock
) -> None:
    apples = await stock.product()
    promo = await stock.promo()
    await add(client, ann, apples, 2)
    await client.put("/api/cart/promo", json={"code": promo["code"]}, headers=ann.headers)
    path = f"/api/cart/items/{apples['id']}"

    seen_by_bob = await cart_of(client, bob)
    patched = await client.patch(path, json={"quantity": 9}, headers=bob.headers)
    deleted = await client.delete(path, headers=bob.headers)
    await client.delete("/api/cart", headers=bob.headers)
    await client.delete("/api/cart/promo", headers=bob.headers)

    assert (seen_by_bob["items"], seen_by_bob["promo_code"]) == ([], None)
    assert_problem(patched, 404, "not_found")
    assert_problem(deleted, 404, "not_found")
    anns = await cart_of(client, ann)
    assert (lines(anns), anns["promo_code"]) == ({apples["id"]: 2}, promo["code"])


# --- promo codes --------------------------------------------------------------


async def test_applying_a_code_prices_the_cart_with_it(
    client: Client, ann: SignedInUser, stock: Stock
) -> None:
    promo = await stock.promo(value="10")
    apples = await stock.product("5.00")
    await add(client, ann, apples, 3)

    response = await client.put(
        "/api/cart/promo", json={"code": promo["code"].lower()}, headers=ann.headers
    )

    assert response.status_code == 200, response.text
    cart = response.json()
    assert (cart["subtotal"], cart["discount"], cart["total"]) == ("15.00", "1.50", "13.50")
    assert (cart["promo_code"], cart["items"][0]["discount"]) == (promo["code"], "1.50")
    assert (await cart_of(client, ann))["promo_code"] == promo["code"]


async def test_dropping_the_code(client: Client, ann: SignedInUser, stock: Stock) -> None:
    promo = await stock.promo()
    await add(client, ann, await stock.product("5.00"))
    await client.put("/api/cart/promo", json={"code": promo["code"]}, headers=ann.headers)

    response = await client.delete("/api/cart/promo", headers=ann.headers)

    assert response.status_code == 204
    cart = await cart_of(client, ann)
    assert (cart["promo_code"], cart["discount"]) == (None, "0.00")


LATER = (datetime.now(UTC) + timedelta(days=30)).isoformat()
EARLIER = (datetime.now(UTC) - timedelta(days=30)).isoformat()
REFUSALS = [
    ({"is_active": False}, "promo_inactive"),
    ({"starts_at": LATER}, "promo_not_started"),
    (
        {"starts_at": EARLIER, "expires_at": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
        "promo_expired",
    ),
    ({"min_order_amount": "100.00"}, "promo_min_order_not_met"),
]


@pytest.mark.parametrize(("terms", "reason"), REFUSALS)
async def test_an_unusable_code_is_422_with_its_reason(
    client: Client, ann: SignedInUser, stock: Stock, terms: Json, reason: str
) -> None:
    promo = await stock.promo(**terms)
    await add(client, ann, await stock.product("5.00"))

    response = await client.put(
        "/api/cart/promo", json={"code": promo["code"]}, headers=ann.headers
    )

    assert_problem(response, 422, reason)
    assert (await cart_of(client, ann))["promo_code"] is None


async def test_an_unknown_code_is_422_promo_not_found(client: Client, ann: SignedInUser) -> None:
    response = await client.put("/api/cart/promo", json={"code": "NO-SUCH"}, headers=ann.headers)

    assert_problem(response, 422, "promo_not_found")


async def test_a_code_for_other_categories_is_422_not_applicable(
    client: Client, ann: SignedInUser, stock: Stock, manager: SignedInUser
) -> None:
    other = await add_category(client, manager.headers)
    promo = await stock.promo(category_ids=[other["id"]])
    await add(client, ann, await stock.product("5.00"))

    response = await client.put(
        "/api/cart/promo", json={"code": promo["code"]}, headers=ann.headers
    )

    assert_problem(response, 422, "promo_not_applicable")


async def test_a_used_up_code_is_422_usage_limit_reached(
    client: Client, ann: SignedInUser, stock: Stock, adapters: Adapters
) -> None:
    promo = await stock.promo(max_uses=2)
    await add(client, ann, await stock.product("5.00"))
    async with adapters.database.engine.begin() as connection:  # what checkout will do
        await connection.execute(
            text("UPDATE promo_codes SET times_used = 2 WHERE id = :id"), {"id": promo["id"]}
        )

    response = await client.put(
        "/api/cart/promo", json={"code": promo["code"]}, headers=ann.headers
    )

    assert_problem(response, 422, "promo_usage_limit_reached")


async def test_a_saved_code_gone_stale_is_left_off_with_the_reason(
    client: Client, ann: SignedInUser, stock: Stock, manager: SignedInUser
) -> None:
    promo = await stock.promo()
    await add(client, ann, await stock.product("5.00"), 2)
    await client.put("/api/cart/promo", json={"code": promo["code"]}, headers=ann.headers)

    await client.patch(
        f"/api/promo-codes/{promo['id']}", json={"expires_at": EARLIER}, headers=manager.headers
    )

    cart = await cart_of(client, ann)
    assert (cart["promo_code"], cart["promo_problem"]) == (None, "promo_expired")
    assert (cart["discount"], cart["total"]) == ("0.00", "10.00")


async def test_a_deleted_code_leaves_the_carts(
    client: Client, ann: SignedInUser, stock: Stock, manager: SignedInUser
) -> None:
    promo = await stock.promo()
    await add(client, ann, await stock.product("5.00"))
    await client.put("/api/cart/promo", json={"code": promo["code"]}, headers=ann.headers)

    await client.delete(f"/api/promo-codes/{promo['id']}", headers=manager.headers)

    cart = await cart_of(client, ann)
    assert (cart["promo_code"], cart["promo_problem"]) == (None, None)


# --- the database's own checks ------------------------------------------------


async def test_the_database_refuses_a_line_outside_1_to_999(
    client: Client, ann: SignedInUser, stock: Stock, adapters: Adapters
) -> None:
    apples = await stock.product()
    await add(client, ann, apples)

    with pytest.raises(Exception, match="ck_cart_items_quantity_range"):
        async with adapters.database.engine.begin() as connection:
            await connection.execute(
                text("UPDATE cart_items SET quantity = 1000 WHERE product_id = :id"),
                {"id": apples["id"]},
            )
