"""Reports' best and worst sellers of the whole catalog within some days
(adapters/sql/report_ranks.py walks the likeliest products and sums each one's days):
- ix_products_name_rank: the products' names with the id that breaks ties, the order the
  walk for the least sold goes in, so it reads the first names instead of sorting all;
- product_sales_days' primary key (product_id, day) carries units and orders, so each
  walked product's days are summed from the key alone (an index-only scan), not from
  rows scattered over the table by day.

Revision ID: 0029_report_ranks
Revises: 0028_user_search
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029_report_ranks"
down_revision: str | None = "0028_user_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_products_name_rank ON products (name, id)")
    _primary_key("INCLUDE (units, orders)")


def downgrade() -> None:
    _primary_key("")
    op.execute("DROP INDEX ix_products_name_rank")


def _primary_key(include: str) -> None:
    op.execute(
        "CREATE UNIQUE INDEX product_sales_days_key ON product_sales_days (product_id, day) "
        + include
    )
    op.execute(
        "ALTER TABLE product_sales_days DROP CONSTRAINT pk_product_sales_days,"
        " ADD CONSTRAINT pk_product_sales_days PRIMARY KEY USING INDEX product_sales_days_key"
    )
