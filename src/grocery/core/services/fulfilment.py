"""Where the shop hands groceries over, as managers keep it: delivery zones and pickup points.

Anyone may read them; the zones a postal code falls in are matched in core/fulfilment/zones.py.
"""

from __future__ import annotations

from uuid import UUID

from grocery.core.errors import NotFound
from grocery.core.fulfilment.pickup_points import (
    PickupPoint,
    PickupPointEdit,
    edited_pickup_point,
    new_pickup_point,
    pickup_point_in_use,
)
from grocery.core.fulfilment.zones import (
    DeliveryZone,
    ZoneEdit,
    edited_zone,
    new_zone,
    zone_in_use,
)
from grocery.core.ids import new_id
from grocery.core.ports.fulfilment import FulfilmentWork
from grocery.core.ports.transaction import UnitOfWorkFactory


class DeliveryZoneService:
    def __init__(self, *, uow: UnitOfWorkFactory[FulfilmentWork]) -> None:
        self._uow = uow

    async def all(self) -> list[DeliveryZone]:
        async with self._uow() as uow:
            return await uow.delivery_zones.all()

    async def get(self, zone_id: UUID) -> DeliveryZone:
        async with self._uow() as uow:
            return await existing_zone(uow, zone_id)

    async def create(self, edit: ZoneEdit) -> DeliveryZone:
        zone = new_zone(edit, id=new_id())
        async with self._uow() as uow:
            await uow.delivery_zones.add(zone)
            await uow.commit()
        return zone

    async def change(self, zone_id: UUID, edit: ZoneEdit) -> DeliveryZone:
        async with self._uow() as uow:
            zone = edited_zone(await existing_zone(uow, zone_id), edit)
            await uow.delivery_zones.update(zone)
            await uow.commit()
        return zone

    async def remove(self, zone_id: UUID) -> None:
        """Only while no slot is planned in the zone."""
        async with self._uow() as uow:
            await existing_zone(uow, zone_id)
            if not await uow.delivery_zones.delete(zone_id):
                raise zone_in_use()
            await uow.commit()


class PickupPointService:
    def __init__(self, *, uow: UnitOfWorkFactory[FulfilmentWork]) -> None:
        self._uow = uow

    async def all(self, *, active_only: bool) -> list[PickupPoint]:
        async with self._uow() as uow:
            return await uow.pickup_points.all(active_only=active_only)

    async def get(self, point_id: UUID) -> PickupPoint:
        async with self._uow() as uow:
            return await existing_point(uow, point_id)

    async def create(self, edit: PickupPointEdit) -> PickupPoint:
        point = new_pickup_point(edit, id=new_id())
        async with self._uow() as uow:
            await uow.pickup_points.add(point)
            await uow.commit()
        return point

    async def change(self, point_id: UUID, edit: PickupPointEdit) -> PickupPoint:
        async with self._uow() as uow:
            point = edited_pickup_point(await existing_point(uow, point_id), edit)
            await uow.pickup_points.update(point)
            await uow.commit()
        return point

    async def remove(self, point_id: UUID) -> None:
        """Only while no slot is planned there; a point in use is closed instead (is_active)."""
        async with self._uow() as uow:
            await existing_point(uow, point_id)
            if not await uow.pickup_points.delete(point_id):
                raise pickup_point_in_use()
            await uow.commit()


async def existing_zone(uow: FulfilmentWork, zone_id: UUID) -> DeliveryZone:
    zone = await uow.delivery_zones.get(zone_id)
    if zone is None:
        raise NotFound("There is no such delivery zone.")
    return zone


async def existing_point(uow: FulfilmentWork, point_id: UUID) -> PickupPoint:
    point = await uow.pickup_points.get(point_id)
    if point is None:
        raise NotFound("There is no such pickup point.")
    return point
