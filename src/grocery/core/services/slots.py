"""Slots: managers plan them one at a time or in batches, change and delete them while what
is taken allows; anyone lists the upcoming ones with the places left.

The places taken are counted and guarded by the store (see core/fulfilment); here the
requests are checked, and the listing's zone found from a postal code or an address.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from grocery.core.edits import KEEP, Keep, applied
from grocery.core.errors import Invalid, NotFound, field_error
from grocery.core.fulfilment.batches import SlotBatch, batch_slots, check_batch
from grocery.core.fulfilment.listing import SlotSearch, check_search, since, until
from grocery.core.fulfilment.slots import (
    Slot,
    SlotLoad,
    SlotQuery,
    capacity_below_booked,
    check_plannable,
    not_delivered_here,
    slot_in_use,
    validate_slot,
)
from grocery.core.fulfilment.zones import DeliveryZone, FulfilmentMethod
from grocery.core.ids import new_id
from grocery.core.paging import keyset_page
from grocery.core.ports.clock import Clock
from grocery.core.ports.fulfilment import FulfilmentWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.services.fulfilment import existing_point, existing_zone


@dataclass(frozen=True, kw_only=True, slots=True)
class SlotChange:
    """What a manager may change of a planned slot."""

    capacity: int | Keep = KEEP
    cutoff_at: datetime | Keep = KEEP


@dataclass(frozen=True, slots=True)
class SlotPage:
    loads: list[SlotLoad]
    last: SlotLoad | None  # where the next page starts (keyset); None on the last page
    now: datetime  # the moment the places were counted at


class SlotService:
    def __init__(
        self, *, uow: UnitOfWorkFactory[FulfilmentWork], clock: Clock, timezone: str
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._timezone = timezone

    async def create(self, slot: Slot) -> Slot:
        """`slot` with a new id; refused unless whole, in the coming year, at a known place."""
        slot = validate_slot(replace(slot, id=new_id()))
        check_plannable(slot, self._clock.now())
        async with self._uow() as uow:
            await _check_place(uow, slot.zone_id, slot.pickup_point_id)
            await uow.slots.add(slot)
            await uow.commit()
        return slot

    async def create_batch(self, batch: SlotBatch) -> int:
        """How many slots the batch made: none already there is made again."""
        now = self._clock.now()
        check_batch(batch, today=now.astimezone(ZoneInfo(self._timezone)).date())
        planned = batch_slots(batch, self._timezone, now=now, new_id=new_id)
        async with self._uow() as uow:
            await _check_place(uow, batch.zone_id, batch.pickup_point_id)
            made = await uow.slots.add_new(planned)
            await uow.commit()
        return made

    async def load(self, slot_id: UUID) -> tuple[SlotLoad, datetime]:
        now = self._clock.now()
        async with self._uow() as uow:
            return await _existing(uow, slot_id, now), now

    async def change(self, slot_id: UUID, change: SlotChange) -> tuple[SlotLoad, datetime]:
        """capacity_below_booked when the capacity would fall under the places taken."""
        now = self._clock.now()
        async with self._uow() as uow:
            slot = validate_slot(applied((await _existing(uow, slot_id, now)).slot, change))
            if not await uow.slots.update(slot, now):
                raise capacity_below_booked((await _existing(uow, slot_id, now)).taken)
            load = await _existing(uow, slot_id, now)
            await uow.commit()
        return load, now

    async def remove(self, slot_id: UUID) -> None:
        """slot_in_use while a place is booked or held."""
        now = self._clock.now()
        async with self._uow() as uow:
            await _existing(uow, slot_id, now)
            if not await uow.slots.delete_unused(slot_id, now):
                raise slot_in_use()
            await uow.commit()

    async def upcoming(self, search: SlotSearch, *, user_id: UUID | None = None) -> SlotPage:
        """Soonest first, one keyset page. `user_id`: the caller, whose address it may name."""
        check_search(search)
        now = self._clock.now()
        async with self._uow() as uow:
            query = await self._query(uow, search, now, user_id)
            loads, last = await keyset_page(
                lambda rows: uow.slots.upcoming(replace(query, limit=rows), now), search.limit
            )
        return SlotPage(loads=loads, last=last, now=now)

    async def _query(
        self, uow: FulfilmentWork, search: SlotSearch, now: datetime, user_id: UUID | None
    ) -> SlotQuery:
        method, zone = search.method, await _zone_searched(uow, search, user_id)
        if zone is not None:
            method = FulfilmentMethod.DELIVERY
        if search.pickup_point_id is not None:
            await existing_point(uow, search.pickup_point_id)
            method = FulfilmentMethod.PICKUP
        return SlotQuery(
            since=since(search, now, self._timezone),
            until=until(search, self._timezone),
            method=method,
            zone_id=None if zone is None else zone.id,
            pickup_point_id=search.pickup_point_id,
            after=search.after,
            limit=search.limit,
        )


async def _zone_searched(
    uow: FulfilmentWork, search: SlotSearch, user_id: UUID | None
) -> DeliveryZone | None:
    """The zone the search names by id, postal code or address; not_delivered_here when the
    postal code falls in none."""
    if search.zone_id is not None:
        return await existing_zone(uow, search.zone_id)
    postal_code = search.postal_code
    if search.address_id is not None:
        address = None if user_id is None else await uow.addresses.get(user_id, search.address_id)
        if address is None:
            raise NotFound("There is no such address.")
        postal_code = address.postal_code
    if postal_code is None:
        return None
    zone_id = await uow.delivery_zones.id_for(postal_code)
    zone = None if zone_id is None else await uow.delivery_zones.get(zone_id)
    if zone is None:
        raise not_delivered_here()
    return zone


async def _existing(uow: FulfilmentWork, slot_id: UUID, now: datetime) -> SlotLoad:
    load = await uow.slots.load(slot_id, now)
    if load is None:
        raise NotFound("There is no such slot.")
    return load


async def _check_place(uow: FulfilmentWork, zone_id: UUID | None, point_id: UUID | None) -> None:
    """Invalid naming the field when the zone or the pickup point is unknown."""
    if zone_id is not None and await uow.delivery_zones.get(zone_id) is None:
        raise Invalid(
            "The delivery zone does not exist.",
            errors=[field_error("zone_id", "no such delivery zone")],
        )
    if point_id is not None and await uow.pickup_points.get(point_id) is None:
        raise Invalid(
            "The pickup point does not exist.",
            errors=[field_error("pickup_point_id", "no such pickup point")],
        )
