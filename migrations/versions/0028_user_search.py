"""User search: trigram indexes on the lowercased username and email, so an admin's search
for part of either (`?q=` on /api/admin/users and the back office's users screen, a
LIKE '%part%') reads the index instead of every user. pg_trgm is installed by 0003.

Revision ID: 0028_user_search
Revises: 0027_category_sales
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028_user_search"
down_revision: str | None = "0027_category_sales"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_users_username_trgm ON users USING gin (lower(username) gin_trgm_ops)"
    )
    op.execute("CREATE INDEX ix_users_email_trgm ON users USING gin (lower(email) gin_trgm_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_users_email_trgm")
    op.execute("DROP INDEX ix_users_username_trgm")
