"""Orders and their lines (migrations 0005_checkout, 0007_sales_counters, 0015_picking and
0016_payments, 0020_payment_follow_ups).

An order's own amounts are the checkout's; picking adds the final ones beside them. Its
lines keep the checkout's snapshot and what picking recorded; a substitute is a line of
its own (`substitute_for` names the line it stands in for). `sold_units` and `sold_revenue`
are what a line counts in sales: what was ordered until picking completes, then what was
handed over (a substitute counts nothing before that).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Table,
    Text,
    Uuid,
    false,
    or_,
)
from sqlalchemy.dialects.postgresql import JSONB

from grocery.adapters.sql.schema.carts import SUBSTITUTIONS_SQL
from grocery.adapters.sql.schema.catalog import KG
from grocery.adapters.sql.schema.metadata import metadata, sql_choices
from grocery.adapters.sql.schema.taxes import RATE
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.orders import OrderStatus
from grocery.core.payments import PaymentProvider, PaymentStatus
from grocery.core.substitutions import Substitution

MONEY = Numeric(12, 2)
WEIGHT = Numeric(12, 3)
STATUSES_SQL = sql_choices(OrderStatus)
PAYMENT_PROVIDERS_SQL = sql_choices(PaymentProvider)
PAYMENT_STATUSES_SQL = sql_choices(PaymentStatus)
# The tax a total has on top of the goods: none when prices include it.
ADDED_TAX = "CASE WHEN prices_include_tax THEN 0 ELSE tax END"
FINAL_TAX = "CASE WHEN prices_include_tax THEN 0 ELSE final_tax END"
DELIVERY, PICKUP = FulfilmentMethod.DELIVERY, FulfilmentMethod.PICKUP

orders = Table(
    "orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("status", Text, nullable=False),
    Column("subtotal", MONEY, nullable=False),
    Column("discount", MONEY, nullable=False),
    Column("total", MONEY, nullable=False),
    Column("units", Integer, nullable=False),  # its lines' quantities summed, for reports
    Column("promo_code_id", Uuid, ForeignKey("promo_codes.id", ondelete="SET NULL")),
    Column("promo_code", Text),
    Column("currency", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("final_subtotal", MONEY),  # the final bill, once picking completes
    Column("final_discount", MONEY),
    Column("final_total", MONEY),
    Column("picked_at", DateTime(timezone=True)),
    # The payment (core/payments.py); the defaults are a manual payment not yet taken.
    Column("payment_provider", Text, nullable=False, server_default=PaymentProvider.MANUAL.value),
    Column("payment_status", Text, nullable=False, server_default=PaymentStatus.PENDING.value),
    Column("payment_amount_authorized", MONEY, nullable=False, server_default="0"),
    Column("payment_amount_captured", MONEY, nullable=False, server_default="0"),
    Column("payment_amount_refunded", MONEY, nullable=False, server_default="0"),
    Column("payment_client_secret", Text),
    Column("payment_reference", Text),  # the provider's id: a Stripe PaymentIntent's
    # Tries the provider could not answer, and when the next may be (0025_payment_retries).
    Column("payment_tries", Integer, nullable=False, server_default="0"),
    Column("payment_retry_at", DateTime(timezone=True)),
    # Taxes (migration 0022_order_taxes): added to the total, or included in it.
    Column("tax", MONEY, nullable=False, server_default="0"),
    Column("prices_include_tax", Boolean, nullable=False, server_default=false()),
    Column("final_tax", MONEY),
    # How it is handed over (0023_slot_bookings): all NULL for an order without a slot.
    Column("delivery_fee", MONEY, nullable=False, server_default="0"),
    Column("fulfilment_method", Text),
    # A copy, not a foreign key: storing an order locks nothing of its slot (booking does).
    Column("slot_id", Uuid),
    Column("slot_starts_at", DateTime(timezone=True)),
    Column("slot_ends_at", DateTime(timezone=True)),
    Column("delivery_address", JSONB),  # the customer's address, copied at checkout
    Column("pickup_point_id", Uuid),  # copied, not a reference: the order outlives the point
    Column("pickup_point_name", Text),
    CheckConstraint(f"status IN ({STATUSES_SQL})", name="status"),
    CheckConstraint(f"payment_provider IN ({PAYMENT_PROVIDERS_SQL})", name="payment_provider"),
    CheckConstraint(f"payment_status IN ({PAYMENT_STATUSES_SQL})", name="payment_status"),
    CheckConstraint(
        "payment_amount_authorized >= 0 AND payment_amount_captured >= 0"
        " AND payment_amount_refunded BETWEEN 0 AND payment_amount_captured",
        name="payment_amounts",
    ),
    CheckConstraint("payment_tries >= 0", name="payment_tries_not_negative"),
    CheckConstraint("discount >= 0", name="discount_not_negative"),
    CheckConstraint("total >= 0", name="total_not_negative"),
    CheckConstraint("tax >= 0", name="tax_not_negative"),
    CheckConstraint(
        f"total = subtotal - discount + delivery_fee + {ADDED_TAX}", name="total_adds_up"
    ),
    CheckConstraint("delivery_fee >= 0", name="delivery_fee_not_negative"),
    CheckConstraint(
        "fulfilment_method IS NULL AND slot_id IS NULL AND slot_starts_at IS NULL"
        " AND slot_ends_at IS NULL AND delivery_address IS NULL AND pickup_point_id IS NULL"
        " AND pickup_point_name IS NULL AND delivery_fee = 0"
        f" OR fulfilment_method = '{DELIVERY}' AND slot_id IS NOT NULL"
        " AND slot_starts_at < slot_ends_at"
        " AND delivery_address IS NOT NULL AND pickup_point_id IS NULL"
        f" OR fulfilment_method = '{PICKUP}' AND slot_id IS NOT NULL"
        " AND slot_starts_at < slot_ends_at"
        " AND delivery_address IS NULL AND pickup_point_id IS NOT NULL"
        " AND pickup_point_name IS NOT NULL AND delivery_fee = 0",
        name="fulfilment",
    ),
    CheckConstraint("units >= 0", name="units_not_negative"),  # all picked short: none
    CheckConstraint(
        "(picked_at IS NULL) = (final_total IS NULL)"
        " AND (final_total IS NULL) = (final_subtotal IS NULL)"
        " AND (final_total IS NULL) = (final_discount IS NULL)"
        " AND (final_total IS NULL) = (final_tax IS NULL)"
        " AND (final_total IS NULL OR final_discount >= 0 AND final_total >= 0"
        f" AND final_tax >= 0 AND final_total = final_subtotal - final_discount + delivery_fee"
        f" + {FINAL_TAX})",
        name="final_bill",
    ),
    CheckConstraint(
        f"(status = '{OrderStatus.CANCELLED}') = (cancelled_at IS NOT NULL)", name="cancelled_at"
    ),
)
Index("ix_orders_user_newest", orders.c.user_id, orders.c.created_at.desc(), orders.c.id.desc())
Index("ix_orders_newest", orders.c.created_at.desc(), orders.c.id.desc())
# A webhook finds its order by the provider's id.
Index(
    "uq_orders_payment_reference",
    orders.c.payment_reference,
    unique=True,
    postgresql_where=orders.c.payment_reference.isnot(None),
)
# Card payments the worker may have to follow up (adapters/sql/payments.py): not yet
# authorized, authorized and not yet captured, or cancelled with money taken.
UNAUTHORIZED_SQL = [PaymentStatus.PENDING.value, PaymentStatus.REQUIRES_ACTION.value]
FOLLOW_UP = (orders.c.payment_provider == PaymentProvider.STRIPE.value) & or_(
    orders.c.payment_status.in_([*UNAUTHORIZED_SQL, PaymentStatus.AUTHORIZED.value]),
    (orders.c.status == OrderStatus.CANCELLED.value)
    & orders.c.payment_status.in_(
        [PaymentStatus.CAPTURED.value, PaymentStatus.PARTIALLY_REFUNDED.value]
    ),
)
Index("ix_orders_payment_follow_up", orders.c.created_at, postgresql_where=FOLLOW_UP)
Index(  # a day's booked orders by slot start
    "ix_orders_slot_starts_at",
    orders.c.slot_starts_at,
    orders.c.id,
    postgresql_where=orders.c.slot_starts_at.isnot(None),
)
Index(
    "ix_orders_promo_code_id",
    orders.c.promo_code_id,
    postgresql_where=orders.c.promo_code_id.isnot(None),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    # Both keys are looked up through the reports' indexes (schema/reports.py), which
    # lead with them (migration 0009_order_lines_indexes).
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("product_id", Uuid, ForeignKey("products.id"), nullable=False),
    Column("product_name", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("price_at_purchase", MONEY, nullable=False),
    Column("discount", MONEY, nullable=False),
    Column("line_total", MONEY, nullable=False),
    Column("category_id", Uuid),  # the product's at checkout: whether a promo covers the line
    Column("step_kg", KG),  # a weighed line's step and price per kg
    Column("price_per_kg", MONEY),
    Column("substitution", Text, nullable=False, server_default=Substitution.ALLOW.value),
    Column("preferred_substitute_id", Uuid),  # a snapshot, like product_name: no foreign key
    Column("picked_quantity", Integer),
    Column("picked_weight_kg", WEIGHT),  # a substitute's row: its own weight
    Column("picked_amount", MONEY),  # the final bill's line, once picking completes
    Column("substitute_amount", MONEY),
    Column("final_discount", MONEY),
    Column("substitute_for", Uuid, ForeignKey("order_lines.id", ondelete="CASCADE")),
    Column("sold_units", Integer, nullable=False),
    Column("sold_revenue", MONEY, nullable=False),
    # The tax on line_total at the class and rate of checkout; final_tax on the final line.
    Column("tax", MONEY, nullable=False, server_default="0"),
    Column("tax_class", Text),
    Column("tax_rate", RATE),
    Column("final_tax", MONEY),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("price_at_purchase >= 0", name="price_at_purchase_not_negative"),
    CheckConstraint("discount >= 0", name="discount_not_negative"),
    CheckConstraint("line_total >= 0", name="line_total_not_negative"),
    CheckConstraint(f"substitution IN ({SUBSTITUTIONS_SQL})", name="substitution"),
    CheckConstraint(
        "(step_kg IS NULL) = (price_per_kg IS NULL) AND (step_kg IS NULL OR step_kg > 0)",
        name="weighed",
    ),
    CheckConstraint("picked_quantity BETWEEN 0 AND quantity", name="picked_quantity"),
    CheckConstraint("picked_weight_kg > 0", name="picked_weight_kg"),
    CheckConstraint(
        "(picked_amount IS NULL) = (final_discount IS NULL)"
        " AND (picked_amount IS NULL) = (substitute_amount IS NULL)"
        " AND (picked_amount IS NULL OR picked_amount >= 0 AND substitute_amount >= 0"
        " AND final_discount BETWEEN 0 AND picked_amount + substitute_amount)",
        name="billed",
    ),
    CheckConstraint("sold_units BETWEEN 0 AND quantity AND sold_revenue >= 0", name="sold"),
    CheckConstraint(
        "tax >= 0 AND (tax_class IS NULL) = (tax_rate IS NULL) AND final_tax >= 0", name="taxed"
    ),
)
# One substitute per line; also what the foreign key's cascade looks up.
Index("uq_order_lines_substitute_for", order_lines.c.substitute_for, unique=True)

# One row per (order not cancelled, category it bought from): a category's distinct orders,
# which its products' counters can't give. Kept by checkout and cancellation
# (adapters/sql/orders.py), and by migration 0007_sales_counters' trigger when a product
# changes category.
order_categories = Table(
    "order_categories",
    metadata,
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", Uuid, primary_key=True, index=True),
)
