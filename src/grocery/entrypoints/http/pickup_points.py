"""Pickup points over HTTP: anyone reads the open ones, managers keep them all."""

from __future__ import annotations

from typing import Annotated, TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET, UnsetType

from grocery.core.addresses import StreetAddress
from grocery.core.edits import KEEP, Keep
from grocery.core.fulfilment.pickup_points import PickupPoint, PickupPointEdit
from grocery.core.services.fulfilment import PickupPointService
from grocery.entrypoints.http.categories import OneWholePage
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import PUBLIC, manager
from grocery.entrypoints.http.pages import refuse_any_cursor

T = TypeVar("T")


class StreetAddressBody(msgspec.Struct):
    """`country` is an ISO 3166-1 alpha-2 code ("GB")."""

    line1: str
    city: str
    postal_code: str
    country: str


class PickupPointChange(msgspec.Struct, kw_only=True):
    """Only the fields sent change (the address as a whole); null clears the instructions.
    A closed point (`is_active: false`) keeps its slots, but they can't be booked."""

    name: str | UnsetType = UNSET
    address: StreetAddressBody | UnsetType = UNSET
    instructions: str | UnsetType | None = UNSET
    is_active: bool | UnsetType = UNSET


class PickupPointBody(PickupPointChange, kw_only=True):
    name: str
    address: StreetAddressBody


class PickupPointOut(msgspec.Struct):
    id: UUID
    name: str
    address: StreetAddressBody
    instructions: str | None
    is_active: bool

    @classmethod
    def of(cls, point: PickupPoint) -> PickupPointOut:
        place = point.address
        return cls(
            id=point.id,
            name=point.name,
            address=StreetAddressBody(
                line1=place.line1,
                city=place.city,
                postal_code=place.postal_code,
                country=place.country,
            ),
            instructions=point.instructions,
            is_active=point.is_active,
        )


class PickupPointListOut(msgspec.Struct):
    """Every point at once, by name; `next_cursor` keeps the list shape."""

    items: list[PickupPointOut]
    next_cursor: str | None = None


ClosedToo = Annotated[
    bool,
    QueryParameter(description="Closed points too (managers see them whatever this says)."),
]


class PickupPointController(Controller):
    path = "/pickup-points"
    tags = ("delivery and pickup",)

    @get("/", opt=PUBLIC)
    async def list_points(
        self,
        pickup_points: Injected[PickupPointService],
        include_inactive: ClosedToo = False,
        cursor: OneWholePage = None,
    ) -> PickupPointListOut:
        """The open points by name, on one page; `include_inactive=true` lists closed ones too."""
        refuse_any_cursor(cursor)
        points = await pickup_points.all(active_only=not include_inactive)
        return PickupPointListOut([PickupPointOut.of(point) for point in points])

    @get("/{point_id:uuid}", opt=PUBLIC)
    async def show_point(
        self, point_id: FromPath[UUID], pickup_points: Injected[PickupPointService]
    ) -> PickupPointOut:
        return PickupPointOut.of(await pickup_points.get(point_id))

    @post("/", status_code=201, guards=[manager])
    async def add_point(
        self, data: JSONBody[PickupPointBody], pickup_points: Injected[PickupPointService]
    ) -> PickupPointOut:
        return PickupPointOut.of(await pickup_points.create(_edit(data)))

    @patch("/{point_id:uuid}", guards=[manager])
    async def change_point(
        self,
        point_id: FromPath[UUID],
        data: JSONBody[PickupPointChange],
        pickup_points: Injected[PickupPointService],
    ) -> PickupPointOut:
        return PickupPointOut.of(await pickup_points.change(point_id, _edit(data)))

    @delete("/{point_id:uuid}", status_code=204, guards=[manager])
    async def remove_point(
        self, point_id: FromPath[UUID], pickup_points: Injected[PickupPointService]
    ) -> None:
        """Refused (409 `pickup_point_in_use`) while slots are planned there: close it instead."""
        await pickup_points.remove(point_id)


def _edit(body: PickupPointChange) -> PickupPointEdit:
    place = body.address
    return PickupPointEdit(
        name=_kept(body.name),
        address=KEEP
        if isinstance(place, UnsetType)
        else StreetAddress(
            line1=place.line1,
            city=place.city,
            postal_code=place.postal_code,
            country=place.country,
        ),
        instructions=_kept(body.instructions),
        is_active=_kept(body.is_active),
    )


def _kept(value: T | UnsetType) -> T | Keep:
    return KEEP if value is UNSET else value
