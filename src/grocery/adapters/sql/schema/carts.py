"""Carts: their lines, and the promo code applied to each.

Lines cascade away with their user or with a deleted product.
"""

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
from grocery.core.cart import MAX_LINE_QUANTITY
from grocery.core.substitutions import Substitution

SUBSTITUTIONS_SQL = sql_choices(Substitution)

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
    # What the customer wants if the product is missing at picking (migration 0015_picking).
    Column("substitution", Text, nullable=False, server_default=Substitution.ALLOW.value),
    Column("preferred_substitute_id", Uuid, ForeignKey("products.id", ondelete="SET NULL")),
    CheckConstraint(f"quantity BETWEEN 1 AND {MAX_LINE_QUANTITY}", name="quantity_range"),
    CheckConstraint(f"substitution IN ({SUBSTITUTIONS_SQL})", name="substitution"),
)
Index(
    "ix_cart_items_preferred_substitute_id",
    cart_items.c.preferred_substitute_id,
    postgresql_where=cart_items.c.preferred_substitute_id.isnot(None),
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

# A guest's cart, known by the hash of its token; it goes when merged at sign-in or when left
# idle too long (the housekeeping sweep, by last_used_at).
guest_carts = Table(
    "guest_carts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=False, index=True),
    Column(
        "promo_code_id",
        Uuid,
        ForeignKey("promo_codes.id", ondelete="SET NULL"),
        index=True,
    ),
)

# A guest cart's lines, shaped as a customer's.
guest_cart_items = Table(
    "guest_cart_items",
    metadata,
    Column("cart_id", Uuid, ForeignKey("guest_carts.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "product_id",
        Uuid,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("quantity", Integer, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("substitution", Text, nullable=False, server_default=Substitution.ALLOW.value),
    Column(
        "preferred_substitute_id",
        Uuid,
        ForeignKey("products.id", ondelete="SET NULL"),
        index=True,
    ),
    CheckConstraint(f"quantity BETWEEN 1 AND {MAX_LINE_QUANTITY}", name="quantity_range"),
    CheckConstraint(f"substitution IN ({SUBSTITUTIONS_SQL})", name="substitution"),
)
