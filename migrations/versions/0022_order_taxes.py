"""Order taxes: each line's tax at the class and rate it had at checkout, the order's tax,
and whether its prices included tax; the final bill's tax once picked.

- order_lines.tax (0 so far), tax_class and tax_rate (a snapshot: a class renamed, re-rated
  or deleted later changes no placed order), final_tax with the rest of the final bill.
- orders.tax (0 so far), prices_include_tax (false so far) and final_tax. A total adds up
  to subtotal - discount, plus the tax when prices are without it; so does a final total.

Revision ID: 0022_order_taxes
Revises: 0021_tax_classes
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022_order_taxes"
down_revision: str | None = "0021_tax_classes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDED_TAX = "CASE WHEN prices_include_tax THEN 0 ELSE tax END"
FINAL_TAX = "CASE WHEN prices_include_tax THEN 0 ELSE final_tax END"
FINAL_BILL = (
    "(picked_at IS NULL) = (final_total IS NULL)"
    " AND (final_total IS NULL) = (final_subtotal IS NULL)"
    " AND (final_total IS NULL) = (final_discount IS NULL)"
    " AND (final_total IS NULL OR final_discount >= 0 AND final_total >= 0"
    " AND final_total = final_subtotal - final_discount)"
)
TAXED_FINAL_BILL = (
    "(picked_at IS NULL) = (final_total IS NULL)"
    " AND (final_total IS NULL) = (final_subtotal IS NULL)"
    " AND (final_total IS NULL) = (final_discount IS NULL)"
    " AND (final_total IS NULL) = (final_tax IS NULL)"
    " AND (final_total IS NULL OR final_discount >= 0 AND final_total >= 0"
    f" AND final_tax >= 0 AND final_total = final_subtotal - final_discount + {FINAL_TAX})"
)


def upgrade() -> None:
    op.execute(
        "ALTER TABLE order_lines"
        " ADD COLUMN tax numeric(12, 2) NOT NULL DEFAULT 0,"
        " ADD COLUMN tax_class text,"
        " ADD COLUMN tax_rate numeric(6, 3),"
        " ADD COLUMN final_tax numeric(12, 2),"
        " ADD CONSTRAINT ck_order_lines_taxed"
        "  CHECK (tax >= 0 AND (tax_class IS NULL) = (tax_rate IS NULL) AND final_tax >= 0)"
    )
    # An order picked before taxes had none.
    op.execute("UPDATE order_lines SET final_tax = 0 WHERE picked_amount IS NOT NULL")
    op.execute(
        "ALTER TABLE orders"
        " ADD COLUMN tax numeric(12, 2) NOT NULL DEFAULT 0,"
        " ADD COLUMN prices_include_tax boolean NOT NULL DEFAULT false,"
        " ADD COLUMN final_tax numeric(12, 2)"
    )
    op.execute("UPDATE orders SET final_tax = 0 WHERE final_total IS NOT NULL")
    op.execute(
        "ALTER TABLE orders"
        # 0005_checkout's name took the naming convention's prefix twice.
        " DROP CONSTRAINT ck_orders_ck_orders_total_adds_up,"
        " DROP CONSTRAINT ck_orders_final_bill,"
        " ADD CONSTRAINT ck_orders_tax_not_negative CHECK (tax >= 0),"
        f" ADD CONSTRAINT ck_orders_total_adds_up CHECK (total = subtotal - discount + {ADDED_TAX}),"
        f" ADD CONSTRAINT ck_orders_final_bill CHECK ({TAXED_FINAL_BILL})"
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE orders"
        " DROP CONSTRAINT ck_orders_total_adds_up,"
        " DROP CONSTRAINT ck_orders_final_bill,"
        " DROP COLUMN tax, DROP COLUMN prices_include_tax, DROP COLUMN final_tax,"
        " ADD CONSTRAINT ck_orders_ck_orders_total_adds_up CHECK (total = subtotal - discount),"
        f" ADD CONSTRAINT ck_orders_final_bill CHECK ({FINAL_BILL})"
    )
    op.execute(
        "ALTER TABLE order_lines DROP COLUMN tax, DROP COLUMN tax_class, DROP COLUMN tax_rate,"
        " DROP COLUMN final_tax"
    )
