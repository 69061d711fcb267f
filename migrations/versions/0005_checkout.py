"""Checkout: orders and their lines, promo redemptions, idempotency keys, low-stock alerts
and the outbox the alert worker delivers from.

Revision ID: 0005_checkout
Revises: 0004_cart_promo
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSON, JSONB

revision: str = "0005_checkout"
down_revision: str | None = "0004_cart_promo"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(12, 2)
MOMENT = sa.DateTime(timezone=True)
STATUSES = "'placed', 'processing', 'shipped', 'delivered', 'cancelled'"


def upgrade() -> None:
    _create_orders()
    _create_order_lines()
    _create_promo_redemptions()
    _create_idempotency_keys()
    _create_low_stock_alerts()
    _create_outbox()


def _create_orders() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("subtotal", MONEY, nullable=False),
        sa.Column("discount", MONEY, nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("promo_code_id", sa.Uuid(), nullable=True),
        sa.Column("promo_code", sa.Text(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.Column("cancelled_at", MOMENT, nullable=True),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_orders_status"),
        sa.CheckConstraint("discount >= 0", name="ck_orders_discount_not_negative"),
        sa.CheckConstraint("total >= 0", name="ck_orders_total_not_negative"),
        sa.CheckConstraint("total = subtotal - discount", name="ck_orders_total_adds_up"),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="ck_orders_cancelled_at"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_orders_user_id_users"),
        sa.ForeignKeyConstraint(
            ["promo_code_id"],
            ["promo_codes.id"],
            name="fk_orders_promo_code_id_promo_codes",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
    )
    # Newest first: a customer's own orders, and everyone's for managers.
    op.execute("CREATE INDEX ix_orders_user_newest ON orders (user_id, created_at DESC, id DESC)")
    op.execute("CREATE INDEX ix_orders_newest ON orders (created_at DESC, id DESC)")
    # A promo code's deletion sets its orders' reference to NULL.
    op.execute(
        "CREATE INDEX ix_orders_promo_code_id ON orders (promo_code_id)"
        " WHERE promo_code_id IS NOT NULL"
    )


def _create_order_lines() -> None:
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("product_name", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_at_purchase", MONEY, nullable=False),
        sa.Column("discount", MONEY, nullable=False),
        sa.Column("line_total", MONEY, nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_order_lines_quantity_positive"),
        sa.CheckConstraint(
            "price_at_purchase >= 0", name="ck_order_lines_price_at_purchase_not_negative"
        ),
        sa.CheckConstraint("discount >= 0", name="ck_order_lines_discount_not_negative"),
        sa.CheckConstraint("line_total >= 0", name="ck_order_lines_line_total_not_negative"),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name="fk_order_lines_order_id_orders",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_order_lines_product_id_products"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_order_lines"),
    )
    op.create_index("ix_order_lines_order_id", "order_lines", ["order_id"])
    # "Was this product ever ordered?" and the foreign key's checks on product deletion.
    op.create_index("ix_order_lines_product_id", "order_lines", ["product_id"])


def _create_promo_redemptions() -> None:
    op.create_table(
        "promo_redemptions",
        sa.Column("promo_code_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["promo_code_id"],
            ["promo_codes.id"],
            name="fk_promo_redemptions_promo_code_id_promo_codes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_promo_redemptions_user_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name="fk_promo_redemptions_order_id_orders",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", name="pk_promo_redemptions"),
    )
    op.create_index(
        "ix_promo_redemptions_promo_code_id_user_id",
        "promo_redemptions",
        ["promo_code_id", "user_id"],
    )
    op.create_index("ix_promo_redemptions_user_id", "promo_redemptions", ["user_id"])


def _create_idempotency_keys() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        # Claimed first, answered at the end of the same transaction: both or neither.
        sa.Column("response_status", sa.Integer(), nullable=True),
        # json, not jsonb: a replay answers with the very same text, keys in their order.
        sa.Column("response_body", JSON(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.CheckConstraint(
            "(response_status IS NULL) = (response_body IS NULL)",
            name="ck_idempotency_keys_answered_whole",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_idempotency_keys_user_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name="fk_idempotency_keys_order_id_orders",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_order_id", "idempotency_keys", ["order_id"])


def _create_low_stock_alerts() -> None:
    op.create_table(
        "low_stock_alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("resolved_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name="fk_low_stock_alerts_product_id_products",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_low_stock_alerts"),
    )
    # At most one open alert per product; also finds it to resolve.
    op.execute(
        "CREATE UNIQUE INDEX uq_low_stock_alerts_open_product_id ON low_stock_alerts"
        " (product_id) WHERE resolved_at IS NULL"
    )
    # The manager's list of open alerts, newest first (resolved ones walk the primary key).
    op.execute(
        "CREATE INDEX ix_low_stock_alerts_open_newest ON low_stock_alerts (id DESC)"
        " WHERE resolved_at IS NULL"
    )
    op.create_index("ix_low_stock_alerts_product_id", "low_stock_alerts", ["product_id"])


def _create_outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", MOMENT, nullable=False),
        sa.Column("delivered_at", MOMENT, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("attempts >= 0", name="ck_outbox_attempts_not_negative"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    # The worker's claim: undelivered rows that are due, soonest first.
    op.execute("CREATE INDEX ix_outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL")


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("low_stock_alerts")
    op.drop_table("idempotency_keys")
    op.drop_table("promo_redemptions")
    op.drop_table("order_lines")
    op.drop_table("orders")
