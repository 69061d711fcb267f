"""Each order's units (the sum of its lines' quantities), so the sales-over-time report
without a category reads orders alone, not their lines.

- orders.units, set by checkout with the order, backfilled here from the lines; at least 1.
- ix_orders_counted_created_at also carries units and total: over time, a period's orders,
  units and revenue come from an index-only scan of it (an order's total is the sum of its
  line totals, so revenue is the same as summed from the lines).

Revision ID: 0010_order_units
Revises: 0009_order_lines_indexes
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_order_units"
down_revision: str | None = "0009_order_lines_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE orders ADD COLUMN units integer")
    op.execute(
        "UPDATE orders SET units = lines.units"
        "  FROM (SELECT order_id, sum(quantity) AS units FROM order_lines GROUP BY order_id) lines"
        " WHERE lines.order_id = orders.id"
    )
    op.execute(
        "ALTER TABLE orders ALTER COLUMN units SET NOT NULL,"
        " ADD CONSTRAINT ck_orders_units_positive CHECK (units > 0)"
    )
    _counted_created_at("id, units, total")


def downgrade() -> None:
    _counted_created_at("id")
    op.execute("ALTER TABLE orders DROP COLUMN units")


def _counted_created_at(include: str) -> None:
    op.execute("DROP INDEX ix_orders_counted_created_at")
    op.execute(
        "CREATE INDEX ix_orders_counted_created_at ON orders (created_at)"
        f" INCLUDE ({include}) WHERE status <> 'cancelled'"
    )
