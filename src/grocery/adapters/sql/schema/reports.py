"""The sales reports' rollups and the indexes they read through (adapters/sql/reports.py
explains the plans).

Created by migrations 0006_reports, 0007_sales_counters, 0024_sales_days and
0027_category_sales (which say how the rollups are kept); named here so the metadata
matches the database.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    Uuid,
    true,
)

from grocery.adapters.sql.schema.catalog import products
from grocery.adapters.sql.schema.metadata import metadata
from grocery.adapters.sql.schema.orders import order_lines, orders
from grocery.core.orders import OrderStatus

AMOUNT = Numeric(14, 2)

# The one time zone the rollups' days are the local days of.
sales_zone = Table(
    "sales_zone",
    metadata,
    Column("one", Boolean, primary_key=True, server_default=true()),
    Column("zone", Text, nullable=False),
    # The first day the products' recent counters count (0030_recent_sales); NULL: not kept.
    Column("recent_from", Date),
    CheckConstraint("one", name="one"),
)

product_sales_days = Table(
    "product_sales_days",
    metadata,
    Column("product_id", Uuid, nullable=False),
    Column("day", Date, nullable=False),
    Column("units", Integer, nullable=False),
    Column("revenue", AMOUNT, nullable=False),
    Column("tax", AMOUNT, nullable=False),
    Column("orders", Integer, nullable=False),  # distinct orders that had the product
    # Units and orders in the key (0029_report_ranks): a product's days summed from it alone.
    PrimaryKeyConstraint("product_id", "day", postgresql_include=["units", "orders"]),
)
Index(
    "ix_product_sales_days_day",
    product_sales_days.c.day,
    product_sales_days.c.product_id,
    postgresql_include=["units", "revenue", "tax", "orders"],
)

# Striped by the order's id: concurrent checkouts seldom share a row.
order_sales_days = Table(
    "order_sales_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("stripe", SmallInteger, primary_key=True),
    Column("orders", Integer, nullable=False),
    Column("units", Integer, nullable=False),
    Column("revenue", AMOUNT, nullable=False),
    Column("tax", AMOUNT, nullable=False),
)

category_sales_days = Table(
    "category_sales_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("category_id", Uuid, primary_key=True),
    Column("stripe", SmallInteger, primary_key=True),
    Column("orders", Integer, nullable=False, server_default="0"),  # distinct orders
    # What its products sold (0027_category_sales), the products' category being now's.
    Column("units", Integer, nullable=False, server_default="0"),
    Column("revenue", AMOUNT, nullable=False, server_default="0"),
    Column("tax", AMOUNT, nullable=False, server_default="0"),
)
Index(
    "ix_category_sales_days_category", category_sales_days.c.category_id, category_sales_days.c.day
)

# The category days summed per local month (its first day): all time and long ranges.
category_sales_months = Table(
    "category_sales_months",
    metadata,
    Column("month", Date, primary_key=True),
    Column("category_id", Uuid, primary_key=True),
    Column("stripe", SmallInteger, primary_key=True),
    Column("orders", Integer, nullable=False, server_default="0"),
    Column("units", Integer, nullable=False, server_default="0"),
    Column("revenue", AMOUNT, nullable=False, server_default="0"),
    Column("tax", AMOUNT, nullable=False, server_default="0"),
)

Index("ix_products_sales_rank", products.c.units_sold, products.c.name, products.c.id)
Index("ix_products_name_rank", products.c.name, products.c.id)  # 0029_report_ranks
# 0030_recent_sales
Index("ix_products_recent_rank", products.c.recent_units, products.c.name, products.c.id)
Index(
    "ix_order_lines_product_sales",
    order_lines.c.product_id,
    order_lines.c.order_id,
    postgresql_include=["sold_units", "sold_revenue"],
)
Index(
    "ix_order_lines_order_sales",
    order_lines.c.order_id,
    postgresql_include=["product_id", "sold_units", "sold_revenue"],
)
Index(
    "ix_orders_counted_created_at",
    orders.c.created_at,
    postgresql_include=["id", "units", "total", "final_total", "delivery_fee"],
    postgresql_where=orders.c.status != OrderStatus.CANCELLED.value,
)
