"""Wishlists: the products each customer keeps for later."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Table, Uuid

from grocery.adapters.sql.schema.metadata import metadata

wishlist_items = Table(
    "wishlist_items",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "product_id",
        Uuid,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("added_at", DateTime(timezone=True), nullable=False),
)
# Serves the newest-first keyset page.
Index(
    "ix_wishlist_items_user_id_added_at",
    wishlist_items.c.user_id,
    wishlist_items.c.added_at,
    wishlist_items.c.product_id,
)
