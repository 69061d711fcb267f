"""Refunds and the provider's events already applied (migration 0016_payments).

An order's payment itself lives on its row (schema/orders.py).
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Table, Text, Uuid

from grocery.adapters.sql.schema.metadata import metadata
from grocery.adapters.sql.schema.orders import MONEY

refunds = Table(
    "refunds",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("amount", MONEY, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("by", Uuid, ForeignKey("users.id", ondelete="SET NULL")),
    CheckConstraint("amount > 0", name="amount_positive"),
)

# One row per provider event applied: inserting its id is what applies it once.
payment_events = Table(
    "payment_events",
    metadata,
    Column("id", Text, primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)
