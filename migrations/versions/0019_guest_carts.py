"""Guest carts: a cart known by the hash of an opaque token rather than by a customer, its
lines shaped as a customer's, merged into the customer's cart at sign-in or swept after 30
days idle.

Revision ID: 0019_guest_carts
Revises: 0018_staff_sessions
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_guest_carts"
down_revision: str | None = "0018_staff_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guest_carts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promo_code_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["promo_code_id"],
            ["promo_codes.id"],
            name="fk_guest_carts_promo_code_id_promo_codes",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_guest_carts"),
        sa.UniqueConstraint("token_hash", name="uq_guest_carts_token_hash"),
    )
    op.create_index("ix_guest_carts_last_used_at", "guest_carts", ["last_used_at"])
    op.create_index("ix_guest_carts_promo_code_id", "guest_carts", ["promo_code_id"])
    op.create_table(
        "guest_cart_items",
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("substitution", sa.Text(), server_default="allow", nullable=False),
        sa.Column("preferred_substitute_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("quantity BETWEEN 1 AND 999", name="ck_guest_cart_items_quantity_range"),
        sa.CheckConstraint(
            "substitution IN ('allow', 'none')", name="ck_guest_cart_items_substitution"
        ),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["guest_carts.id"],
            name="fk_guest_cart_items_cart_id_guest_carts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name="fk_guest_cart_items_product_id_products",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["preferred_substitute_id"],
            ["products.id"],
            name="fk_guest_cart_items_preferred_substitute_id_products",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("cart_id", "product_id", name="pk_guest_cart_items"),
    )
    op.create_index("ix_guest_cart_items_product_id", "guest_cart_items", ["product_id"])
    op.create_index(
        "ix_guest_cart_items_preferred_substitute_id",
        "guest_cart_items",
        ["preferred_substitute_id"],
    )


def downgrade() -> None:
    op.drop_table("guest_cart_items")
    op.drop_table("guest_carts")
