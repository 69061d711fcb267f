"""Payments: each order's payment, refunds, and the provider's events applied once.

- orders.payment_*: provider, status, amounts authorized, captured and refunded, the client
  secret while the customer must act, the provider's id. Orders so far were paid at the
  door: a delivered one counts as captured for its final total, a cancelled one as voided,
  any other as pending.
- refunds: one row per refund given.
- payment_events: the id of each provider event (webhook) applied, so none applies twice.

Revision ID: 0016_payments
Revises: 0015_picking
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_payments"
down_revision: str | None = "0015_picking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
    "'pending', 'requires_action', 'authorized', 'captured', 'partially_refunded',"
    " 'refunded', 'voided', 'failed'"
)


def upgrade() -> None:
    op.execute(
        "ALTER TABLE orders"
        " ADD COLUMN payment_provider text NOT NULL DEFAULT 'manual',"
        " ADD COLUMN payment_status text NOT NULL DEFAULT 'pending',"
        " ADD COLUMN payment_amount_authorized numeric(12, 2) NOT NULL DEFAULT 0,"
        " ADD COLUMN payment_amount_captured numeric(12, 2) NOT NULL DEFAULT 0,"
        " ADD COLUMN payment_amount_refunded numeric(12, 2) NOT NULL DEFAULT 0,"
        " ADD COLUMN payment_client_secret text,"
        " ADD COLUMN payment_reference text"
    )
    op.execute(
        "UPDATE orders SET payment_status = 'captured',"
        " payment_amount_captured = coalesce(final_total, total) WHERE status = 'delivered'"
    )
    op.execute("UPDATE orders SET payment_status = 'voided' WHERE status = 'cancelled'")
    op.execute(
        "ALTER TABLE orders"
        " ADD CONSTRAINT ck_orders_payment_provider"
        "  CHECK (payment_provider IN ('manual', 'stripe')),"
        f" ADD CONSTRAINT ck_orders_payment_status CHECK (payment_status IN ({STATUSES})),"
        " ADD CONSTRAINT ck_orders_payment_amounts"
        "  CHECK (payment_amount_authorized >= 0 AND payment_amount_captured >= 0"
        "   AND payment_amount_refunded BETWEEN 0 AND payment_amount_captured)"
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_orders_payment_reference ON orders (payment_reference)"
        " WHERE payment_reference IS NOT NULL"
    )
    op.execute(
        "CREATE INDEX ix_orders_payment_waiting ON orders (created_at)"
        " WHERE payment_status IN ('pending', 'requires_action')"
        " AND payment_provider = 'stripe' AND status <> 'cancelled'"
    )
    op.execute(
        """
        CREATE TABLE refunds (
            id uuid NOT NULL,
            order_id uuid NOT NULL,
            amount numeric(12, 2) NOT NULL,
            reason text NOT NULL,
            created_at timestamp with time zone NOT NULL,
            by uuid,
            CONSTRAINT pk_refunds PRIMARY KEY (id),
            CONSTRAINT fk_refunds_order_id_orders FOREIGN KEY (order_id)
                REFERENCES orders (id) ON DELETE CASCADE,
            CONSTRAINT fk_refunds_by_users FOREIGN KEY (by)
                REFERENCES users (id) ON DELETE SET NULL,
            CONSTRAINT ck_refunds_amount_positive CHECK (amount > 0)
        )
        """
    )
    op.execute("CREATE INDEX ix_refunds_order_id ON refunds (order_id)")
    op.execute(
        """
        CREATE TABLE payment_events (
            id text NOT NULL,
            applied_at timestamp with time zone NOT NULL,
            CONSTRAINT pk_payment_events PRIMARY KEY (id)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE payment_events")
    op.execute("DROP TABLE refunds")
    op.execute("DROP INDEX ix_orders_payment_waiting")
    op.execute("DROP INDEX uq_orders_payment_reference")
    op.execute(
        "ALTER TABLE orders"
        " DROP CONSTRAINT ck_orders_payment_amounts,"
        " DROP CONSTRAINT ck_orders_payment_status,"
        " DROP CONSTRAINT ck_orders_payment_provider,"
        " DROP COLUMN payment_reference,"
        " DROP COLUMN payment_client_secret,"
        " DROP COLUMN payment_amount_refunded,"
        " DROP COLUMN payment_amount_captured,"
        " DROP COLUMN payment_amount_authorized,"
        " DROP COLUMN payment_status,"
        " DROP COLUMN payment_provider"
    )
