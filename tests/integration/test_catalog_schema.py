"""The catalog's integrity and speed live in the database too: constraints, indexes, triggers."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from grocery.entrypoints.wiring import Adapters

SORT_AND_FILTER_INDEXES = {
    "ix_products_popular",
    "ix_products_price",
    "ix_products_newest",
    "ix_products_name",
    "ix_products_category_popular",
    "ix_products_category_price",
    "ix_products_category_newest",
    "ix_products_category_name",
    "ix_products_category_id",
    "ix_products_search",
    "ix_products_name_trgm",
    "uq_products_slug",
}


async def test_every_sort_and_filter_has_its_index(adapters: Adapters) -> None:
    async with adapters.database.connect() as connection:
        found = await connection.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'products'")
        )
        definitions: dict[str, str] = dict(found.all())

    assert set(definitions) >= SORT_AND_FILTER_INDEXES
    assert "WHERE (NOT archived)" in definitions["ix_products_popular"]
    assert "gin (search)" in definitions["ix_products_search"]
    assert "gin_trgm_ops" in definitions["ix_products_name_trgm"]


async def _insert_product(adapters: Adapters, **overrides: Any) -> None:
    category_id, tag = uuid4(), uuid4().hex[:8]
    values = {
        "id": uuid4(),
        "category_id": category_id,
        "name": f"Raw {tag}",
        "slug": f"raw-{tag}",
        "price": 1,
        "stock": 1,
        "unit": "piece",
        "threshold": 0,
        "sold": 0,
    } | overrides
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO categories (id, name, slug) VALUES (:id, :name, :slug)"),
            {"id": category_id, "name": f"Raw {tag}", "slug": f"raw-{tag}"},
        )
        await connection.execute(
            text(
                "INSERT INTO products (id, category_id, name, slug, price, stock, unit,"
                " low_stock_threshold, units_sold, created_at) VALUES (:id, :category_id,"
                " :name, :slug, :price, :stock, :unit, :threshold, :sold, now())"
            ),
            values,
        )


async def test_a_sound_row_is_accepted_and_indexed_for_search(adapters: Adapters) -> None:
    product_id = uuid4()
    await _insert_product(adapters, id=product_id, name="Crème Brûlée")

    async with adapters.database.connect() as connection:
        found = await connection.execute(
            text("SELECT name_key, search::text FROM products WHERE id = :id"), {"id": product_id}
        )
        name_key, search = found.one()

    assert name_key == "creme brulee"
    assert "'brule':2A" in search and "'raw':3B" in search


@pytest.mark.parametrize(
    "overrides",
    [{"price": -1}, {"stock": -1}, {"unit": "crate"}, {"threshold": -1}, {"sold": -1}],
)
async def test_the_database_refuses_what_the_rules_refuse(
    adapters: Adapters, overrides: dict[str, Any]
) -> None:
    with pytest.raises(IntegrityError):
        await _insert_product(adapters, **overrides)
