"""Sales reports: indexes for the managers' aggregate queries (see adapters/sql/reports.py).

Chosen by EXPLAIN ANALYZE at 1,000,000 order lines (bench/reports.py):
- order_lines (product_id, order_id) INCLUDE (quantity, line_total): an all-time report
  reads every counted line from it alone, already in product order (no sort, no hash);
  order_id beside it is presorted for count(DISTINCT order_id).
- order_lines (order_id) INCLUDE (product_id, quantity, line_total): a window's lines,
  order by order, without touching the table.
- orders (created_at) INCLUDE (id) WHERE status <> 'cancelled': the orders in a window.
- orders (id) WHERE status = 'cancelled': the few orders an all-time report leaves out.

Revision ID: 0006_reports
Revises: 0005_checkout
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_reports"
down_revision: str | None = "0005_checkout"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_order_lines_product_sales ON order_lines (product_id, order_id)"
        " INCLUDE (quantity, line_total)"
    )
    op.execute(
        "CREATE INDEX ix_order_lines_order_sales ON order_lines (order_id)"
        " INCLUDE (product_id, quantity, line_total)"
    )
    op.execute(
        "CREATE INDEX ix_orders_counted_created_at ON orders (created_at) INCLUDE (id)"
        " WHERE status <> 'cancelled'"
    )
    op.execute("CREATE INDEX ix_orders_cancelled ON orders (id) WHERE status = 'cancelled'")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_orders_cancelled")
    op.execute("DROP INDEX IF EXISTS ix_orders_counted_created_at")
    op.execute("DROP INDEX IF EXISTS ix_order_lines_order_sales")
    op.execute("DROP INDEX IF EXISTS ix_order_lines_product_sales")
