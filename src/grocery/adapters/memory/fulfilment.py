"""Delivery zones, pickup points, slots and holds in memory, refusing what PostgreSQL's keys
and constraints refuse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from grocery.core.errors import AlreadyExists, Invalid, field_error
from grocery.core.fulfilment.pickup_points import PickupPoint
from grocery.core.fulfilment.slots import Slot, SlotHold, SlotLoad, SlotQuery
from grocery.core.fulfilment.zones import DeliveryZone, zone_for


@dataclass
class FulfilmentTables:
    zones: dict[UUID, DeliveryZone] = field(default_factory=dict)
    pickup_points: dict[UUID, PickupPoint] = field(default_factory=dict)
    slots: dict[UUID, Slot] = field(default_factory=dict)
    booked: dict[UUID, int] = field(default_factory=dict)  # slot -> orders' places
    holds: dict[UUID, SlotHold] = field(default_factory=dict)  # one per customer

    def held(self, slot_id: UUID, now: datetime) -> int:
        return sum(1 for h in self.holds.values() if h.slot_id == slot_id and h.counts_at(now))

    def taken(self, slot_id: UUID, now: datetime) -> int:
        return self.booked.get(slot_id, 0) + self.held(slot_id, now)


# --- delivery zones -----------------------------------------------------------


class MemoryDeliveryZoneRepository:
    def __init__(self, tables: FulfilmentTables) -> None:
        self._tables = tables
        self._zones = tables.zones

    async def add(self, zone: DeliveryZone) -> None:
        self._refuse(zone)
        self._zones[zone.id] = _sorted(zone)

    async def get(self, zone_id: UUID) -> DeliveryZone | None:
        return self._zones.get(zone_id)

    async def all(self) -> list[DeliveryZone]:
        return sorted(self._zones.values(), key=lambda z: (z.name, z.id.int))

    async def id_for(self, postal_code: str) -> UUID | None:
        zone = zone_for(postal_code, self._zones.values())
        return None if zone is None else zone.id

    async def update(self, zone: DeliveryZone) -> None:
        if zone.id in self._zones:
            self._refuse(zone)
            self._zones[zone.id] = _sorted(zone)

    async def delete(self, zone_id: UUID) -> bool:
        if any(s.zone_id == zone_id for s in self._tables.slots.values()):
            return False
        return self._zones.pop(zone_id, None) is not None

    def _refuse(self, zone: DeliveryZone) -> None:
        others = {
            p for z in self._zones.values() if z.id != zone.id for p in z.postal_code_prefixes
        }
        if others.intersection(zone.postal_code_prefixes):
            raise AlreadyExists(
                "A postal-code prefix of this zone belongs to another zone.",
                errors=[field_error("postal_code_prefixes", "a prefix belongs to another zone")],
            )


def _sorted(zone: DeliveryZone) -> DeliveryZone:
    return replace(zone, postal_code_prefixes=tuple(sorted(zone.postal_code_prefixes)))


# --- pickup points ------------------------------------------------------------


class MemoryPickupPointRepository:
    def __init__(self, tables: FulfilmentTables) -> None:
        self._tables = tables
        self._points = tables.pickup_points

    async def add(self, point: PickupPoint) -> None:
        self._points[point.id] = point

    async def get(self, point_id: UUID) -> PickupPoint | None:
        return self._points.get(point_id)

    async def all(self, *, active_only: bool) -> list[PickupPoint]:
        chosen = [p for p in self._points.values() if p.is_active or not active_only]
        return sorted(chosen, key=lambda p: (p.name, p.id.int))

    async def update(self, point: PickupPoint) -> None:
        if point.id in self._points:
            self._points[point.id] = point

    async def delete(self, point_id: UUID) -> bool:
        if any(s.pickup_point_id == point_id for s in self._tables.slots.values()):
            return False
        return self._points.pop(point_id, None) is not None


# --- slots --------------------------------------------------------------------


class MemorySlotRepository:
    def __init__(self, tables: FulfilmentTables) -> None:
        self._tables = tables
        self._slots = tables.slots

    async def add(self, slot: Slot) -> None:
        self._refuse_place(slot)
        if self._twin(slot):
            raise AlreadyExists(
                "This place already has a slot with these times.",
                errors=[field_error("starts_at", "this place already has a slot with these times")],
            )
        self._slots[slot.id] = slot

    async def add_new(self, slots: Sequence[Slot]) -> int:
        made = 0
        for slot in slots:
            self._refuse_place(slot)
            if not self._twin(slot):
                self._slots[slot.id] = slot
                made += 1
        return made

    async def get(self, slot_id: UUID) -> Slot | None:
        return self._slots.get(slot_id)

    async def load(self, slot_id: UUID, now: datetime) -> SlotLoad | None:
        slot = self._slots.get(slot_id)
        return None if slot is None else self._load(slot, now)

    async def upcoming(self, query: SlotQuery, now: datetime) -> list[SlotLoad]:
        chosen = sorted(
            (s for s in self._slots.values() if self._listed(s, query)),
            key=lambda s: (s.starts_at, s.id.int),
        )
        return [self._load(slot, now) for slot in chosen[: query.limit]]

    async def update(self, slot: Slot, now: datetime) -> bool:
        stored = self._slots.get(slot.id)
        if stored is None or self._tables.taken(slot.id, now) > slot.capacity:
            return False
        self._slots[slot.id] = replace(stored, capacity=slot.capacity, cutoff_at=slot.cutoff_at)
        return True

    async def delete_unused(self, slot_id: UUID, now: datetime) -> bool:
        if slot_id not in self._slots or self._tables.taken(slot_id, now):
            return False
        del self._slots[slot_id]
        self._tables.booked.pop(slot_id, None)
        holds = self._tables.holds
        for holder in [u for u, hold in holds.items() if hold.slot_id == slot_id]:
            del holds[holder]
        return True

    def _listed(self, slot: Slot, query: SlotQuery) -> bool:
        return (
            slot.starts_at > query.since
            and self._point_open(slot)
            and (query.until is None or slot.starts_at < query.until)
            and (query.method is None or slot.method == query.method)
            and (query.zone_id is None or slot.zone_id == query.zone_id)
            and (query.pickup_point_id is None or slot.pickup_point_id == query.pickup_point_id)
            and (query.after is None or (slot.starts_at, slot.id.int) > _mark(query.after))
        )

    def _point_open(self, slot: Slot) -> bool:
        if slot.pickup_point_id is None:
            return True
        return self._tables.pickup_points[slot.pickup_point_id].is_active

    def _load(self, slot: Slot, now: datetime) -> SlotLoad:
        zone = self._tables.zones.get(slot.zone_id) if slot.zone_id else None
        return SlotLoad(
            slot=slot,
            booked=self._tables.booked.get(slot.id, 0),
            held=self._tables.held(slot.id, now),
            zone_fee=None if zone is None else zone.fee,
        )

    def _twin(self, slot: Slot) -> bool:
        return any(
            (s.zone_id, s.pickup_point_id, s.starts_at, s.ends_at)
            == (slot.zone_id, slot.pickup_point_id, slot.starts_at, slot.ends_at)
            for s in self._slots.values()
        )

    def _refuse_place(self, slot: Slot) -> None:
        """What the slots' foreign keys refuse: a zone or a pickup point that isn't there."""
        if slot.zone_id is not None and slot.zone_id not in self._tables.zones:
            raise Invalid(
                "The delivery zone does not exist.",
                errors=[field_error("zone_id", "no such delivery zone")],
            )
        if (
            slot.pickup_point_id is not None
            and slot.pickup_point_id not in self._tables.pickup_points
        ):
            raise Invalid(
                "The pickup point does not exist.",
                errors=[field_error("pickup_point_id", "no such pickup point")],
            )


def _mark(after: tuple[datetime, UUID]) -> tuple[datetime, int]:
    return after[0], after[1].int
