"""Idempotency keys: a checkout's key, its request and the answer it got."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSON

from grocery.adapters.sql.schema.metadata import metadata

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("key", Text, nullable=False),
    Column("request_hash", Text, nullable=False),
    Column("response_status", Integer),
    Column("response_body", JSON),  # json keeps the answer's keys in their order
    Column(
        "order_id",
        Uuid,
        ForeignKey("orders.id", ondelete="SET NULL"),
        index=True,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("user_id", "key"),
    CheckConstraint("(response_status IS NULL) = (response_body IS NULL)", name="answered_whole"),
)
