"""Delivery zones over HTTP: anyone reads them, managers keep them."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, UnsetType

from grocery.core.edits import KEEP, Keep
from grocery.core.fulfilment.zones import DeliveryZone, ZoneEdit
from grocery.core.money import format_money
from grocery.core.services.fulfilment import DeliveryZoneService
from grocery.entrypoints.http.categories import OneWholePage
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import Money
from grocery.entrypoints.http.guards import PUBLIC, manager
from grocery.entrypoints.http.pages import refuse_any_cursor

T = TypeVar("T")


class ZoneChange(msgspec.Struct, kw_only=True):
    """Only the fields sent change; null clears an optional amount. Prefixes are compared
    with postal codes ignoring case and spaces; a prefix belongs to one zone only."""

    name: str | UnsetType = UNSET
    postal_code_prefixes: list[str] | UnsetType = UNSET
    fee: Money | UnsetType = UNSET
    free_delivery_over: Money | UnsetType | None = UNSET
    min_order_amount: Money | UnsetType | None = UNSET


class ZoneBody(ZoneChange, kw_only=True):
    name: str
    postal_code_prefixes: list[str]
    fee: Money


class ZoneOut(msgspec.Struct):
    id: UUID
    name: str
    postal_code_prefixes: list[str]
    fee: str
    free_delivery_over: str | None
    min_order_amount: str | None

    @classmethod
    def of(cls, zone: DeliveryZone) -> ZoneOut:
        return cls(
            id=zone.id,
            name=zone.name,
            postal_code_prefixes=list(zone.postal_code_prefixes),
            fee=format_money(zone.fee),
            free_delivery_over=_money_or_none(zone.free_delivery_over),
            min_order_amount=_money_or_none(zone.min_order_amount),
        )


class ZoneListOut(msgspec.Struct):
    """Every zone at once, by name; `next_cursor` keeps the list shape."""

    items: list[ZoneOut]
    next_cursor: str | None = None


class DeliveryZoneController(Controller):
    path = "/delivery-zones"
    tags = ("delivery and pickup",)

    @get("/", opt=PUBLIC)
    async def list_zones(
        self, delivery_zones: Injected[DeliveryZoneService], cursor: OneWholePage = None
    ) -> ZoneListOut:
        """Every zone, by name, on one page."""
        refuse_any_cursor(cursor)
        return ZoneListOut([ZoneOut.of(zone) for zone in await delivery_zones.all()])

    @get("/{zone_id:uuid}", opt=PUBLIC)
    async def show_zone(
        self, zone_id: FromPath[UUID], delivery_zones: Injected[DeliveryZoneService]
    ) -> ZoneOut:
        return ZoneOut.of(await delivery_zones.get(zone_id))

    @post("/", status_code=201, guards=[manager])
    async def add_zone(
        self, data: JSONBody[ZoneBody], delivery_zones: Injected[DeliveryZoneService]
    ) -> ZoneOut:
        """A prefix another zone has is refused (409 `already_exists`)."""
        return ZoneOut.of(await delivery_zones.create(_edit(data)))

    @patch("/{zone_id:uuid}", guards=[manager])
    async def change_zone(
        self,
        zone_id: FromPath[UUID],
        data: JSONBody[ZoneChange],
        delivery_zones: Injected[DeliveryZoneService],
    ) -> ZoneOut:
        return ZoneOut.of(await delivery_zones.change(zone_id, _edit(data)))

    @delete("/{zone_id:uuid}", status_code=204, guards=[manager])
    async def remove_zone(
        self, zone_id: FromPath[UUID], delivery_zones: Injected[DeliveryZoneService]
    ) -> None:
        """Refused (409 `zone_in_use`) while slots are planned in the zone."""
        await delivery_zones.remove(zone_id)


def _edit(body: ZoneChange) -> ZoneEdit:
    prefixes = body.postal_code_prefixes
    return ZoneEdit(
        name=_kept(body.name),
        postal_code_prefixes=KEEP if isinstance(prefixes, UnsetType) else tuple(prefixes),
        fee=_kept(body.fee),
        free_delivery_over=_kept(body.free_delivery_over),
        min_order_amount=_kept(body.min_order_amount),
    )


def _kept(value: T | UnsetType) -> T | Keep:
    return KEEP if value is UNSET else value


def _money_or_none(amount: Decimal | None) -> str | None:
    return None if amount is None else format_money(amount)
