"""The outbox: messages to deliver after the transaction that wrote them commits."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, Index, Integer, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from grocery.adapters.sql.schema.metadata import metadata

outbox = Table(
    "outbox",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    # Set when the receiver refused it for good (Undeliverable): never tried again.
    Column("given_up_at", DateTime(timezone=True)),
    Column("last_error", Text),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
)
PENDING = outbox.c.delivered_at.is_(None) & outbox.c.given_up_at.is_(None)
Index("ix_outbox_due", outbox.c.next_attempt_at, postgresql_where=PENDING)
