"""Carts: their lines, and the promo code applied to each.

Lines cascade away with their user or with a deleted product.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, Table, Uuid

from grocery.adapters.sql.schema.metadata import metadata
from grocery.core.cart import MAX_LINE_QUANTITY

cart_items = Table(
    "cart_items",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "product_id",
        Uuid,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,  # the cascade from a deleted product
    ),
    Column("quantity", Integer, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(f"quantity BETWEEN 1 AND {MAX_LINE_QUANTITY}", name="quantity_range"),
)

# One row per user who applied a code; the code goes with the promo if it is deleted.
carts = Table(
    "carts",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "promo_code_id",
        Uuid,
        ForeignKey("promo_codes.id", ondelete="SET NULL"),
        index=True,
    ),
)
