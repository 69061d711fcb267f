"""Slots in PostgreSQL: planning them, listing them with their places taken, changing and
deleting them only while what is taken allows.

A slot's places taken are `slots.booked` (orders) plus its unexpired `slot_holds`. Anything
that judges them against the capacity first locks the slot's row (`lock_slot`) and then
counts in a statement of its own: under READ COMMITTED that statement sees every hold and
booking committed before the lock was granted, and none can come in until this transaction
ends. Holds and bookings lock the same row before they take a place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.fulfilment import (
    delivery_zones,
    pickup_points,
    slot_holds,
    slots,
)
from grocery.core.fulfilment.slots import Slot, SlotLoad, SlotQuery
from grocery.core.fulfilment.zones import FulfilmentMethod

# Slots not yet at their place with the same times, all in one statement (a batch may hold
# thousands: arrays, not a parameter per value).
_ADD_NEW = """
    INSERT INTO slots (id, method, zone_id, pickup_point_id, starts_at, ends_at, cutoff_at,
                       capacity)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[],
                         $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::int[])
    ON CONFLICT DO NOTHING
    RETURNING id
"""


async def lock_slot(sql: SessionSql, slot_id: UUID) -> bool:
    """Lock the slot's row until the transaction ends; False when there is no such slot."""
    query = select(slots.c.id).where(slots.c.id == slot_id).with_for_update()
    return (await sql.execute(query)).first() is not None


def held_places(now: datetime) -> ColumnElement[int]:
    """How many places of the slot on the row at hand unexpired holds take at `now`."""
    return (
        select(func.count())
        .where(slot_holds.c.slot_id == slots.c.id, slot_holds.c.held_until > now)
        .scalar_subquery()
    )


def places_taken(now: datetime) -> ColumnElement[int]:
    """Booked plus held at `now`, for the slot on the row at hand."""
    return slots.c.booked + held_places(now)


class SqlSlotRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, slot: Slot) -> None:
        await self._sql.execute(insert(slots).values(_values(slot)))

    async def add_new(self, planned: Sequence[Slot]) -> int:
        if not planned:
            return 0
        columns = list(zip(*(_row(slot) for slot in planned), strict=True))
        return len(await self._sql.fetch(_ADD_NEW, *map(list, columns)))

    async def get(self, slot_id: UUID) -> Slot | None:
        row = (await self._sql.execute(select(slots).where(slots.c.id == slot_id))).first()
        return None if row is None else _slot(row._mapping)

    async def load(self, slot_id: UUID, now: datetime) -> SlotLoad | None:
        query = _loads(now).where(slots.c.id == slot_id)
        row = (await self._sql.execute(query)).mappings().first()
        return None if row is None else _load(row)

    async def upcoming(self, query: SlotQuery, now: datetime) -> list[SlotLoad]:
        statement = (
            _loads(now)
            .where(
                slots.c.starts_at > query.since,
                or_(slots.c.pickup_point_id.is_(None), pickup_points.c.is_active),
                *_filters(query),
            )
            .order_by(slots.c.starts_at, slots.c.id)
            .limit(query.limit)
        )
        return [_load(row) for row in (await self._sql.execute(statement)).mappings()]

    async def update(self, slot: Slot, now: datetime) -> bool:
        if not await lock_slot(self._sql, slot.id):
            return False
        statement = (
            update(slots)
            .where(slots.c.id == slot.id, places_taken(now) <= slot.capacity)
            .values(capacity=slot.capacity, cutoff_at=slot.cutoff_at)
            .returning(slots.c.id)
        )
        return (await self._sql.execute(statement)).first() is not None

    async def delete_unused(self, slot_id: UUID, now: datetime) -> bool:
        if not await lock_slot(self._sql, slot_id):
            return False
        held = exists().where(slot_holds.c.slot_id == slot_id, slot_holds.c.held_until > now)
        statement = (
            delete(slots)
            .where(slots.c.id == slot_id, slots.c.booked == 0, ~held)
            .returning(slots.c.id)
        )
        return (await self._sql.execute(statement)).first() is not None


def _loads(now: datetime) -> Select[Any]:
    return select(
        slots, held_places(now).label("held"), delivery_zones.c.fee.label("zone_fee")
    ).select_from(
        slots.outerjoin(delivery_zones, delivery_zones.c.id == slots.c.zone_id).outerjoin(
            pickup_points, pickup_points.c.id == slots.c.pickup_point_id
        )
    )


def _filters(query: SlotQuery) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.until is not None:
        found.append(slots.c.starts_at < query.until)
    if query.method is not None:
        found.append(slots.c.method == query.method.value)
    if query.zone_id is not None:
        found.append(slots.c.zone_id == query.zone_id)
    if query.pickup_point_id is not None:
        found.append(slots.c.pickup_point_id == query.pickup_point_id)
    if query.after is not None:
        found.append(tuple_(slots.c.starts_at, slots.c.id) > tuple_(*query.after))
    return found


def _values(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.id,
        "method": slot.method.value,
        "zone_id": slot.zone_id,
        "pickup_point_id": slot.pickup_point_id,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "cutoff_at": slot.cutoff_at,
        "capacity": slot.capacity,
    }


def _row(slot: Slot) -> tuple[Any, ...]:
    return tuple(_values(slot).values())


def _slot(row: RowMapping) -> Slot:
    return Slot(
        id=row["id"],
        method=FulfilmentMethod(row["method"]),
        zone_id=row["zone_id"],
        pickup_point_id=row["pickup_point_id"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        cutoff_at=row["cutoff_at"],
        capacity=row["capacity"],
    )


def _load(row: RowMapping) -> SlotLoad:
    return SlotLoad(
        slot=_slot(row), booked=row["booked"], held=row["held"], zone_fee=row["zone_fee"]
    )
