"""Delivery zones and pickup points in PostgreSQL.

A zone's prefixes are rows of their own, keyed by the prefix: a prefix another zone has is
refused by that key (AlreadyExists), whichever of two racing writes comes second. A zone or a
point is deleted only while no slot is planned there; the foreign keys from slots refuse a
slot planned meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, delete, exists, func, insert, select, update

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.fulfilment import (
    delivery_zone_prefixes,
    delivery_zones,
    pickup_points,
    slots,
)
from grocery.core.addresses import StreetAddress
from grocery.core.fulfilment.pickup_points import PickupPoint
from grocery.core.fulfilment.zones import DeliveryZone, postal_code_prefixes

# --- delivery zones -----------------------------------------------------------


class SqlDeliveryZoneRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, zone: DeliveryZone) -> None:
        await self._sql.execute(insert(delivery_zones).values(id=zone.id, **_terms(zone)))
        await self._add_prefixes(zone)

    async def get(self, zone_id: UUID) -> DeliveryZone | None:
        query = select(delivery_zones).where(delivery_zones.c.id == zone_id)
        found = await self._with_prefixes((await self._sql.execute(query)).mappings())
        return found[0] if found else None

    async def all(self) -> list[DeliveryZone]:
        query = select(delivery_zones).order_by(delivery_zones.c.name, delivery_zones.c.id)
        return await self._with_prefixes((await self._sql.execute(query)).mappings())

    async def id_for(self, postal_code: str) -> UUID | None:
        candidates = postal_code_prefixes(postal_code)
        if not candidates:
            return None
        prefix = delivery_zone_prefixes.c.prefix
        query = (  # the prefixes' primary key finds each candidate; the longest wins
            select(delivery_zone_prefixes.c.zone_id)
            .where(prefix.in_(candidates))
            .order_by(func.length(prefix).desc())
            .limit(1)
        )
        return (await self._sql.execute(query)).scalar_one_or_none()

    async def update(self, zone: DeliveryZone) -> None:
        await self._sql.execute(
            update(delivery_zones).where(delivery_zones.c.id == zone.id).values(_terms(zone))
        )
        await self._sql.execute(
            delete(delivery_zone_prefixes).where(delivery_zone_prefixes.c.zone_id == zone.id)
        )
        await self._add_prefixes(zone)

    async def delete(self, zone_id: UUID) -> bool:
        planned = exists().where(slots.c.zone_id == zone_id)
        statement = (
            delete(delivery_zones)
            .where(delivery_zones.c.id == zone_id, ~planned)
            .returning(delivery_zones.c.id)
        )
        return (await self._sql.execute(statement)).first() is not None

    async def _add_prefixes(self, zone: DeliveryZone) -> None:
        rows = [{"prefix": p, "zone_id": zone.id} for p in zone.postal_code_prefixes]
        await self._sql.execute(insert(delivery_zone_prefixes), rows)

    async def _with_prefixes(self, rows: Iterable[RowMapping]) -> list[DeliveryZone]:
        """The zones of these rows, each with its prefixes (one query for them all)."""
        listed = list(rows)
        prefixes: dict[UUID, list[str]] = {row["id"]: [] for row in listed}
        if prefixes:
            query = (
                select(delivery_zone_prefixes)
                .where(delivery_zone_prefixes.c.zone_id.in_(prefixes))
                .order_by(delivery_zone_prefixes.c.prefix)
            )
            for row in (await self._sql.execute(query)).mappings():
                prefixes[row["zone_id"]].append(row["prefix"])
        return [_zone(row, tuple(prefixes[row["id"]])) for row in listed]


def _terms(zone: DeliveryZone) -> dict[str, Any]:
    return {
        "name": zone.name,
        "fee": zone.fee,
        "free_delivery_over": zone.free_delivery_over,
        "min_order_amount": zone.min_order_amount,
    }


def _zone(row: RowMapping, prefixes: tuple[str, ...]) -> DeliveryZone:
    return DeliveryZone(
        id=row["id"],
        name=row["name"],
        postal_code_prefixes=prefixes,
        fee=row["fee"],
        free_delivery_over=row["free_delivery_over"],
        min_order_amount=row["min_order_amount"],
    )


# --- pickup points ------------------------------------------------------------


class SqlPickupPointRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, point: PickupPoint) -> None:
        await self._sql.execute(insert(pickup_points).values(id=point.id, **_point_values(point)))

    async def get(self, point_id: UUID) -> PickupPoint | None:
        query = select(pickup_points).where(pickup_points.c.id == point_id)
        row = (await self._sql.execute(query)).mappings().first()
        return None if row is None else _point(row)

    async def all(self, *, active_only: bool) -> list[PickupPoint]:
        query = select(pickup_points).order_by(pickup_points.c.name, pickup_points.c.id)
        if active_only:
            query = query.where(pickup_points.c.is_active)
        return [_point(row) for row in (await self._sql.execute(query)).mappings()]

    async def update(self, point: PickupPoint) -> None:
        await self._sql.execute(
            update(pickup_points).where(pickup_points.c.id == point.id).values(_point_values(point))
        )

    async def delete(self, point_id: UUID) -> bool:
        planned = exists().where(slots.c.pickup_point_id == point_id)
        statement = (
            delete(pickup_points)
            .where(pickup_points.c.id == point_id, ~planned)
            .returning(pickup_points.c.id)
        )
        return (await self._sql.execute(statement)).first() is not None


def _point_values(point: PickupPoint) -> dict[str, Any]:
    return {
        "name": point.name,
        "line1": point.address.line1,
        "city": point.address.city,
        "postal_code": point.address.postal_code,
        "country": point.address.country,
        "instructions": point.instructions,
        "is_active": point.is_active,
    }


def _point(row: RowMapping) -> PickupPoint:
    return PickupPoint(
        id=row["id"],
        name=row["name"],
        address=StreetAddress(
            line1=row["line1"],
            city=row["city"],
            postal_code=row["postal_code"],
            country=row["country"],
        ),
        instructions=row["instructions"],
        is_active=row["is_active"],
    )
