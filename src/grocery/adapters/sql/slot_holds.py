"""Holds and bookings of places in slots, in PostgreSQL.

Taking a place is two statements: the first locks the slot's row, the second counts and
takes in one conditional write. Under READ COMMITTED the second statement's
snapshot is taken after the lock was granted, so it sees every hold and booking committed
by whoever held the lock before; one statement that locked and counted at once would count
with the snapshot it started with, before the lock, and could overbook. Giving a place back
needs no lock: it only ever makes room.

The lock is FOR NO KEY UPDATE: it waits for every other lock taken on the slot to judge its
places (slots.lock_slot's FOR UPDATE, or this one) but not for the key-share locks of rows
that name the slot by foreign key (holds).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from asyncpg import Record

from grocery.adapters.sql.database import SessionSql
from grocery.core.addresses import Address
from grocery.core.fulfilment.pickup_points import PickupPointRef
from grocery.core.fulfilment.slots import HeldSlot, Slot, SlotHold
from grocery.core.fulfilment.zones import PICKUP_TERMS, DeliveryTerms, FulfilmentMethod

_LOCK = "SELECT 1 FROM slots WHERE id = $1 FOR NO KEY UPDATE"

# The customer's hold, in place of any they had, while the slot has a free place not
# counting their own: booked plus other customers' unexpired holds below the capacity.
_HOLD = """
    INSERT INTO slot_holds (user_id, slot_id, address_id, held_until)
    SELECT $1, s.id, $3, $4 FROM slots s
     WHERE s.id = $2
       AND s.booked + (SELECT count(*) FROM slot_holds other
                        WHERE other.slot_id = $2 AND other.held_until > $5
                          AND other.user_id <> $1) < s.capacity
    ON CONFLICT (user_id) DO UPDATE
       SET slot_id = excluded.slot_id, address_id = excluded.address_id,
           held_until = excluded.held_until
    RETURNING user_id
"""

# The order's place taken, while the slot has one not counting the customer's own hold
# (expired or not), and the hold gone with it.
_BOOK = """
    WITH booked AS (
        UPDATE slots s SET booked = s.booked + 1
         WHERE s.id = $1
           AND s.booked + (SELECT count(*) FROM slot_holds other
                            WHERE other.slot_id = $1 AND other.held_until > $2
                              AND other.user_id <> $3) < s.capacity
        RETURNING s.id
    ), released AS (
        DELETE FROM slot_holds WHERE user_id = $3 AND EXISTS (SELECT FROM booked)
    )
    SELECT count(*) FROM booked
"""

_RELEASE_BOOKING = """
    UPDATE slots SET booked = booked - 1
     WHERE id = (SELECT slot_id FROM orders WHERE id = $1)
    RETURNING id
"""

# A hold with its slot, the slot's zone or counter and the address, in one read.
OF_CUSTOMER = """
    SELECT h.slot_id, h.address_id, h.held_until,
           s.method, s.zone_id, s.pickup_point_id, s.starts_at, s.ends_at, s.cutoff_at,
           s.capacity, z.fee, z.free_delivery_over, z.min_order_amount,
           p.name AS point_name, p.is_active AS point_active,
           a.recipient, a.line1, a.line2, a.city, a.postal_code, a.country, a.label, a.phone,
           a.instructions, a.is_default, a.created_at AS address_created_at
      FROM slot_holds h
      JOIN slots s ON s.id = h.slot_id
      LEFT JOIN delivery_zones z ON z.id = s.zone_id
      LEFT JOIN pickup_points p ON p.id = s.pickup_point_id
      LEFT JOIN addresses a ON a.id = h.address_id
     WHERE h.user_id = $1
"""


class SqlSlotHoldRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def hold(self, hold: SlotHold, now: datetime) -> bool:
        if await self._sql.fetchrow(_LOCK, hold.slot_id) is None:
            return False
        held = await self._sql.fetchrow(
            _HOLD, hold.user_id, hold.slot_id, hold.address_id, hold.held_until, now
        )
        return held is not None

    async def of_customer(self, user_id: UUID) -> HeldSlot | None:
        row = await self._sql.fetchrow(OF_CUSTOMER, user_id)
        return None if row is None else held_slot(user_id, row)

    async def release(self, user_id: UUID) -> bool:
        gone = await self._sql.fetchrow(
            "DELETE FROM slot_holds WHERE user_id = $1 RETURNING user_id", user_id
        )
        return gone is not None


class SqlSlotBookingRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def book(self, slot_id: UUID, order_id: UUID, user_id: UUID, now: datetime) -> bool:
        # The order row already names the slot; the place is the slot's `booked` counter.
        if await self._sql.fetchrow(_LOCK, slot_id) is None:
            return False
        row = await self._sql.fetchrow(_BOOK, slot_id, now, user_id)
        return row is not None and row[0] == 1

    async def release(self, order_id: UUID) -> bool:
        return await self._sql.fetchrow(_RELEASE_BOOKING, order_id) is not None


def held_slot(user_id: UUID, row: Record) -> HeldSlot:
    """The hold OF_CUSTOMER read."""
    method = FulfilmentMethod(row["method"])
    slot = Slot(
        id=row["slot_id"],
        method=method,
        zone_id=row["zone_id"],
        pickup_point_id=row["pickup_point_id"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        cutoff_at=row["cutoff_at"],
        capacity=row["capacity"],
    )
    hold = SlotHold(
        user_id=user_id,
        slot_id=slot.id,
        address_id=row["address_id"],
        held_until=row["held_until"],
    )
    if method is FulfilmentMethod.PICKUP:
        return HeldSlot(
            hold=hold,
            slot=slot,
            terms=PICKUP_TERMS,
            place_open=row["point_active"],
            pickup_point=PickupPointRef(id=row["pickup_point_id"], name=row["point_name"]),
        )
    terms = DeliveryTerms(
        method=method,
        fee=row["fee"],
        free_delivery_over=row["free_delivery_over"],
        min_order_amount=row["min_order_amount"],
    )
    return HeldSlot(hold=hold, slot=slot, terms=terms, address=_address(user_id, row))


def _address(user_id: UUID, row: Record) -> Address | None:
    if row["address_id"] is None:
        return None
    return Address(
        id=row["address_id"],
        user_id=user_id,
        recipient=row["recipient"],
        line1=row["line1"],
        line2=row["line2"],
        city=row["city"],
        postal_code=row["postal_code"],
        country=row["country"],
        label=row["label"],
        phone=row["phone"],
        instructions=row["instructions"],
        is_default=row["is_default"],
        created_at=row["address_created_at"],
    )
