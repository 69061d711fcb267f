"""A customer's address book: their own addresses only (another's is as unknown as none)."""

from __future__ import annotations

from uuid import UUID

from grocery.core.addresses import (
    MAX_ADDRESSES_PER_CUSTOMER,
    Address,
    AddressEdit,
    edited_address,
    new_address,
)
from grocery.core.errors import Invalid, NotFound
from grocery.core.ids import new_id
from grocery.core.ports.addresses import AddressWork
from grocery.core.ports.clock import Clock
from grocery.core.ports.transaction import UnitOfWorkFactory


class AddressService:
    def __init__(self, *, uow: UnitOfWorkFactory[AddressWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def of_customer(self, user_id: UUID) -> list[Address]:
        """The default first, then the others oldest first."""
        async with self._uow() as uow:
            return await uow.addresses.of_customer(user_id)

    async def add(self, user_id: UUID, edit: AddressEdit) -> Address:
        async with self._uow() as uow:
            held = await uow.addresses.count(user_id)
            if held >= MAX_ADDRESSES_PER_CUSTOMER:
                raise Invalid(f"A customer keeps at most {MAX_ADDRESSES_PER_CUSTOMER} addresses.")
            address = new_address(
                edit, id=new_id(), user_id=user_id, created_at=self._clock.now(), first=held == 0
            )
            await uow.addresses.add(address)
            await uow.commit()
        return address

    async def get(self, user_id: UUID, address_id: UUID) -> Address:
        async with self._uow() as uow:
            return await _own(uow, user_id, address_id)

    async def change(self, user_id: UUID, address_id: UUID, edit: AddressEdit) -> Address:
        """The edited whole is checked, not just the change."""
        async with self._uow() as uow:
            address = edited_address(await _own(uow, user_id, address_id), edit)
            await uow.addresses.update(address)
            await uow.commit()
        return address

    async def remove(self, user_id: UUID, address_id: UUID) -> None:
        """The oldest address left becomes the default when the default goes."""
        async with self._uow() as uow:
            if not await uow.addresses.delete(user_id, address_id):
                raise _no_such_address()
            await uow.commit()


async def _own(uow: AddressWork, user_id: UUID, address_id: UUID) -> Address:
    address = await uow.addresses.get(user_id, address_id)
    if address is None:
        raise _no_such_address()
    return address


def _no_such_address() -> NotFound:
    return NotFound("There is no such address.")
