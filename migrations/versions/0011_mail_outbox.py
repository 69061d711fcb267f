"""The outbox carries customers' mail as well as low-stock alerts, and can give a message up.

- outbox.given_up_at: set when the receiver refused a message for good (a mail server's
  5xx for the recipient or the message); it is never tried again.
- ix_outbox_due covers only messages neither delivered nor given up.

Revision ID: 0011_mail_outbox
Revises: 0010_order_units
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_mail_outbox"
down_revision: str | None = "0010_order_units"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE outbox ADD COLUMN given_up_at timestamptz")
    _due_index("delivered_at IS NULL AND given_up_at IS NULL")


def downgrade() -> None:
    _due_index("delivered_at IS NULL")
    op.execute("ALTER TABLE outbox DROP COLUMN given_up_at")


def _due_index(pending: str) -> None:
    op.execute("DROP INDEX ix_outbox_due")
    op.execute(f"CREATE INDEX ix_outbox_due ON outbox (next_attempt_at) WHERE {pending}")
