"""Tax classes: a named rate (a percent) that categories and products are taxed at.

- tax_classes, names unique ignoring case, rates 0..100.
- categories.tax_class_id and products.tax_class_id, both optional (a product's own class
  wins over its category's; neither: untaxed). ON DELETE RESTRICT, so a class still in use
  can't be deleted.

Revision ID: 0021_tax_classes
Revises: 0020_payment_follow_ups
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_tax_classes"
down_revision: str | None = "0020_payment_follow_ups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TAXED = ("categories", "products")


def upgrade() -> None:
    op.create_table(
        "tax_classes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("rate", sa.Numeric(6, 3), nullable=False),
        sa.CheckConstraint("rate BETWEEN 0 AND 100", name="ck_tax_classes_rate_a_percent"),
        sa.PrimaryKeyConstraint("id", name="pk_tax_classes"),
    )
    op.create_index("uq_tax_classes_name_key", "tax_classes", [sa.text("lower(name)")], unique=True)
    for table in TAXED:
        op.add_column(table, sa.Column("tax_class_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            f"fk_{table}_tax_class_id_tax_classes",
            table,
            "tax_classes",
            ["tax_class_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        op.create_index(f"ix_{table}_tax_class_id", table, ["tax_class_id"])


def downgrade() -> None:
    for table in TAXED:
        op.drop_column(table, "tax_class_id")
    op.drop_table("tax_classes")
