"""The catalog in PostgreSQL: the repositories the use cases write categories, products and
their images through. The storefront's hot reads are in catalog_reads.py.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, delete, exists, insert, or_, select, update

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.catalog import categories, product_images, products
from grocery.adapters.sql.schema.orders import order_lines
from grocery.core.catalog import Category, Product, ProductImage, Unit, as_id
from grocery.core.errors import InUse
from grocery.core.weights import SoldBy

# --- categories ---------------------------------------------------------------


class SqlCategoryRepository:
    """The unique indexes decide, so two managers racing for one slug can't both win
    (adapters/sql/errors.py names the refusals)."""

    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, category: Category) -> None:
        await self._sql.execute(insert(categories).values(_category_values(category)))

    async def get(self, ref: str) -> Category | None:
        category_id = as_id(ref)
        condition = (
            categories.c.id == category_id if category_id else categories.c.slug == ref.lower()
        )
        row = (await self._sql.execute(select(categories).where(condition))).first()
        return None if row is None else Category(row.id, row.name, row.slug, row.tax_class_id)

    async def update(self, category: Category) -> None:
        await self._sql.execute(
            update(categories)
            .where(categories.c.id == category.id)
            .values(_category_values(category))
        )

    async def delete(self, category_id: UUID) -> None:
        # The foreign keys decide, so a product added meanwhile can't be orphaned.
        await self._sql.execute(delete(categories).where(categories.c.id == category_id))


def _category_values(category: Category) -> dict[str, Any]:
    return {
        "id": category.id,
        "name": category.name,
        "slug": category.slug,
        "tax_class_id": category.tax_class_id,
    }


# --- products -----------------------------------------------------------------

_PRODUCT_COLUMNS = [
    products.c[name]
    for name in (
        "id",
        "category_id",
        "name",
        "slug",
        "description",
        "price",
        "stock",
        "unit",
        "low_stock_threshold",
        "created_at",
        "units_sold",
        "archived",
        "sold_by",
        "step_kg",
        "tax_class_id",
    )
]


class SqlProductRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, product: Product) -> None:
        values = {**_editable_values(product), "id": product.id, "created_at": product.created_at}
        await self._sql.execute(insert(products).values(values))

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None:
        query = select(*_PRODUCT_COLUMNS).where(products.c.id == product_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._sql.execute(query)).mappings().first()
        return None if row is None else _product(row)

    async def update(self, product: Product) -> None:
        await self._sql.execute(
            update(products).where(products.c.id == product.id).values(_editable_values(product))
        )

    async def archive(self, product_id: UUID) -> None:
        await self._sql.execute(
            update(products).where(products.c.id == product_id).values(archived=True)
        )

    async def delete(self, product_id: UUID) -> bool:
        # In a savepoint, so a row that orders still point at is refused without spoiling
        # the transaction: the caller archives it instead.
        try:
            async with self._sql.savepoint():
                await self._sql.execute(delete(products).where(products.c.id == product_id))
        except InUse:
            return False
        return True

    async def was_ever_ordered(self, product_id: UUID) -> bool:
        # Order lines remember it even after a cancellation took its units_sold back.
        ordered = exists().where(order_lines.c.product_id == product_id)
        query = select(or_(products.c.units_sold > 0, ordered)).where(products.c.id == product_id)
        return bool((await self._sql.execute(query)).scalar())


def _editable_values(product: Product) -> dict[str, Any]:
    return {
        "category_id": product.category_id,
        "name": product.name,
        "slug": product.slug,
        "description": product.description,
        "price": product.price,
        "stock": product.stock,
        "unit": product.unit.value,
        "low_stock_threshold": product.low_stock_threshold,
        "sold_by": product.sold_by.value,
        "step_kg": product.step_kg,
        "tax_class_id": product.tax_class_id,
    }


def _product(row: RowMapping) -> Product:
    return Product(**{**row, "unit": Unit(row["unit"]), "sold_by": SoldBy(row["sold_by"])})


# --- images -------------------------------------------------------------------


class SqlProductImageRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, image: ProductImage) -> None:
        await self._sql.execute(
            insert(product_images).values(
                id=image.id,
                product_id=image.product_id,
                key=image.key,
                content_type=image.content_type,
                size=image.size,
                width=image.width,
                height=image.height,
            )
        )

    async def get(self, product_id: UUID, image_id: UUID) -> ProductImage | None:
        query = select(product_images).where(
            product_images.c.id == image_id, product_images.c.product_id == product_id
        )
        row = (await self._sql.execute(query)).mappings().first()
        return None if row is None else ProductImage(**row)

    async def of_product(self, product_id: UUID) -> list[ProductImage]:
        query = (
            select(product_images)
            .where(product_images.c.product_id == product_id)
            .order_by(product_images.c.id)
        )
        return [ProductImage(**row) for row in (await self._sql.execute(query)).mappings()]

    async def delete(self, image_id: UUID) -> None:
        await self._sql.execute(delete(product_images).where(product_images.c.id == image_id))
