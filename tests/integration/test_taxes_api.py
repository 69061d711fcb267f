"""Tax classes over HTTP on PostgreSQL, and the classes categories and products name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.catalog_shop import (
    PROBLEM,
    Client,
    Json,
    add_category,
    add_product,
    assert_problem,
    tag,
)
from tests.integration.conftest import MakeUser, SignedInUser

SOME_ID = "0190a000-0000-7000-8000-000000000000"
MANAGER_ROUTES = [
    ("POST", "/api/tax-classes"),
    ("PATCH", f"/api/tax-classes/{SOME_ID}"),
    ("DELETE", f"/api/tax-classes/{SOME_ID}"),
]


async def add_tax_class(
    client: Client, headers: dict[str, str], rate: str = "20", name: str | None = None
) -> Json:
    body = {"name": name or f"VAT {tag()}", "rate": rate}
    response = await client.post("/api/tax-classes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def listed(client: Client) -> list[Json]:
    response = await client.get("/api/tax-classes")
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return list(response.json()["items"])


# --- who may ------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), MANAGER_ROUTES)
async def test_manager_routes_refuse_anonymous_callers_and_customers(
    client: Client, make_user: MakeUser, method: str, path: str
) -> None:
    customer = await make_user(role="customer")
    body = {"name": "Standard", "rate": "20"}

    anonymous = await client.request(method, path, json=body)
    refused = await client.request(method, path, json=body, headers=customer.headers)

    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith(PROBLEM)
    assert_problem(refused, 403, "forbidden")


async def test_anyone_lists_the_classes_by_name(client: Client, manager: SignedInUser) -> None:
    t = tag()
    standard = await add_tax_class(client, manager.headers, "20", f"Standard {t}")
    reduced = await add_tax_class(client, manager.headers, "5.50", f"Reduced {t}")

    mine = [c for c in await listed(client) if c["name"].endswith(t)]

    assert mine == [reduced, standard]
    assert reduced["rate"] == "5.5"
    refused = await client.get("/api/tax-classes", params={"cursor": "abc"})
    assert_problem(refused, 422, "validation_error")


async def test_admins_keep_tax_classes_too(client: Client, make_user: MakeUser) -> None:
    admin = await make_user(role="admin")

    created = await add_tax_class(client, admin.headers, "8.875")

    assert created["rate"] == "8.875"


# --- a class ------------------------------------------------------------------


@pytest.mark.parametrize("rate", ["100.5", "-1", "1e2", "7.1234", "", 20, None])
async def test_a_rate_that_is_not_a_percent_string_is_refused(
    client: Client, manager: SignedInUser, rate: Any
) -> None:
    name = f"Odd {tag()}"
    response = await client.post(
        "/api/tax-classes", json={"name": name, "rate": rate}, headers=manager.headers
    )

    body = assert_problem(response, 422, "validation_error")
    assert "rate" in {e["field"] for e in body["errors"]}
    assert name not in {c["name"] for c in await listed(client)}


async def test_a_taken_name_is_a_conflict_whatever_the_case(
    client: Client, manager: SignedInUser
) -> None:
    taken = await add_tax_class(client, manager.headers)
    other = await add_tax_class(client, manager.headers)

    again = await client.post(
        "/api/tax-classes",
        json={"name": taken["name"].upper(), "rate": "1"},
        headers=manager.headers,
    )
    renamed = await client.patch(
        f"/api/tax-classes/{other['id']}", json={"name": taken["name"]}, headers=manager.headers
    )

    assert_problem(again, 409, "already_exists")
    assert_problem(renamed, 409, "already_exists")


async def test_a_class_is_renamed_and_re_rated(client: Client, manager: SignedInUser) -> None:
    created = await add_tax_class(client, manager.headers, "20")
    name = f"Standard {tag()}"

    renamed = await client.patch(
        f"/api/tax-classes/{created['id']}", json={"name": name}, headers=manager.headers
    )
    re_rated = await client.patch(
        f"/api/tax-classes/{created['id']}", json={"rate": "21"}, headers=manager.headers
    )
    wrong = await client.patch(
        f"/api/tax-classes/{created['id']}", json={"rate": "101"}, headers=manager.headers
    )

    assert renamed.json() == {"id": created["id"], "name": name, "rate": "20"}
    assert re_rated.json() == {"id": created["id"], "name": name, "rate": "21"}
    assert_problem(wrong, 422, "validation_error")
    assert {"id": created["id"], "name": name, "rate": "21"} in await listed(client)


async def test_an_unknown_class_is_not_found(client: Client, manager: SignedInUser) -> None:
    patched = await client.patch(
        f"/api/tax-classes/{SOME_ID}", json={"rate": "1"}, headers=manager.headers
    )
    deleted = await client.delete(f"/api/tax-classes/{SOME_ID}", headers=manager.headers)

    assert_problem(patched, 404, "not_found")
    assert_problem(deleted, 404, "not_found")


async def test_an_unused_class_is_deleted(client: Client, manager: SignedInUser) -> None:
    created = await add_tax_class(client, manager.headers)

    response = await client.delete(f"/api/tax-classes/{created['id']}", headers=manager.headers)

    assert response.status_code == 204
    assert created not in await listed(client)


@pytest.mark.parametrize("taxed", ["category", "product"])
async def test_a_class_in_use_is_not_deleted(
    client: Client, manager: SignedInUser, taxed: str
) -> None:
    used = await add_tax_class(client, manager.headers)
    if taxed == "category":
        await _category(client, manager, tax_class_id=used["id"])
    else:
        aisle = await add_category(client, manager.headers)
        await add_product(client, manager.headers, aisle, f"Tea {tag()}", tax_class_id=used["id"])

    response = await client.delete(f"/api/tax-classes/{used['id']}", headers=manager.headers)

    assert_problem(response, 409, "tax_class_in_use")
    assert used in await listed(client)


# --- categories and products name their class ---------------------------------


async def _category(client: Client, manager: SignedInUser, **fields: Any) -> Json:
    body = {"name": f"Aisle {tag()}", **fields}
    response = await client.post("/api/categories", json=body, headers=manager.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_category_names_its_class_and_may_drop_it(
    client: Client, manager: SignedInUser
) -> None:
    standard = await add_tax_class(client, manager.headers)
    category = await _category(client, manager, tax_class_id=standard["id"])

    shown = await client.get(f"/api/categories/{category['slug']}")
    renamed = await client.patch(
        f"/api/categories/{category['id']}", json={"name": f"Tea {tag()}"}, headers=manager.headers
    )
    dropped = await client.patch(
        f"/api/categories/{category['id']}", json={"tax_class_id": None}, headers=manager.headers
    )

    assert category["tax_class_id"] == standard["id"]
    assert shown.json()["tax_class_id"] == standard["id"]
    assert renamed.json()["tax_class_id"] == standard["id"]  # left out: kept
    assert dropped.json()["tax_class_id"] is None


async def test_a_product_names_its_class_and_may_drop_it(
    client: Client, manager: SignedInUser
) -> None:
    standard = await add_tax_class(client, manager.headers)
    aisle = await add_category(client, manager.headers)
    product = await add_product(
        client, manager.headers, aisle, f"Tea {tag()}", tax_class_id=standard["id"]
    )

    shown = await client.get(f"/api/products/{product['id']}")
    priced = await client.patch(
        f"/api/products/{product['id']}", json={"price": "2.00"}, headers=manager.headers
    )
    dropped = await client.patch(
        f"/api/products/{product['id']}", json={"tax_class_id": None}, headers=manager.headers
    )
    listed_page = await client.get("/api/products", params={"category": aisle["slug"]})

    assert product["tax_class_id"] == standard["id"]
    assert shown.json()["tax_class_id"] == standard["id"]
    assert priced.json()["tax_class_id"] == standard["id"]
    assert dropped.json()["tax_class_id"] is None
    assert [p["tax_class_id"] for p in listed_page.json()["items"]] == [None]


async def test_an_unknown_class_on_a_category_or_product_is_refused(
    client: Client, manager: SignedInUser
) -> None:
    aisle = await add_category(client, manager.headers)
    product = await add_product(client, manager.headers, aisle, f"Tea {tag()}")
    unknown = {"tax_class_id": SOME_ID}
    name = f"Aisle {tag()}"

    answers = [
        await client.post(
            "/api/categories", json={"name": name, **unknown}, headers=manager.headers
        ),
        await client.patch(f"/api/categories/{aisle['id']}", json=unknown, headers=manager.headers),
        await client.post(
            "/api/products",
            json={"name": name, "category_id": aisle["id"], "price": "1.00", "stock": 1, **unknown},
            headers=manager.headers,
        ),
        await client.patch(f"/api/products/{product['id']}", json=unknown, headers=manager.headers),
    ]

    for answer in answers:
        body = assert_problem(answer, 422, "validation_error")
        assert body["errors"] == [{"field": "tax_class_id", "message": "no such tax class"}]
    shown = await client.get(f"/api/products/{product['id']}")
    assert shown.json()["tax_class_id"] is None
