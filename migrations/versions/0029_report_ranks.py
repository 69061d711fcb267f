"""Reports' worst sellers: an index on the products' names (with the id that breaks ties),
the order the report by product walks the catalog in for the least sold within some days
(adapters/sql/report_ranks.py), so the walk reads the first names instead of sorting all.

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


def downgrade() -> None:
    op.execute("DROP INDEX ix_products_name_rank")
