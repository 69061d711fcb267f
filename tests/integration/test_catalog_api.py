"""The manager's catalog over HTTP on PostgreSQL: categories, products, validation, guards."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import pytest
from sqlalchemy import text

from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import (
    PROBLEM,
    Client,
    Json,
    add_category,
    add_product,
    set_units_sold,
    tag,
)
from tests.integration.conftest import MakeUser, SignedInUser

# --- who may ------------------------------------------------------------------

SOME_ID = "0190a000-0000-7000-8000-000000000000"
MANAGER_ROUTES = [
    ("POST", "/api/categories"),
    ("PATCH", "/api/categories/anything"),
    ("DELETE", "/api/categories/anything"),
    ("POST", "/api/products"),
    ("PATCH", f"/api/products/{SOME_ID}"),
    ("DELETE", f"/api/products/{SOME_ID}"),
    ("POST", f"/api/products/{SOME_ID}/images"),
    ("DELETE", f"/api/products/{SOME_ID}/images/{SOME_ID}"),
]


@pytest.mark.parametrize(("method", "path"), MANAGER_ROUTES)
async def test_manager_routes_refuse_anonymous_callers(
    client: Client, method: str, path: str
) -> None:
    response = await client.request(method, path, json={})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(("method", "path"), MANAGER_ROUTES)
async def test_manager_routes_refuse_customers(
    client: Client, make_user: MakeUser, method: str, path: str
) -> None:
    customer = await make_user(role="customer")

    response = await client.request(method, path, json={}, headers=customer.headers)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_admins_manage_the_catalog_too(client: Client, make_user: MakeUser) -> None:
    admin = await make_user(role="admin")

    await add_category(client, admin.headers)


# --- categories ---------------------------------------------------------------


async def test_category_slug_is_derived_from_the_name(
    client: Client, manager: SignedInUser
) -> None:
    t = tag()
    created = await add_category(client, manager.headers, f"Crème & Cheese {t}")

    assert created["slug"] == f"creme-cheese-{t}"
    assert created["product_count"] == 0
    by_slug = await client.get(f"/api/categories/{created['slug']}")
    by_id = await client.get(f"/api/categories/{created['id']}")
    assert by_slug.json() == by_id.json() == created


async def test_category_with_a_taken_slug_or_name_is_409(
    client: Client, manager: SignedInUser
) -> None:
    first = await add_category(client, manager.headers)

    same_slug = await client.post(
        "/api/categories",
        json={"name": f"Other {tag()}", "slug": first["slug"]},
        headers=manager.headers,
    )
    same_name = await client.post(
        "/api/categories",
        json={"name": first["name"].upper(), "slug": f"other-{tag()}"},
        headers=manager.headers,
    )

    assert same_slug.status_code == same_name.status_code == 409
    assert same_slug.json()["code"] == same_name.json()["code"] == "already_exists"
    assert same_slug.json()["errors"] == [{"field": "slug", "message": "is already taken"}]
    assert same_name.json()["errors"] == [{"field": "name", "message": "is already taken"}]


async def test_category_list_counts_visible_products(
    client: Client, manager: SignedInUser, adapters: Adapters
) -> None:
    category = await add_category(client, manager.headers)
    await add_product(client, manager.headers, category, f"Kept {tag()}")
    sold = await add_product(client, manager.headers, category, f"Sold {tag()}")
    await set_units_sold(adapters.database, sold, 1)
    await client.delete(f"/api/products/{sold['id']}", headers=manager.headers)  # archived

    listed = (await client.get("/api/categories")).json()

    assert listed["next_cursor"] is None
    mine = [c for c in listed["items"] if c["id"] == category["id"]]
    assert mine == [{**category, "product_count": 1}]


async def test_category_rename_keeps_its_slug(client: Client, manager: SignedInUser) -> None:
    category = await add_category(client, manager.headers)
    new_name = f"Renamed {tag()}"

    response = await client.patch(
        f"/api/categories/{category['slug']}", json={"name": new_name}, headers=manager.headers
    )

    assert response.status_code == 200
    assert response.json() == {**category, "name": new_name}


async def test_category_with_products_cannot_be_deleted(
    client: Client, manager: SignedInUser
) -> None:
    category = await add_category(client, manager.headers)
    await add_product(client, manager.headers, category, f"Stays {tag()}")

    response = await client.delete(f"/api/categories/{category['id']}", headers=manager.headers)

    assert response.status_code == 409
    assert response.json()["code"] == "category_not_empty"
    assert (await client.get(f"/api/categories/{category['id']}")).status_code == 200


async def test_empty_category_is_deleted(client: Client, manager: SignedInUser) -> None:
    category = await add_category(client, manager.headers)

    response = await client.delete(f"/api/categories/{category['slug']}", headers=manager.headers)

    assert response.status_code == 204
    assert (await client.get(f"/api/categories/{category['id']}")).status_code == 404


async def test_unknown_category_is_404(client: Client) -> None:
    response = await client.get("/api/categories/no-such-aisle")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- products -----------------------------------------------------------------


async def test_new_product_answers_the_contract_shape(
    client: Client, manager: SignedInUser
) -> None:
    category = await add_category(client, manager.headers)
    t = tag()

    product = await add_product(
        client,
        manager.headers,
        category,
        f"Honeycrisp Apples {t}",
        description="Crisp and sweet.",
        price="3.5",
        stock=40,
        unit="kg",
    )

    assert product == {
        "id": product["id"],
        "name": f"Honeycrisp Apples {t}",
        "slug": f"honeycrisp-apples-{t}",
        "description": "Crisp and sweet.",
        "category": {"id": category["id"], "name": category["name"], "slug": category["slug"]},
        "price": "3.50",
        "stock": 40,
        "unit": "kg",
        "in_stock": True,
        "units_sold": 0,
        "low_stock_threshold": 10,  # GROCERY_LOW_STOCK_THRESHOLD's default
        "images": [],
        "created_at": product["created_at"],
        "sold_by": "each",  # v2: sold by the piece unless told
        "step_kg": None,
        "step_price": None,
        "tax_class_id": None,  # v2: taxed as its category is
    }
    assert datetime.fromisoformat(product["created_at"]).utcoffset() is not None
    by_slug = await client.get(f"/api/products/{product['slug']}")
    assert by_slug.json() == product


async def test_product_with_a_taken_slug_is_409(client: Client, manager: SignedInUser) -> None:
    category = await add_category(client, manager.headers)
    first = await add_product(client, manager.headers, category, f"Oat Milk {tag()}")

    response = await client.post(
        "/api/products",
        json={"name": first["name"], "category_id": category["id"], "price": "2", "stock": 1},
        headers=manager.headers,
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_exists"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": "-1.00"}, "price"),
        ({"price": -1}, "price"),
        ({"price": "12.505"}, "price"),
        ({"price": "1e2"}, "price"),
        ({"price": "100000.00"}, "price"),
        ({"stock": -1}, "stock"),
        ({"unit": "crate"}, "unit"),
        ({"low_stock_threshold": -5}, "low_stock_threshold"),
        ({"name": "   "}, "name"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"category_id": str(uuid4())}, "category_id"),
    ],
)
async def test_invalid_product_is_422_naming_the_field(
    client: Client, manager: SignedInUser, fields: Json, field: str
) -> None:
    category = await add_category(client, manager.headers)
    body = {"name": f"Item {tag()}", "category_id": category["id"], "price": "1", "stock": 1}

    response = await client.post("/api/products", json={**body, **fields}, headers=manager.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert field in {error["field"] for error in response.json()["errors"]}


async def test_patch_changes_only_the_fields_sent(client: Client, manager: SignedInUser) -> None:
    category = await add_category(client, manager.headers)
    product = await add_product(client, manager.headers, category, f"Rye Bread {tag()}")

    response = await client.patch(
        f"/api/products/{product['id']}",
        json={"price": "4.25", "stock": 0},
        headers=manager.headers,
    )

    assert response.status_code == 200
    assert response.json() == {**product, "price": "4.25", "stock": 0, "in_stock": False}
    assert (await client.get(f"/api/products/{product['id']}")).json() == response.json()


async def test_patch_moves_a_product_and_refuses_a_taken_slug(
    client: Client, manager: SignedInUser
) -> None:
    first = await add_category(client, manager.headers)
    second = await add_category(client, manager.headers)
    other = await add_product(client, manager.headers, first, f"Brie {tag()}")
    product = await add_product(client, manager.headers, first, f"Camembert {tag()}")

    moved = await client.patch(
        f"/api/products/{product['id']}",
        json={"category_id": second["id"]},
        headers=manager.headers,
    )
    clash = await client.patch(
        f"/api/products/{product['id']}", json={"slug": other["slug"]}, headers=manager.headers
    )

    assert moved.json()["category"]["id"] == second["id"]
    assert clash.status_code == 409
    assert clash.json()["code"] == "already_exists"


async def test_product_never_ordered_is_deleted(
    client: Client, manager: SignedInUser, adapters: Adapters
) -> None:
    category = await add_category(client, manager.headers)
    product = await add_product(client, manager.headers, category, f"Kale {tag()}")

    response = await client.delete(f"/api/products/{product['id']}", headers=manager.headers)

    assert response.status_code == 204
    assert (await client.get(f"/api/products/{product['id']}")).status_code == 404
    assert await _stored_archived(adapters, product) is None


async def test_product_once_ordered_is_archived_not_deleted(
    client: Client, manager: SignedInUser, adapters: Adapters
) -> None:
    category = await add_category(client, manager.headers)
    product = await add_product(client, manager.headers, category, f"Figs {tag()}")
    await set_units_sold(adapters.database, product, 3)

    response = await client.delete(f"/api/products/{product['id']}", headers=manager.headers)

    assert response.status_code == 204
    assert (await client.get(f"/api/products/{product['slug']}")).status_code == 404
    assert await _stored_archived(adapters, product) is True
    listed = await client.get("/api/products", params={"category": category["slug"]})
    assert listed.json()["items"] == []
    again = await client.delete(f"/api/products/{product['id']}", headers=manager.headers)
    assert again.status_code == 404


async def test_a_product_that_order_lines_point_at_is_archived(
    client: Client, manager: SignedInUser, adapters: Adapters
) -> None:
    category = await add_category(client, manager.headers)
    product = await add_product(client, manager.headers, category, f"Dates {tag()}")
    # Stands in for checkout's order lines: a row that must keep its product.
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE test_order_lines (product_id uuid NOT NULL REFERENCES products)")
        )
        await connection.execute(
            text("INSERT INTO test_order_lines VALUES (:id)"), {"id": product["id"]}
        )
    try:
        response = await client.delete(f"/api/products/{product['id']}", headers=manager.headers)
    finally:
        async with adapters.database.engine.begin() as connection:
            await connection.execute(text("DROP TABLE test_order_lines"))

    assert response.status_code == 204
    assert await _stored_archived(adapters, product) is True


async def _stored_archived(adapters: Adapters, product: Json) -> bool | None:
    async with adapters.database.connect() as connection:
        found = await connection.execute(
            text("SELECT archived FROM products WHERE id = :id"), {"id": product["id"]}
        )
        return found.scalar()
