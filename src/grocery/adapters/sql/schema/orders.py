"""Orders and their lines (migrations 0005_checkout and 0007_sales_counters)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Table,
    Text,
    Uuid,
)

from grocery.adapters.sql.schema.metadata import metadata
from grocery.core.orders import OrderStatus

MONEY = Numeric(12, 2)
STATUSES_SQL = ", ".join(f"'{status}'" for status in OrderStatus)

orders = Table(
    "orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("status", Text, nullable=False),
    Column("subtotal", MONEY, nullable=False),
    Column("discount", MONEY, nullable=False),
    Column("total", MONEY, nullable=False),
    Column("units", Integer, nullable=False),  # its lines' quantities summed, for reports
    Column("promo_code_id", Uuid, ForeignKey("promo_codes.id", ondelete="SET NULL")),
    Column("promo_code", Text),
    Column("currency", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
    CheckConstraint(f"status IN ({STATUSES_SQL})", name="status"),
    CheckConstraint("discount >= 0", name="discount_not_negative"),
    CheckConstraint("total >= 0", name="total_not_negative"),
    CheckConstraint("total = subtotal - discount", name="total_adds_up"),
    CheckConstraint("units > 0", name="units_positive"),
    CheckConstraint(
        f"(status = '{OrderStatus.CANCELLED}') = (cancelled_at IS NOT NULL)", name="cancelled_at"
    ),
)
Index("ix_orders_user_newest", orders.c.user_id, orders.c.created_at.desc(), orders.c.id.desc())
Index("ix_orders_newest", orders.c.created_at.desc(), orders.c.id.desc())
Index(
    "ix_orders_promo_code_id",
    orders.c.promo_code_id,
    postgresql_where=orders.c.promo_code_id.isnot(None),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    # Both keys are looked up through the reports' indexes (schema/reports.py), which
    # lead with them (migration 0009_order_lines_indexes).
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("product_id", Uuid, ForeignKey("products.id"), nullable=False),
    Column("product_name", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("price_at_purchase", MONEY, nullable=False),
    Column("discount", MONEY, nullable=False),
    Column("line_total", MONEY, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("price_at_purchase >= 0", name="price_at_purchase_not_negative"),
    CheckConstraint("discount >= 0", name="discount_not_negative"),
    CheckConstraint("line_total >= 0", name="line_total_not_negative"),
)

# One row per (order not cancelled, category it bought from): a category's distinct orders,
# which its products' counters can't give. Kept by checkout and cancellation
# (adapters/sql/orders.py), and by migration 0007_sales_counters' trigger when a product
# changes category.
order_categories = Table(
    "order_categories",
    metadata,
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", Uuid, primary_key=True, index=True),
)
