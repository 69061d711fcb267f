"""Guest carts over HTTP on PostgreSQL: a shopper fills a cart with only X-Cart-Token, then
brings it into their own cart at sign-in (POST /api/cart/merge)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Client, Json, assert_problem
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import MakeUser, SignedInUser


@dataclass(frozen=True)
class Guest:
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Cart-Token": self.token}


async def open_guest_cart(client: Client | httpx.AsyncClient) -> Guest:
    response = await client.post("/api/guest-carts")
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return Guest(response.json()["cart_token"])


@pytest.fixture
async def guest(client: Client) -> Guest:
    return await open_guest_cart(client)


async def fill(client: Client, holder: Guest | SignedInUser, *lines: tuple[Json, int]) -> Json:
    """Put these (product, quantity) lines in the cart, in this order; the cart after."""
    answer: Any = None
    for product, quantity in lines:
        answer = await client.post(
            "/api/cart/items",
            json={"product_id": product["id"], "quantity": quantity},
            headers=holder.headers,
        )
        assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


async def cart_of(client: Client, holder: Guest | SignedInUser) -> Json:
    response = await client.get("/api/cart", headers=holder.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def merge(client: Client, user: SignedInUser, guest: Guest) -> httpx.Response:
    return await client.post(
        "/api/cart/merge", json={"cart_token": guest.token}, headers=user.headers
    )


def lines(cart: Json) -> dict[str, int]:
    return {item["product_id"]: item["quantity"] for item in cart["items"]}


# --- opening one and using it -------------------------------------------------


async def test_a_guest_cart_token_is_opaque_and_new_each_time(client: Client) -> None:
    first, second = await open_guest_cart(client), await open_guest_cart(client)

    assert first.token != second.token
    assert first.token.startswith("gc_") and "." not in first.token  # not a JWT
    assert len(first.token) >= 40


async def test_the_guest_cart_is_stored_by_its_hash_only(
    client: Client, guest: Guest, adapters: Adapters
) -> None:
    async with adapters.database.begin() as connection:
        stored = (await connection.execute(text("SELECT token_hash FROM guest_carts"))).scalars()
        hashes = list(stored)
    assert hashes and guest.token not in hashes
    assert all(guest.token not in stored_hash for stored_hash in hashes)


async def test_a_guest_fills_changes_and_empties_a_cart_with_the_cart_token(
    client: Client, shop: Shop, guest: Guest
) -> None:
    apples, pears = await shop.product("2.00"), await shop.product("3.00")

    added = await client.post(
        "/api/cart/items",
        json={"product_id": apples["id"], "quantity": 2, "substitution": "none"},
        headers=guest.headers,
    )
    assert added.status_code == 201, added.text
    await fill(client, guest, (pears, 1), (apples, 1))
    changed = await client.patch(
        f"/api/cart/items/{pears['id']}", json={"quantity": 4}, headers=guest.headers
    )
    assert changed.status_code == 200, changed.text
    cart = await cart_of(client, guest)
    assert lines(cart) == {apples["id"]: 3, pears["id"]: 4}
    assert (cart["subtotal"], cart["total"]) == ("18.00", "18.00")
    assert cart["items"][0]["substitution"] == "none"

    removed = await client.delete(f"/api/cart/items/{pears['id']}", headers=guest.headers)
    assert removed.status_code == 204
    assert lines(await cart_of(client, guest)) == {apples["id"]: 3}
    emptied = await client.delete("/api/cart", headers=guest.headers)
    assert emptied.status_code == 204
    assert (await cart_of(client, guest))["items"] == []  # the token still opens it


async def test_a_guest_cart_keeps_to_the_stock_and_line_rules(
    client: Client, shop: Shop, guest: Guest
) -> None:
    apples = await shop.product(stock=3)

    too_many = await client.post(
        "/api/cart/items", json={"product_id": apples["id"], "quantity": 4}, headers=guest.headers
    )
    assert_problem(too_many, 409, "insufficient_stock")
    assert (await cart_of(client, guest))["items"] == []


async def test_each_guest_sees_only_their_own_cart_and_customers_theirs(
    client: Client, shop: Shop, guest: Guest, ann: SignedInUser
) -> None:
    other = await open_guest_cart(client)
    apples, pears, plums = await shop.product(), await shop.product(), await shop.product()
    await fill(client, guest, (apples, 1))
    await fill(client, other, (pears, 2))
    await fill(client, ann, (plums, 3))

    assert lines(await cart_of(client, guest)) == {apples["id"]: 1}
    assert lines(await cart_of(client, other)) == {pears["id"]: 2}
    assert lines(await cart_of(client, ann)) == {plums["id"]: 3}
    # A customer sending a guest token too addresses their own cart.
    both = await client.get("/api/cart", headers={**ann.headers, **guest.headers})
    assert lines(both.json()) == {plums["id"]: 3}


async def test_a_guest_applies_and_drops_a_promo_code(
    client: Client, shop: Shop, guest: Guest
) -> None:
    apples = await shop.product("10.00")
    promo = await shop.promo(value="10")
    await fill(client, guest, (apples, 1))

    applied = await client.put(
        "/api/cart/promo", json={"code": promo["code"]}, headers=guest.headers
    )
    assert applied.status_code == 200, applied.text
    assert (applied.json()["promo_code"], applied.json()["total"]) == (promo["code"], "9.00")
    dropped = await client.delete("/api/cart/promo", headers=guest.headers)
    assert dropped.status_code == 204
    assert (await cart_of(client, guest))["promo_code"] is None


# --- what a guest can't do, and tokens in the wrong place ---------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/checkout"),
        ("GET", "/api/orders"),
        ("GET", "/api/wishlist"),
        ("GET", "/api/auth/me"),
        ("POST", "/api/cart/merge"),
    ],
)
async def test_a_guest_cant_check_out_see_orders_or_a_wishlist(
    client: Client, shop: Shop, guest: Guest, method: str, path: str
) -> None:
    await fill(client, guest, (await shop.product(), 1))

    response = await client.request(method, path, headers=guest.headers, json={})

    body = assert_problem(response, 401, "not_authenticated")
    assert "guest" in body["detail"] and "sign in" in body["detail"]


async def test_a_guest_token_sent_as_a_bearer_token_is_refused_clearly(
    client: Client, guest: Guest
) -> None:
    for path in ("/api/cart", "/api/orders"):
        response = await client.get(path, headers={"Authorization": f"Bearer {guest.token}"})
        body = assert_problem(response, 401, "invalid_token")
        assert "X-Cart-Token" in body["detail"]


async def test_an_access_token_sent_as_a_cart_token_is_refused_clearly(
    client: Client, ann: SignedInUser
) -> None:
    access_token = ann.headers["Authorization"].removeprefix("Bearer ")

    response = await client.get("/api/cart", headers={"X-Cart-Token": access_token})

    body = assert_problem(response, 401, "invalid_cart_token")
    assert "Authorization: Bearer" in body["detail"]


@pytest.mark.parametrize("token", ["gc_forged", "gc_", ""])
async def test_an_unknown_cart_token_is_refused(client: Client, token: str) -> None:
    response = await client.get("/api/cart", headers={"X-Cart-Token": token})

    assert_problem(response, 401, "invalid_cart_token")


async def test_a_cart_left_idle_for_thirty_days_is_gone(
    client: Client, shop: Shop, guest: Guest, ann: SignedInUser, adapters: Adapters
) -> None:
    await fill(client, guest, (await shop.product(), 1))
    await _idle(adapters, guest, days=29)
    assert len((await cart_of(client, guest))["items"]) == 1  # used now: 30 days from here
    await _idle(adapters, guest, days=30, minutes=1)

    assert_problem(await client.get("/api/cart", headers=guest.headers), 401, "invalid_cart_token")
    assert_problem(await merge(client, ann, guest), 404, "not_found")


async def _idle(adapters: Adapters, guest: Guest, *, days: int, minutes: int = 0) -> None:
    """Every guest cart but the ones other tests hold stays; this one was last used then."""
    async with adapters.database.begin() as connection:
        await connection.execute(
            text(
                "UPDATE guest_carts SET last_used_at = now() - make_interval(days => :days,"
                " mins => :minutes) WHERE token_hash = encode(sha256(convert_to(:token, 'UTF8')),"
                " 'hex')"
            ),
            {"days": days, "minutes": minutes, "token": guest.token},
        )


# --- merging at sign-in -------------------------------------------------------


async def test_merging_adds_the_guests_lines_to_the_customers_and_ends_the_guest_cart(
    client: Client, shop: Shop, guest: Guest, ann: SignedInUser
) -> None:
    apples, pears, plums = (
        await shop.product("1.00"),
        await shop.product("2.00"),
        await shop.product("3.00"),
    )
    await fill(client, ann, (apples, 2), (pears, 1))
    await fill(client, guest, (plums, 1), (apples, 3))

    merged = await merge(client, ann, guest)

    assert merged.status_code == 200, merged.text
    cart = merged.json()
    assert [(i["product_id"], i["quantity"]) for i in cart["items"]] == [
        (apples["id"], 5),
        (pears["id"], 1),
        (plums["id"], 1),
    ]
    assert (cart["subtotal"], cart["currency"]) == ("10.00", "USD")
    assert cart == await cart_of(client, ann)
    assert_problem(await client.get("/api/cart", headers=guest.headers), 401, "invalid_cart_token")
    assert_problem(await merge(client, ann, guest), 404, "not_found")


async def test_merged_quantities_are_capped_by_the_stock_and_the_line_limit(
    client: Client, shop: Shop, guest: Guest, ann: SignedInUser
) -> None:
    scarce, plenty = await shop.product(stock=5), await shop.product(stock=5000)
    archived_later = await shop.product(stock=5)
    await fill(client, ann, (scarce, 3), (plenty, 600))
    await fill(client, guest, (scarce, 4), (plenty, 600), (archived_later, 2))
    await shop.edit(archived_later, stock=0)

    merged = await merge(client, ann, guest)

    assert merged.status_code == 200, merged.text
    assert lines(merged.json()) == {scarce["id"]: 5, plenty["id"]: 999}


async def test_the_customers_own_line_is_never_cut_by_a_merge(
    client: Client, shop: Shop, guest: Guest, ann: SignedInUser
) -> None:
    apples = await shop.product(stock=10)
    await fill(client, ann, (apples, 8))
    await fill(client, guest, (apples, 1))
    await shop.edit(apples, stock=4)  # the customer's line now holds more than the shelf

    merged = await merge(client, ann, guest)

    assert lines(merged.json()) == {apples["id"]: 8}


async def test_merging_keeps_the_customers_own_substitution_choices_and_promo_code(
    client: Client, shop: Shop, guest: Guest, ann: SignedInUser
) -> None:
    apples, pears, plums = await shop.product("10.00"), await shop.product(), await shop.product()
    own, guests = await shop.promo(value="10"), await shop.promo(value="50")
    await client.post(
        "/api/cart/items",
        json={"product_id": apples["id"], "substitution": "none"},
        headers=ann.headers,
    )
    await fill(client, ann, (pears, 1))
    await shop.apply(ann, own)
    for product, preferred in ((apples, pears), (pears, apples), (plums, apples)):
        await client.post(
            "/api/cart/items",
            json={"product_id": product["id"], "preferred_substitute_id": preferred["id"]},
            headers=guest.headers,
        )
    await client.put("/api/cart/promo", json={"code": guests["code"]}, headers=guest.headers)

    cart = (await merge(client, ann, guest)).json()

    choices = {
        i["product_id"]: (i["substitution"], i["preferred_substitute_id"]) for i in cart["items"]
    }
    assert choices == {
        apples["id"]: ("none", None),  # the customer chose
        pears["id"]: ("allow", apples["id"]),  # the customer left the default: the guest's
        plums["id"]: ("allow", apples["id"]),
    }
    assert cart["promo_code"] == own["code"]


async def test_a_customer_without_a_code_takes_the_guests(
    client: Client, shop: Shop, guest: Guest, ann: SignedInUser
) -> None:
    apples = await shop.product("10.00")
    promo = await shop.promo(value="10")
    await fill(client, guest, (apples, 1))
    await client.put("/api/cart/promo", json={"code": promo["code"]}, headers=guest.headers)

    cart = (await merge(client, ann, guest)).json()

    assert (cart["promo_code"], cart["total"]) == (promo["code"], "9.00")


async def test_the_merged_cart_checks_out(
    client: Client, shop: Shop, guest: Guest, ann: SignedInUser
) -> None:
    apples = await shop.product("2.00", stock=5)
    await fill(client, guest, (apples, 2))
    assert (await merge(client, ann, guest)).status_code == 200

    placed = await checkout(client, ann)

    assert placed.status_code == 201, placed.text
    assert (await shop.now(apples))["stock"] == 3


@pytest.mark.parametrize("token", ["gc_forged", "", "not a token"])
async def test_merging_an_unknown_token_is_not_found(
    client: Client, ann: SignedInUser, token: str
) -> None:
    response = await merge(client, ann, Guest(token))

    assert_problem(response, 404, "not_found")
    assert (await cart_of(client, ann))["items"] == []


async def test_a_guest_adding_to_a_cart_merged_meanwhile_is_told_the_token_is_gone(
    client: Client, shop: Shop, guest: Guest, ann: SignedInUser
) -> None:
    apples = await shop.product()
    await fill(client, guest, (apples, 1))
    assert (await merge(client, ann, guest)).status_code == 200

    response = await client.post(
        "/api/cart/items", json={"product_id": apples["id"]}, headers=guest.headers
    )

    assert_problem(response, 401, "invalid_cart_token")


# --- races --------------------------------------------------------------------


@pytest.fixture
async def server(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as racing:
        yield racing


@pytest.mark.parametrize("round_", range(3))
async def test_two_merges_of_one_guest_cart_at_once_merge_it_once(
    round_: int,
    server: httpx.AsyncClient,
    client: Client,
    shop: Shop,
    make_user: MakeUser,
) -> None:
    apples, pears = await shop.product(stock=100), await shop.product(stock=100)
    ann = await make_user()
    guest = await open_guest_cart(server)
    await fill(client, guest, (apples, 3), (pears, 2))
    body = {"cart_token": guest.token}

    answers = await asyncio.gather(
        *(server.post("/api/cart/merge", json=body, headers=ann.headers) for _ in range(4))
    )

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200, 404, 404, 404], [a.text for a in answers]
    assert lines(await cart_of(client, ann)) == {apples["id"]: 3, pears["id"]: 2}


@pytest.mark.parametrize("round_", range(3))
async def test_two_guest_carts_merged_at_once_into_one_cart_both_count(
    round_: int,
    server: httpx.AsyncClient,
    client: Client,
    shop: Shop,
    make_user: MakeUser,
) -> None:
    apples = await shop.product(stock=100)
    ann = await make_user()
    guests = [await open_guest_cart(server) for _ in range(4)]
    for guest in guests:
        await fill(client, guest, (apples, 2))

    answers = await asyncio.gather(
        *(
            server.post("/api/cart/merge", json={"cart_token": g.token}, headers=ann.headers)
            for g in guests
        )
    )

    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert lines(await cart_of(client, ann)) == {apples["id"]: 8}
