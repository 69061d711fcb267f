"""Card payments the worker follows up wait longer after each try the provider could not
answer: how many such tries an order's payment has had, and when the next may be made.

A payment whose refund the provider refused ends `failed` (its amounts kept), so it is no
longer followed up.

Revision ID: 0025_payment_retries
Revises: 0024_sales_days
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025_payment_retries"
down_revision: str | None = "0024_sales_days"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE orders"
        " ADD COLUMN payment_tries integer NOT NULL DEFAULT 0,"
        " ADD COLUMN payment_retry_at timestamptz,"
        " ADD CONSTRAINT ck_orders_payment_tries_not_negative CHECK (payment_tries >= 0)"
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE orders"
        " DROP CONSTRAINT ck_orders_payment_tries_not_negative,"
        " DROP COLUMN payment_retry_at,"
        " DROP COLUMN payment_tries"
    )
