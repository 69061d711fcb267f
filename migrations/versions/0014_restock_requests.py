"""Back in stock: customers' notify-me requests, one per customer and product, until the
product comes back and the mail goes out.

Revision ID: 0014_restock_requests
Revises: 0013_account_links
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_restock_requests"
down_revision: str | None = "0013_account_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "restock_requests",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_restock_requests_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name="fk_restock_requests_product_id_products",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "product_id", name="pk_restock_requests"),
    )
    op.create_index("ix_restock_requests_product_id", "restock_requests", ["product_id"])


def downgrade() -> None:
    op.drop_table("restock_requests")
