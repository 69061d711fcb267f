"""Back in stock: customers' notify-me requests, one per customer and product, until mailed."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Table, Uuid

from grocery.adapters.sql.schema.metadata import metadata

restock_requests = Table(
    "restock_requests",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "product_id",
        Uuid,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,  # taken by product when it comes back
    ),
    Column("asked_at", DateTime(timezone=True), nullable=False),
)
