"""Promo codes over HTTP on PostgreSQL: the manager's CRUD, its refusals, the schema's checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.core.errors import Invalid
from grocery.core.ids import new_id
from grocery.core.promotions import DiscountType, PromoCode
from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Client, Json, add_category, assert_problem, tag
from tests.integration.conftest import MakeUser, SignedInUser


def code() -> str:
    return f"Spring-{tag()}"


async def create(client: Client, manager: SignedInUser, **terms: Any) -> Any:
    body = {"code": code(), "discount_type": "percent", "value": "10", **terms}
    return await client.post("/api/promo-codes", json=body, headers=manager.headers)


async def created(client: Client, manager: SignedInUser, **terms: Any) -> Json:
    response = await create(client, manager, **terms)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def set_times_used(adapters: Adapters, promo: Json, times: int) -> None:
    """What checkout will do when an order redeems the code."""
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE promo_codes SET times_used = :times WHERE id = :id"),
            {"times": times, "id": promo["id"]},
        )


# --- who may ------------------------------------------------------------------

SOME_ID = "0190a000-0000-7000-8000-000000000000"
ROUTES = [
    ("GET", "/api/promo-codes"),
    ("POST", "/api/promo-codes"),
    ("GET", f"/api/promo-codes/{SOME_ID}"),
    ("PATCH", f"/api/promo-codes/{SOME_ID}"),
    ("DELETE", f"/api/promo-codes/{SOME_ID}"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_promo_codes_refuse_anonymous_callers(client: Client, method: str, path: str) -> None:
    assert_problem(await client.request(method, path, json={}), 401, "not_authenticated")


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_promo_codes_refuse_customers(
    client: Client, make_user: MakeUser, method: str, path: str
) -> None:
    customer = await make_user()

    response = await client.request(method, path, json={}, headers=customer.headers)

    assert_problem(response, 403, "forbidden")


async def test_admins_manage_promo_codes_too(client: Client, make_user: MakeUser) -> None:
    admin = await make_user(role="admin")

    assert (await create(client, admin)).status_code == 201


# --- creating -----------------------------------------------------------------


async def test_a_new_code_answers_the_contract_shape(client: Client, manager: SignedInUser) -> None:
    aisle = await add_category(client, manager.headers)
    typed = code()

    response = await create(
        client,
        manager,
        code=typed,
        value="12.5",
        starts_at="2030-01-01T00:00:00Z",
        expires_at="2030-02-01T00:00:00+01:00",
        min_order_amount="20",
        max_discount="5",
        max_uses=100,
        max_uses_per_customer=1,
        category_ids=[aisle["id"]],
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body.pop("id")
    assert body.pop("created_at").endswith("Z")
    assert body == {
        "code": typed.upper(),
        "discount_type": "percent",
        "value": "12.50",
        "is_active": True,
        "starts_at": "2030-01-01T00:00:00Z",
        "expires_at": "2030-01-31T23:00:00Z",
        "min_order_amount": "20.00",
        "max_discount": "5.00",
        "max_uses": 100,
        "max_uses_per_customer": 1,
        "category_ids": [aisle["id"]],
        "times_used": 0,
    }


async def test_codes_are_unique_ignoring_case(client: Client, manager: SignedInUser) -> None:
    first = await created(client, manager)

    response = await create(client, manager, code=first["code"].lower())

    body = assert_problem(response, 409, "already_exists")
    assert body["errors"] == [{"field": "code", "message": "is already taken"}]


@pytest.mark.parametrize(
    ("terms", "fields"),
    [
        ({"value": "150"}, ["value"]),
        ({"value": "0"}, ["value"]),
        ({"discount_type": "fixed", "value": "0"}, ["value"]),
        ({"value": "12.345"}, ["value"]),
        ({"code": "two words"}, ["code"]),
        (
            {"starts_at": "2030-02-01T00:00:00Z", "expires_at": "2030-01-01T00:00:00Z"},
            ["expires_at"],
        ),
        ({"max_uses": 0, "min_order_amount": "-5"}, ["min_order_amount", "max_uses"]),
    ],
)
async def test_broken_terms_are_422_naming_each_field(
    client: Client, manager: SignedInUser, terms: Json, fields: list[str]
) -> None:
    body = assert_problem(await create(client, manager, **terms), 422, "validation_error")

    assert sorted(error["field"] for error in body["errors"]) == sorted(fields)


@pytest.mark.parametrize(
    "body",
    [
        {"discount_type": "percent", "value": "10"},
        {"code": "X", "discount_type": "half-off", "value": "10"},
        {"code": "X", "discount_type": "percent", "value": "10", "is_active": "yes"},
    ],
)
async def test_malformed_bodies_are_422(client: Client, manager: SignedInUser, body: Json) -> None:
    response = await client.post("/api/promo-codes", json=body, headers=manager.headers)

    assert_problem(response, 422, "validation_error")


async def test_unknown_categories_are_422(client: Client, manager: SignedInUser) -> None:
    ghost = str(uuid4())

    body = assert_problem(
        await create(client, manager, category_ids=[ghost]), 422, "validation_error"
    )

    assert body["errors"] == [{"field": "category_ids", "message": f"no such category: {ghost}"}]


# --- reading and listing ------------------------------------------------------


async def test_a_code_is_read_by_id(client: Client, manager: SignedInUser) -> None:
    promo = await created(client, manager)

    found = await client.get(f"/api/promo-codes/{promo['id']}", headers=manager.headers)
    missing = await client.get(f"/api/promo-codes/{uuid4()}", headers=manager.headers)

    assert (found.status_code, found.json()) == (200, promo)
    assert_problem(missing, 404, "not_found")


async def test_codes_list_newest_first_in_pages(client: Client, manager: SignedInUser) -> None:
    made = [await created(client, manager) for _ in range(3)]

    first = await client.get("/api/promo-codes", params={"limit": 2}, headers=manager.headers)
    cursor = first.json()["next_cursor"]
    second = await client.get(
        "/api/promo-codes/", params={"limit": 2, "cursor": cursor}, headers=manager.headers
    )

    assert [p["id"] for p in first.json()["items"]] == [made[2]["id"], made[1]["id"]]
    assert second.json()["items"][0]["id"] == made[0]["id"]


@pytest.mark.parametrize("params", [{"limit": 101}, {"limit": 0}, {"cursor": "%%%"}])
async def test_bad_paging_is_422(client: Client, manager: SignedInUser, params: Json) -> None:
    response = await client.get("/api/promo-codes", params=params, headers=manager.headers)

    assert_problem(response, 422, "validation_error")


# --- editing ------------------------------------------------------------------


async def test_patch_changes_what_it_names_and_null_clears(
    client: Client, manager: SignedInUser
) -> None:
    aisle = await add_category(client, manager.headers)
    promo = await created(
        client, manager, max_uses=5, expires_at="2031-01-01T00:00:00Z", category_ids=[aisle["id"]]
    )

    response = await client.patch(
        f"/api/promo-codes/{promo['id']}",
        json={"value": "15", "expires_at": None, "category_ids": []},
        headers=manager.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        **promo,
        "value": "15.00",
        "expires_at": None,
        "category_ids": [],
    }


async def test_patch_refusals(client: Client, manager: SignedInUser, adapters: Adapters) -> None:
    taken = await created(client, manager)
    promo = await created(client, manager, max_uses=10)
    await set_times_used(adapters, promo, 4)
    path = f"/api/promo-codes/{promo['id']}"

    clash = await client.patch(path, json={"code": taken["code"].lower()}, headers=manager.headers)
    too_big = await client.patch(path, json={"value": "101"}, headers=manager.headers)
    below_used = await client.patch(path, json={"max_uses": 3}, headers=manager.headers)
    null_code = await client.patch(path, json={"code": None}, headers=manager.headers)
    missing = await client.patch(
        f"/api/promo-codes/{uuid4()}", json={"value": "5"}, headers=manager.headers
    )

    assert_problem(clash, 409, "already_exists")
    assert_problem(too_big, 422, "validation_error")
    assert assert_problem(below_used, 422, "validation_error")["errors"][0]["field"] == "max_uses"
    assert_problem(null_code, 422, "validation_error")
    assert_problem(missing, 404, "not_found")
    unchanged = await client.get(path, headers=manager.headers)
    assert unchanged.json() == {**promo, "times_used": 4}


# --- deleting -----------------------------------------------------------------


async def test_an_unused_code_is_deleted(client: Client, manager: SignedInUser) -> None:
    promo = await created(client, manager)
    path = f"/api/promo-codes/{promo['id']}"

    response = await client.delete(path, headers=manager.headers)

    assert response.status_code == 204
    assert_problem(await client.get(path, headers=manager.headers), 404, "not_found")
    assert_problem(await client.delete(path, headers=manager.headers), 404, "not_found")


async def test_a_used_code_is_switched_off_and_kept(
    client: Client, manager: SignedInUser, adapters: Adapters
) -> None:
    promo = await created(client, manager)
    await set_times_used(adapters, promo, 1)
    path = f"/api/promo-codes/{promo['id']}"

    response = await client.delete(path, headers=manager.headers)

    assert response.status_code == 204
    kept = await client.get(path, headers=manager.headers)
    assert kept.json() == {**promo, "is_active": False, "times_used": 1}


async def test_a_category_a_code_is_limited_to_cant_be_deleted(
    client: Client, manager: SignedInUser
) -> None:
    aisle = await add_category(client, manager.headers)
    promo = await created(client, manager, category_ids=[aisle["id"]])

    response = await client.delete(f"/api/categories/{aisle['id']}", headers=manager.headers)

    assert response.status_code == 409, response.text
    kept = await client.get(f"/api/promo-codes/{promo['id']}", headers=manager.headers)
    assert kept.json()["category_ids"] == [aisle["id"]]


# --- the database's own checks ------------------------------------------------


def promo_row(**terms: Any) -> PromoCode:
    values: dict[str, Any] = {"discount_type": DiscountType.PERCENT, "value": 10, **terms}
    return PromoCode(id=new_id(), code=code().upper(), created_at=datetime.now(UTC), **values)


async def test_the_store_refuses_unknown_categories(adapters: Adapters) -> None:
    """The foreign key decides even when a category vanishes after the service looked."""
    async with SqlUnitOfWork(adapters.database) as uow:
        with pytest.raises(Invalid) as caught:
            await uow.promo_codes.add(promo_row(category_ids=frozenset({uuid4()})))

    assert caught.value.errors[0]["field"] == "category_ids"


async def test_the_store_refuses_max_uses_below_times_used(adapters: Adapters) -> None:
    promo = promo_row(max_uses=5, times_used=5)
    async with SqlUnitOfWork(adapters.database) as uow:
        await uow.promo_codes.add(promo)
        await uow.commit()

    async with SqlUnitOfWork(adapters.database) as uow:
        with pytest.raises(Invalid) as caught:
            await uow.promo_codes.update(replace(promo, max_uses=4))

    assert caught.value.errors[0]["field"] == "max_uses"


@pytest.mark.parametrize(
    "values",
    [
        "'PCT', 'percent', 150",
        "'FIX', 'fixed', 0",
        "'HALF', 'half', 10",
    ],
)
async def test_the_database_refuses_broken_terms(adapters: Adapters, values: str) -> None:
    with pytest.raises(IntegrityError):
        async with adapters.database.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO promo_codes (id, code, discount_type, value, is_active, created_at)"
                    f" VALUES (gen_random_uuid(), {values}, true, now())"
                )
            )
