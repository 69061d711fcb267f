"""Delivery and click-and-collect: zones and their postal-code prefixes, pickup points, slots,
and the holds carts keep on places in slots.

A slot's places are taken by bookings (`slots.booked`, a counter the booking moves relative
to itself, never above the capacity) and by unexpired holds (`slot_holds` rows whose
`held_until` is still ahead). Whatever changes either locks the slot's row first, so the
count it then judges is the latest.
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
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from grocery.adapters.sql.schema.metadata import metadata, sql_choices
from grocery.core.addresses import LINE_MAX_LENGTH, POSTAL_CODE_MAX_LENGTH
from grocery.core.fulfilment.pickup_points import INSTRUCTIONS_MAX_LENGTH
from grocery.core.fulfilment.slots import MAX_SLOT_CAPACITY
from grocery.core.fulfilment.zones import NAME_MAX_LENGTH, PREFIX_MAX_LENGTH, FulfilmentMethod

METHODS_SQL = sql_choices(FulfilmentMethod)
DELIVERY, PICKUP = FulfilmentMethod.DELIVERY, FulfilmentMethod.PICKUP

delivery_zones = Table(
    "delivery_zones",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(NAME_MAX_LENGTH), nullable=False),
    Column("fee", Numeric(12, 2), nullable=False),
    Column("free_delivery_over", Numeric(12, 2)),
    Column("min_order_amount", Numeric(12, 2)),
    CheckConstraint("fee >= 0", name="fee_not_negative"),
    CheckConstraint("free_delivery_over >= 0", name="free_delivery_over_not_negative"),
    CheckConstraint("min_order_amount >= 0", name="min_order_amount_not_negative"),
)

# A prefix (normalised: upper case, no spaces) belongs to one zone at most, so the longest
# match is never a tie.
delivery_zone_prefixes = Table(
    "delivery_zone_prefixes",
    metadata,
    Column("prefix", String(PREFIX_MAX_LENGTH), primary_key=True),
    Column(
        "zone_id",
        Uuid,
        ForeignKey("delivery_zones.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)
ZONE_PREFIX_KEY = "pk_delivery_zone_prefixes"

pickup_points = Table(
    "pickup_points",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(NAME_MAX_LENGTH), nullable=False),
    Column("line1", String(LINE_MAX_LENGTH), nullable=False),
    Column("city", String(LINE_MAX_LENGTH), nullable=False),
    Column("postal_code", String(POSTAL_CODE_MAX_LENGTH), nullable=False),
    Column("country", String(2), nullable=False),
    Column("instructions", String(INSTRUCTIONS_MAX_LENGTH)),
    Column("is_active", Boolean, nullable=False),
    CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_code"),
)

slots = Table(
    "slots",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("method", String(8), nullable=False),
    # RESTRICT: a zone or a counter with slots planned is not deleted under them.
    Column("zone_id", Uuid, ForeignKey("delivery_zones.id", ondelete="RESTRICT")),
    Column("pickup_point_id", Uuid, ForeignKey("pickup_points.id", ondelete="RESTRICT")),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("cutoff_at", DateTime(timezone=True), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("booked", Integer, nullable=False, server_default="0"),  # orders' places
    CheckConstraint(f"method IN ({METHODS_SQL})", name="method"),
    CheckConstraint(
        f"method = '{DELIVERY}' AND zone_id IS NOT NULL AND pickup_point_id IS NULL"
        f" OR method = '{PICKUP}' AND pickup_point_id IS NOT NULL AND zone_id IS NULL",
        name="one_place",
    ),
    CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
    CheckConstraint("cutoff_at <= starts_at", name="cutoff_by_start"),
    CheckConstraint(f"capacity BETWEEN 1 AND {MAX_SLOT_CAPACITY}", name="capacity"),
    CheckConstraint("booked BETWEEN 0 AND capacity", name="booked_within_capacity"),
    # The same place never has two slots with the same times (a batch run twice makes none).
    # A pickup slot's zone_id is NULL, so it never clashes on the first, and vice versa.
    UniqueConstraint("zone_id", "starts_at", "ends_at", name="uq_slots_zone_times"),
    UniqueConstraint("pickup_point_id", "starts_at", "ends_at", name="uq_slots_pickup_point_times"),
    Index("ix_slots_starts_at_id", "starts_at", "id"),  # upcoming slots, soonest first
)
BOOKED_WITHIN_CAPACITY = "ck_slots_booked_within_capacity"

# One hold per customer's cart. An expired hold takes no place; it stays until the cart takes
# another slot, checks out or lets go (a housekeeping sweep may delete it).
slot_holds = Table(
    "slot_holds",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("slot_id", Uuid, ForeignKey("slots.id", ondelete="CASCADE"), nullable=False),
    Column(
        "address_id",
        Uuid,
        ForeignKey("addresses.id", ondelete="CASCADE"),
        index=True,  # a deleted address takes its hold along
    ),
    Column("held_until", DateTime(timezone=True), nullable=False),
    Index("ix_slot_holds_slot_id_held_until", "slot_id", "held_until"),  # a slot's places held
)
