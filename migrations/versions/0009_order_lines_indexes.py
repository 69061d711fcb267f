"""Order lines keep two indexes instead of four: ix_order_lines_order_id and
ix_order_lines_product_id (0005) each lead a wider index of 0006_reports
(ix_order_lines_order_sales on order_id, ix_order_lines_product_sales on product_id, order_id),
which serve the same lookups and foreign-key checks. Every checkout wrote all four.

Revision ID: 0009_order_lines_indexes
Revises: 0008_catalog_changes
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_order_lines_indexes"
down_revision: str | None = "0008_catalog_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_order_lines_order_id", table_name="order_lines")
    op.drop_index("ix_order_lines_product_id", table_name="order_lines")


def downgrade() -> None:
    op.create_index("ix_order_lines_order_id", "order_lines", ["order_id"])
    op.create_index("ix_order_lines_product_id", "order_lines", ["product_id"])
