"""The signed-in customer's addresses over HTTP; always the caller's own (another's is 404)."""

from __future__ import annotations

from datetime import datetime
from typing import Self, TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, UnsetType

from grocery.core.addresses import Address, AddressEdit
from grocery.core.edits import KEEP, Keep
from grocery.core.identity import Principal
from grocery.core.services.addresses import AddressService
from grocery.entrypoints.http.categories import OneWholePage
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import signed_in
from grocery.entrypoints.http.pages import refuse_any_cursor

T = TypeVar("T")


class AddressChange(msgspec.Struct, kw_only=True):
    """Only the fields sent change; null clears an optional one. `country` is an ISO 3166-1
    alpha-2 code ("GB"); `is_default: true` makes this the default address."""

    label: str | UnsetType | None = UNSET
    recipient: str | UnsetType = UNSET
    line1: str | UnsetType = UNSET
    line2: str | UnsetType | None = UNSET
    city: str | UnsetType = UNSET
    postal_code: str | UnsetType = UNSET
    country: str | UnsetType = UNSET
    phone: str | UnsetType | None = UNSET
    instructions: str | UnsetType | None = UNSET
    is_default: bool | UnsetType = UNSET


class AddressBody(AddressChange, kw_only=True):
    """A new address; the customer's first is their default."""

    recipient: str
    line1: str
    city: str
    postal_code: str
    country: str


class OrderAddressOut(msgspec.Struct):
    """An address's fields; an order shows the copy it kept at checkout."""

    id: UUID
    label: str | None
    recipient: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str
    phone: str | None
    instructions: str | None

    @classmethod
    def of(cls, address: Address) -> Self:
        return cls(**{name: getattr(address, name) for name in cls.__struct_fields__})


class AddressOut(OrderAddressOut):
    """One of the customer's own addresses."""

    is_default: bool
    created_at: datetime


class AddressListOut(msgspec.Struct):
    """Every address of the caller at once (a customer keeps few); `next_cursor` keeps the
    list shape."""

    items: list[AddressOut]
    next_cursor: str | None = None


class AddressController(Controller):
    path = "/addresses"
    tags = ("addresses",)
    guards = (signed_in,)

    @get("/")
    async def list_addresses(
        self,
        principal: Injected[Principal],
        addresses: Injected[AddressService],
        cursor: OneWholePage = None,
    ) -> AddressListOut:
        """The default first, then the others oldest first, on one page."""
        refuse_any_cursor(cursor)
        found = await addresses.of_customer(principal.user_id)
        return AddressListOut([AddressOut.of(address) for address in found])

    @post("/", status_code=201)
    async def add_address(
        self,
        data: JSONBody[AddressBody],
        principal: Injected[Principal],
        addresses: Injected[AddressService],
    ) -> AddressOut:
        return AddressOut.of(await addresses.add(principal.user_id, _edit(data)))

    @get("/{address_id:uuid}")
    async def show_address(
        self,
        address_id: FromPath[UUID],
        principal: Injected[Principal],
        addresses: Injected[AddressService],
    ) -> AddressOut:
        return AddressOut.of(await addresses.get(principal.user_id, address_id))

    @patch("/{address_id:uuid}")
    async def change_address(
        self,
        address_id: FromPath[UUID],
        data: JSONBody[AddressChange],
        principal: Injected[Principal],
        addresses: Injected[AddressService],
    ) -> AddressOut:
        changed = await addresses.change(principal.user_id, address_id, _edit(data))
        return AddressOut.of(changed)

    @delete("/{address_id:uuid}", status_code=204)
    async def remove_address(
        self,
        address_id: FromPath[UUID],
        principal: Injected[Principal],
        addresses: Injected[AddressService],
    ) -> None:
        """When the default goes, the oldest address left becomes the default; a slot held
        for delivery there is let go."""
        await addresses.remove(principal.user_id, address_id)


def _edit(body: AddressChange) -> AddressEdit:
    return AddressEdit(
        label=_kept(body.label),
        recipient=_kept(body.recipient),
        line1=_kept(body.line1),
        line2=_kept(body.line2),
        city=_kept(body.city),
        postal_code=_kept(body.postal_code),
        country=_kept(body.country),
        phone=_kept(body.phone),
        instructions=_kept(body.instructions),
        is_default=_kept(body.is_default),
    )


def _kept(value: T | UnsetType) -> T | Keep:
    return KEEP if value is UNSET else value
