"""Helpers for the shop's HTTP tests: each test stocks its own uniquely named category,
so other tests' products never show up in its pages; and the check of a problem answer."""

from __future__ import annotations

import io
from typing import Any
from uuid import uuid4

from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image
from sqlalchemy import text

from grocery.adapters.sql.database import Database

Client = AsyncTestClient[Litestar]
Json = dict[str, Any]
PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int, code: str) -> Json:
    """A problem+json answer with this status and error code; its body."""
    # Messages of its own: pytest rewrites asserts in test modules only, not in helpers.
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = dict(response.json())
    assert body["code"] == code, body
    return body


def tag() -> str:
    return uuid4().hex[:8]


async def add_category(client: Client, headers: dict[str, str], name: str | None = None) -> Json:
    response = await client.post(
        "/api/categories", json={"name": name or f"Aisle {tag()}"}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def add_product(
    client: Client, headers: dict[str, str], category: Json, name: str, **fields: Any
) -> Json:
    body = {"name": name, "category_id": category["id"], "price": "1.00", "stock": 10, **fields}
    response = await client.post("/api/products", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def set_units_sold(database: Database, product: Json, units: int) -> None:
    """What checkout will do; until then tests set the popularity counter directly."""
    async with database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE products SET units_sold = :units WHERE id = :id"),
            {"units": units, "id": product["id"]},
        )


async def names(client: Client, **params: Any) -> list[str]:
    response = await client.get("/api/products", params=params)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def picture(pillow_format: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 160, 60)).save(buffer, format=pillow_format)
    return buffer.getvalue()
