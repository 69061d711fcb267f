"""The catalog: categories, products and their images.

Columns the database maintains itself: `name_key` (the name lowercased and unaccented, for
the name sort and typo search) is generated; `search` (the weighted tsvector) is kept by
triggers, also when a category is renamed (see migration 0003_catalog).
"""

from __future__ import annotations

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
    String,
    Table,
    Text,
    Uuid,
    false,
    func,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from grocery.adapters.sql.schema.metadata import metadata, sql_choices
from grocery.core.catalog import Unit
from grocery.core.weights import SoldBy

UNITS_SQL = sql_choices(Unit)
SOLD_BY_SQL = sql_choices(SoldBy)
KG = Numeric(6, 3)  # a weighed product's step: grams, up to 100 kg (core/weights.py)

categories = Table(
    "categories",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("slug", String(120), nullable=False, unique=True),
    # The class its products are taxed by unless they name their own (0021_tax_classes).
    Column("tax_class_id", Uuid, ForeignKey("tax_classes.id", ondelete="RESTRICT"), index=True),
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
    Column("tax_sold", Numeric(14, 2), nullable=False, server_default="0"),  # 0024_sales_days
    # What it sold from sales_zone.recent_from on, the last 30 days (0030_recent_sales).
    Column("recent_units", Integer, nullable=False, server_default="0"),
    Column("recent_orders", Integer, nullable=False, server_default="0"),
    Column("archived", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Sold by the piece, or by weight in steps of step_kg (migration 0015_picking).
    Column("sold_by", Text, nullable=False, server_default=SoldBy.EACH.value),
    Column("step_kg", KG),
    Column("tax_class_id", Uuid, ForeignKey("tax_classes.id", ondelete="RESTRICT"), index=True),
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
    CheckConstraint("recent_units >= 0", name="recent_units_not_negative"),
    CheckConstraint("recent_orders >= 0", name="recent_orders_not_negative"),
    CheckConstraint(f"unit IN ({UNITS_SQL})", name="unit"),
    CheckConstraint(f"sold_by IN ({SOLD_BY_SQL})", name="sold_by"),
    CheckConstraint(
        f"(sold_by = '{SoldBy.WEIGHT}') = (step_kg IS NOT NULL) AND (step_kg IS NULL OR step_kg > 0)",
        name="step_kg",
    ),
    CheckConstraint(f"sold_by = '{SoldBy.EACH}' OR unit = '{Unit.KG}'", name="weighed_in_kg"),
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
