"""Cart, wishlist and promo codes: cart lines, the applied code per user, wishlist rows,
promo codes and the categories they are limited to.

Revision ID: 0004_cart_promo
Revises: 0003_catalog
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_cart_promo"
down_revision: str | None = "0003_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(12, 2)


def upgrade() -> None:
    _create_promo_codes()
    op.create_table(
        "cart_items",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity BETWEEN 1 AND 999", name="quantity_range"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_cart_items_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name="fk_cart_items_product_id_products",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "product_id", name="pk_cart_items"),
    )
    op.create_index("ix_cart_items_product_id", "cart_items", ["product_id"])
    op.create_table(
        "carts",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("promo_code_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_carts_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["promo_code_id"],
            ["promo_codes.id"],
            name="fk_carts_promo_code_id_promo_codes",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_carts"),
    )
    op.create_index("ix_carts_promo_code_id", "carts", ["promo_code_id"])
    op.create_table(
        "wishlist_items",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_wishlist_items_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name="fk_wishlist_items_product_id_products",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "product_id", name="pk_wishlist_items"),
    )
    op.create_index("ix_wishlist_items_product_id", "wishlist_items", ["product_id"])
    op.create_index(
        "ix_wishlist_items_user_id_added_at",
        "wishlist_items",
        ["user_id", "added_at", "product_id"],
    )


def _create_promo_codes() -> None:
    op.create_table(
        "promo_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("discount_type", sa.String(8), nullable=False),
        sa.Column("value", MONEY, nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("min_order_amount", MONEY, nullable=True),
        sa.Column("max_discount", MONEY, nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("max_uses_per_customer", sa.Integer(), nullable=True),
        sa.Column("times_used", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("discount_type IN ('percent', 'fixed')", name="discount_type"),
        sa.CheckConstraint("value > 0", name="value_positive"),
        sa.CheckConstraint(
            "discount_type <> 'percent' OR value <= 100", name="percent_at_most_100"
        ),
        sa.CheckConstraint("starts_at < expires_at", name="starts_before_expiry"),
        sa.CheckConstraint("min_order_amount >= 0", name="min_order_amount_not_negative"),
        sa.CheckConstraint("max_discount >= 0", name="max_discount_not_negative"),
        sa.CheckConstraint("max_uses >= 1", name="max_uses_positive"),
        sa.CheckConstraint("max_uses_per_customer >= 1", name="max_uses_per_customer_positive"),
        sa.CheckConstraint("times_used >= 0", name="times_used_not_negative"),
        sa.CheckConstraint(
            "max_uses IS NULL OR times_used <= max_uses",
            name="times_used_within_max",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_promo_codes"),
    )
    op.create_index("uq_promo_codes_code_key", "promo_codes", [sa.text("upper(code)")], unique=True)
    op.create_table(
        "promo_code_categories",
        sa.Column("promo_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["promo_id"],
            ["promo_codes.id"],
            name="fk_promo_code_categories_promo_id_promo_codes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name="fk_promo_code_categories_category_id_categories",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("promo_id", "category_id", name="pk_promo_code_categories"),
    )
    op.create_index(
        "ix_promo_code_categories_category_id", "promo_code_categories", ["category_id"]
    )


def downgrade() -> None:
    op.drop_table("wishlist_items")
    op.drop_table("carts")
    op.drop_table("cart_items")
    op.drop_table("promo_code_categories")
    op.drop_table("promo_codes")
