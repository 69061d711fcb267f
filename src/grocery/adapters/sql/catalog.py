"""The catalog in PostgreSQL: tables and the repositories the use cases write through.

The storefront's hot reads are in catalog_reads.py. Columns the database maintains itself:
`name_key` (the name lowercased and unaccented, for the name sort and typo search) is
generated; `search` (the weighted tsvector) is kept by triggers, also when a category is
renamed (see migration 0003_catalog).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from advanced_alchemy.base import orm_registry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    RowMapping,
    String,
    Table,
    Text,
    Uuid,
    column,
    delete,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from grocery.core.catalog import Category, Product, ProductImage, Unit, as_id
from grocery.core.errors import AlreadyExists, Conflict, Invalid, NotFound

metadata = orm_registry.metadata

UNITS_SQL = ", ".join(f"'{unit}'" for unit in Unit)

categories = Table(
    "categories",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("slug", String(120), nullable=False, unique=True),
)
CATEGORY_NAME_INDEX = "uq_categories_name_key"  # names are unique case-insensitively
Index(CATEGORY_NAME_INDEX, func.lower(categories.c.name), unique=True)

products = Table(
    "products",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "category_id",
        Uuid,
        ForeignKey("categories.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("name", String(120), nullable=False),
    Column("slug", String(120), nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
    Column("price", Numeric(12, 2), nullable=False),
    Column("stock", Integer, nullable=False),
    Column("unit", String(8), nullable=False),
    Column("low_stock_threshold", Integer, nullable=False),
    Column("units_sold", Integer, nullable=False, server_default="0"),
    # Sales counters beside units_sold for the reports (migration 0007_sales_counters).
    Column("revenue_sold", Numeric(14, 2), nullable=False, server_default="0"),
    Column("orders_sold", Integer, nullable=False, server_default="0"),
    Column("archived", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column(
        "name_key",
        Text(collation="C"),
        Computed("lower(grocery_unaccent(name))", persisted=True),
        nullable=False,
    ),
    Column("search", TSVECTOR, FetchedValue(), nullable=False),
    CheckConstraint("price >= 0", name="price_not_negative"),
    CheckConstraint("stock >= 0", name="stock_not_negative"),
    CheckConstraint("low_stock_threshold >= 0", name="low_stock_threshold_not_negative"),
    CheckConstraint("units_sold >= 0", name="units_sold_not_negative"),
    CheckConstraint("revenue_sold >= 0", name="revenue_sold_not_negative"),
    CheckConstraint("orders_sold >= 0", name="orders_sold_not_negative"),
    CheckConstraint(f"unit IN ({UNITS_SQL})", name="unit"),
)

product_images = Table(
    "product_images",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("product_id", Uuid, ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(1024), nullable=False, unique=True),
    Column("content_type", String(32), nullable=False),
    Column("size", Integer, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    CheckConstraint("size > 0 AND width > 0 AND height > 0", name="dimensions_positive"),
    Index("ix_product_images_product_id_id", "product_id", "id"),
)

# The storefront's sorts and filters, each an index over the products shoppers can see
# (created in 0003_catalog; named here so the metadata matches the database).
_VISIBLE = ~products.c.archived
for _name, _columns in {
    "popular": (products.c.units_sold.desc(), products.c.id.desc()),
    "price": (products.c.price, products.c.id),
    "newest": (products.c.created_at.desc(), products.c.id.desc()),
    "name": (products.c.name_key, products.c.id),
}.items():
    Index(f"ix_products_{_name}", *_columns, postgresql_where=_VISIBLE)
    Index(
        f"ix_products_category_{_name}",
        products.c.category_id,
        *_columns,
        postgresql_where=_VISIBLE,
    )
Index("ix_products_search", products.c.search, postgresql_using="gin")
Index(
    "ix_products_name_trgm",
    products.c.name_key,
    postgresql_using="gin",
    postgresql_ops={"name_key": "gin_trgm_ops"},
)

# Checkout's table (adapters/sql/orders.py), named here without importing it (it imports us).
_order_lines = table("order_lines", column("product_id"))

_UNIQUE_VIOLATION = "23505"
_FOREIGN_KEY_VIOLATION = "23503"
_RESTRICT_VIOLATION = "23001"  # ON DELETE RESTRICT's own code


def _violation(error: IntegrityError) -> tuple[str | None, str]:
    """The SQLSTATE and constraint name behind SQLAlchemy's wrapper of the driver's error."""
    driver_error = error.orig.__cause__ if error.orig is not None else None
    return (
        getattr(error.orig, "sqlstate", None),
        str(getattr(driver_error, "constraint_name", None) or ""),
    )


def _taken(what: str, field: str) -> AlreadyExists:
    return AlreadyExists(
        f"A {what} with this {field} already exists.",
        errors=[{"field": field, "message": "is already taken"}],
    )


# --- categories ---------------------------------------------------------------


class SqlCategoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, category: Category) -> None:
        await self._write(insert(categories).values(_category_values(category)))

    async def get(self, ref: str) -> Category | None:
        category_id = as_id(ref)
        condition = (
            categories.c.id == category_id if category_id else categories.c.slug == ref.lower()
        )
        row = (await self._session.execute(select(categories).where(condition))).first()
        return None if row is None else Category(id=row.id, name=row.name, slug=row.slug)

    async def update(self, category: Category) -> None:
        await self._write(
            update(categories)
            .where(categories.c.id == category.id)
            .values(_category_values(category))
        )

    async def delete(self, category_id: UUID) -> None:
        # The foreign key decides, so a product added meanwhile can't be orphaned.
        try:
            await self._session.execute(delete(categories).where(categories.c.id == category_id))
        except IntegrityError as error:
            if _violation(error)[0] not in (_FOREIGN_KEY_VIOLATION, _RESTRICT_VIOLATION):
                raise
            raise Conflict(
                "The category still has products (archived ones count too); move or delete them first.",
                code="category_not_empty",
            ) from error

    async def _write(self, statement: Any) -> None:
        # The unique indexes decide, so two managers racing for one slug can't both win.
        try:
            await self._session.execute(statement)
        except IntegrityError as error:
            state, constraint = _violation(error)
            if state != _UNIQUE_VIOLATION:
                raise
            field = "name" if constraint == CATEGORY_NAME_INDEX else "slug"
            raise _taken("category", field) from error


def _category_values(category: Category) -> dict[str, Any]:
    return {"id": category.id, "name": category.name, "slug": category.slug}


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
    )
]


class SqlProductRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, product: Product) -> None:
        values = {**_editable_values(product), "id": product.id, "created_at": product.created_at}
        await self._write(insert(products).values(values))

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None:
        query = select(*_PRODUCT_COLUMNS).where(products.c.id == product_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().first()
        return None if row is None else _product(row)

    async def update(self, product: Product) -> None:
        await self._write(
            update(products).where(products.c.id == product.id).values(_editable_values(product))
        )

    async def archive(self, product_id: UUID) -> None:
        await self._session.execute(
            update(products).where(products.c.id == product_id).values(archived=True)
        )

    async def delete(self, product_id: UUID) -> bool:
        # In a savepoint, so a row that orders still point at is refused without spoiling
        # the transaction: the caller archives it instead.
        try:
            async with self._session.begin_nested():
                await self._session.execute(delete(products).where(products.c.id == product_id))
        except IntegrityError as error:
            if _violation(error)[0] not in (_FOREIGN_KEY_VIOLATION, _RESTRICT_VIOLATION):
                raise
            return False
        return True

    async def was_ever_ordered(self, product_id: UUID) -> bool:
        # Order lines remember it even after a cancellation took its units_sold back.
        ordered = exists().where(_order_lines.c.product_id == product_id)
        query = select(or_(products.c.units_sold > 0, ordered)).where(products.c.id == product_id)
        return bool((await self._session.execute(query)).scalar())

    async def _write(self, statement: Any) -> None:
        try:
            await self._session.execute(statement)
        except IntegrityError as error:
            state, _ = _violation(error)
            if state == _UNIQUE_VIOLATION:
                raise _taken("product", "slug") from error
            if state == _FOREIGN_KEY_VIOLATION:
                raise Invalid(
                    "The category does not exist.",
                    errors=[{"field": "category_id", "message": "no such category"}],
                ) from error
            raise


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
    }


def _product(row: RowMapping) -> Product:
    return Product(**{**row, "unit": Unit(row["unit"])})


# --- images -------------------------------------------------------------------


class SqlProductImageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, image: ProductImage) -> None:
        try:
            await self._session.execute(
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
        except IntegrityError as error:
            if _violation(error)[0] != _FOREIGN_KEY_VIOLATION:
                raise
            raise NotFound("No such product.") from error

    async def get(self, product_id: UUID, image_id: UUID) -> ProductImage | None:
        query = select(product_images).where(
            product_images.c.id == image_id, product_images.c.product_id == product_id
        )
        row = (await self._session.execute(query)).mappings().first()
        return None if row is None else ProductImage(**row)

    async def of_product(self, product_id: UUID) -> list[ProductImage]:
        query = (
            select(product_images)
            .where(product_images.c.product_id == product_id)
            .order_by(product_images.c.id)
        )
        return [ProductImage(**row) for row in (await self._session.execute(query)).mappings()]

    async def delete(self, image_id: UUID) -> None:
        await self._session.execute(delete(product_images).where(product_images.c.id == image_id))
