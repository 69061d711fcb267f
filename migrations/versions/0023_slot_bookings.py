"""Slot bookings: an order keeps how it is handed over and what delivery cost.

- orders.delivery_fee (0 so far), counted in the total: total = subtotal - discount +
  delivery_fee, and a final bill's total likewise (the fee stays as at checkout).
- orders.fulfilment_method, slot_id, slot_starts_at, slot_ends_at, delivery_address (the
  customer's address copied at checkout, JSON) and pickup_point_id/pickup_point_name (copied
  too): all NULL for an order placed without a slot. slot_id is a copy too, not a foreign
  key: an order's insert takes no lock on its slot's row (booking locks it), and the order
  keeps its slot's id and times should the slot be deleted once nothing books it.
- A booking is the order's place in `slots.booked`; cancelling gives it back.
- ix_orders_slot_starts_at: a day's booked orders by slot start, for the managers' plan.
- ix_orders_counted_created_at includes delivery_fee: sales reports count revenue net of it.

Revision ID: 0023_slot_bookings
Revises: 0022_order_taxes
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023_slot_bookings"
down_revision: str | None = "0022_order_taxes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDED_TAX = "CASE WHEN prices_include_tax THEN 0 ELSE tax END"
FINAL_TAX = "CASE WHEN prices_include_tax THEN 0 ELSE final_tax END"
FINAL_BILL = (
    "(picked_at IS NULL) = (final_total IS NULL)"
    " AND (final_total IS NULL) = (final_subtotal IS NULL)"
    " AND (final_total IS NULL) = (final_discount IS NULL)"
    " AND (final_total IS NULL) = (final_tax IS NULL)"
    " AND (final_total IS NULL OR final_discount >= 0 AND final_total >= 0"
    f" AND final_tax >= 0 AND final_total = final_subtotal - final_discount{{fee}} + {FINAL_TAX})"
)


def upgrade() -> None:
    op.execute(
        "ALTER TABLE orders"
        " ADD COLUMN delivery_fee numeric(12, 2) NOT NULL DEFAULT 0,"
        " ADD COLUMN fulfilment_method text,"
        " ADD COLUMN slot_id uuid,"
        " ADD COLUMN slot_starts_at timestamp with time zone,"
        " ADD COLUMN slot_ends_at timestamp with time zone,"
        " ADD COLUMN delivery_address jsonb,"
        " ADD COLUMN pickup_point_id uuid,"
        " ADD COLUMN pickup_point_name text,"
        " ADD CONSTRAINT ck_orders_delivery_fee_not_negative CHECK (delivery_fee >= 0),"
        " ADD CONSTRAINT ck_orders_fulfilment CHECK ("
        "  fulfilment_method IS NULL AND slot_id IS NULL AND slot_starts_at IS NULL"
        "   AND slot_ends_at IS NULL AND delivery_address IS NULL AND pickup_point_id IS NULL"
        "   AND pickup_point_name IS NULL AND delivery_fee = 0"
        "  OR fulfilment_method = 'delivery' AND slot_id IS NOT NULL"
        "   AND slot_starts_at < slot_ends_at"
        "   AND delivery_address IS NOT NULL AND pickup_point_id IS NULL"
        "  OR fulfilment_method = 'pickup' AND slot_id IS NOT NULL"
        "   AND slot_starts_at < slot_ends_at"
        "   AND delivery_address IS NULL AND pickup_point_id IS NOT NULL"
        "   AND pickup_point_name IS NOT NULL AND delivery_fee = 0),"
        " DROP CONSTRAINT ck_orders_total_adds_up,"
        " ADD CONSTRAINT ck_orders_total_adds_up"
        f"  CHECK (total = subtotal - discount + delivery_fee + {ADDED_TAX}),"
        " DROP CONSTRAINT ck_orders_final_bill,"
        f" ADD CONSTRAINT ck_orders_final_bill CHECK ({FINAL_BILL.format(fee=' + delivery_fee')})"
    )
    op.execute(
        "CREATE INDEX ix_orders_slot_starts_at ON orders (slot_starts_at, id)"
        " WHERE slot_starts_at IS NOT NULL"
    )
    _counted_created_at("id, units, total, final_total, delivery_fee")


def _counted_created_at(include: str) -> None:
    op.execute("DROP INDEX ix_orders_counted_created_at")
    op.execute(
        "CREATE INDEX ix_orders_counted_created_at ON orders (created_at)"
        f" INCLUDE ({include}) WHERE status <> 'cancelled'"
    )


def downgrade() -> None:
    _counted_created_at("id, units, total, final_total")
    op.execute("DROP INDEX ix_orders_slot_starts_at")
    op.execute(
        "ALTER TABLE orders"
        " DROP CONSTRAINT ck_orders_final_bill,"
        " DROP CONSTRAINT ck_orders_total_adds_up,"
        " DROP CONSTRAINT ck_orders_fulfilment,"
        " DROP CONSTRAINT ck_orders_delivery_fee_not_negative"
    )
    # Orders with a delivery fee keep what the customer paid: the fee joins the subtotal.
    op.execute(
        "UPDATE orders SET subtotal = subtotal + delivery_fee,"
        " final_subtotal = final_subtotal + delivery_fee WHERE delivery_fee > 0"
    )
    op.execute(
        "ALTER TABLE orders"
        " DROP COLUMN pickup_point_name, DROP COLUMN pickup_point_id,"
        " DROP COLUMN delivery_address, DROP COLUMN slot_ends_at, DROP COLUMN slot_starts_at,"
        " DROP COLUMN slot_id, DROP COLUMN fulfilment_method, DROP COLUMN delivery_fee,"
        f" ADD CONSTRAINT ck_orders_total_adds_up CHECK (total = subtotal - discount + {ADDED_TAX}),"
        f" ADD CONSTRAINT ck_orders_final_bill CHECK ({FINAL_BILL.format(fee='')})"
    )
