"""Card payments the worker follows up: the index its look-up reads.

Orders paid by card that are not yet authorized (cancelled when they wait too long),
authorized and not yet captured (captured once picked), or cancelled with money taken
(refunded): one partial index, in place of 0016's for the first kind only.

Revision ID: 0020_payment_follow_ups
Revises: 0019_guest_carts
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020_payment_follow_ups"
down_revision: str | None = "0019_guest_carts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP INDEX ix_orders_payment_waiting")
    op.execute(
        "CREATE INDEX ix_orders_payment_follow_up ON orders (created_at)"
        " WHERE payment_provider = 'stripe'"
        " AND (payment_status IN ('pending', 'requires_action', 'authorized')"
        " OR status = 'cancelled' AND payment_status IN ('captured', 'partially_refunded'))"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_orders_payment_follow_up")
    op.execute(
        "CREATE INDEX ix_orders_payment_waiting ON orders (created_at)"
        " WHERE payment_status IN ('pending', 'requires_action')"
        " AND payment_provider = 'stripe' AND status <> 'cancelled'"
    )
