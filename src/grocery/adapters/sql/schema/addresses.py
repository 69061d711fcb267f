"""Customers' delivery addresses; one at most is each customer's default."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Uuid,
    text,
)

from grocery.adapters.sql.schema.metadata import metadata
from grocery.core.addresses import (
    INSTRUCTIONS_MAX_LENGTH,
    LABEL_MAX_LENGTH,
    LINE_MAX_LENGTH,
    POSTAL_CODE_MAX_LENGTH,
)

addresses = Table(
    "addresses",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(LABEL_MAX_LENGTH)),
    Column("recipient", String(LINE_MAX_LENGTH), nullable=False),
    Column("line1", String(LINE_MAX_LENGTH), nullable=False),
    Column("line2", String(LINE_MAX_LENGTH)),
    Column("city", String(LINE_MAX_LENGTH), nullable=False),
    Column("postal_code", String(POSTAL_CODE_MAX_LENGTH), nullable=False),
    Column("country", String(2), nullable=False),
    Column("phone", String(40)),
    Column("instructions", String(INSTRUCTIONS_MAX_LENGTH)),
    Column("is_default", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_code"),
    # A customer's addresses, oldest first (the default's successor is the oldest left).
    Index("ix_addresses_user_id_created_at", "user_id", "created_at"),
)
DEFAULT_ADDRESS_INDEX = "uq_addresses_default"  # one default per customer
Index(
    DEFAULT_ADDRESS_INDEX,
    addresses.c.user_id,
    unique=True,
    postgresql_where=text("is_default"),
)
