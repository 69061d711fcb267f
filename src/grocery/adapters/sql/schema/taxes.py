"""Tax classes (migration 0021_tax_classes); categories and products point at theirs."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Index, Numeric, String, Table, Uuid, func

from grocery.adapters.sql.schema.metadata import metadata
from grocery.core.taxes import MAX_RATE, RATE_PLACES

RATE = Numeric(6, RATE_PLACES)

tax_classes = Table(
    "tax_classes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("rate", RATE, nullable=False),
    CheckConstraint(f"rate BETWEEN 0 AND {MAX_RATE}", name="rate_a_percent"),
)
TAX_CLASS_NAME_INDEX = "uq_tax_classes_name_key"  # names are unique ignoring case
Index(TAX_CLASS_NAME_INDEX, func.lower(tax_classes.c.name), unique=True)
