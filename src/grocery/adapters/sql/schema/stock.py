"""The stock ledger: one row per change of a product's stock (migration 0015_picking)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
)

from grocery.adapters.sql.schema.metadata import metadata, sql_choices
from grocery.core.stock import MovementKind

KINDS_SQL = sql_choices(MovementKind)

stock_movements = Table(
    "stock_movements",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("product_id", Uuid, ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("stock_after", Integer, nullable=False),
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="SET NULL")),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="SET NULL")),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(f"kind IN ({KINDS_SQL})", name="kind"),
    CheckConstraint("quantity <> 0", name="quantity_not_zero"),
    CheckConstraint("stock_after >= 0", name="stock_after_not_negative"),
)
# A product's ledger newest first; the cascades from orders and users look up theirs.
Index(
    "ix_stock_movements_product_newest",
    stock_movements.c.product_id,
    stock_movements.c.id.desc(),
)
Index(
    "ix_stock_movements_order_id",
    stock_movements.c.order_id,
    postgresql_where=stock_movements.c.order_id.isnot(None),
)
Index(
    "ix_stock_movements_user_id",
    stock_movements.c.user_id,
    postgresql_where=stock_movements.c.user_id.isnot(None),
)
