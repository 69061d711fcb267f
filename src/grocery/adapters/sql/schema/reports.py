"""The indexes the sales reports read through (adapters/sql/reports.py explains the plans).

Created by migrations 0006_reports and 0007_sales_counters; named here so the metadata
matches the database.
"""

from __future__ import annotations

from sqlalchemy import Index

from grocery.adapters.sql.schema.catalog import products
from grocery.adapters.sql.schema.orders import order_lines, orders
from grocery.core.orders import OrderStatus

Index("ix_products_sales_rank", products.c.units_sold, products.c.name, products.c.id)
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
