"""Promotions: promo codes, the categories a code is kept to, and each use of a code."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Uuid,
    func,
)

from grocery.adapters.sql.schema.metadata import metadata, sql_choices
from grocery.core.promotions import DiscountType

DISCOUNT_TYPES_SQL = sql_choices(DiscountType)

promo_codes = Table(
    "promo_codes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("code", String(40), nullable=False),
    Column("discount_type", String(8), nullable=False),
    Column("value", Numeric(12, 2), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("starts_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),
    Column("min_order_amount", Numeric(12, 2)),
    Column("max_discount", Numeric(12, 2)),
    Column("max_uses", Integer),
    Column("max_uses_per_customer", Integer),
    Column("times_used", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(f"discount_type IN ({DISCOUNT_TYPES_SQL})", name="discount_type"),
    CheckConstraint("value > 0", name="value_positive"),
    CheckConstraint(
        f"discount_type <> '{DiscountType.PERCENT}' OR value <= 100", name="percent_at_most_100"
    ),
    CheckConstraint("starts_at < expires_at", name="starts_before_expiry"),
    CheckConstraint("min_order_amount >= 0", name="min_order_amount_not_negative"),
    CheckConstraint("max_discount >= 0", name="max_discount_not_negative"),
    CheckConstraint("max_uses >= 1", name="max_uses_positive"),
    CheckConstraint("max_uses_per_customer >= 1", name="max_uses_per_customer_positive"),
    CheckConstraint("times_used >= 0", name="times_used_not_negative"),
    CheckConstraint("max_uses IS NULL OR times_used <= max_uses", name="times_used_within_max"),
)
PROMO_CODE_INDEX = "uq_promo_codes_code_key"  # codes are unique ignoring case
Index(PROMO_CODE_INDEX, func.upper(promo_codes.c.code), unique=True)
TIMES_USED_CHECK = "ck_promo_codes_times_used_within_max"  # the name times_used_within_max takes

promo_code_categories = Table(
    "promo_code_categories",
    metadata,
    Column("promo_id", Uuid, ForeignKey("promo_codes.id", ondelete="CASCADE"), primary_key=True),
    # RESTRICT: a scoped code must not silently become a whole-cart code.
    Column(
        "category_id",
        Uuid,
        ForeignKey("categories.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)

promo_redemptions = Table(
    "promo_redemptions",
    metadata,
    Column(
        "promo_code_id",
        Uuid,
        ForeignKey("promo_codes.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "user_id",
        Uuid,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column(
        "order_id",
        Uuid,
        ForeignKey("orders.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_promo_redemptions_promo_code_id_user_id", "promo_code_id", "user_id"),
)
