"""Customers' addresses in memory."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from uuid import UUID

from grocery.adapters.memory.fulfilment import FulfilmentTables
from grocery.core.addresses import Address


@dataclass
class AddressTables:
    addresses: dict[UUID, Address] = field(default_factory=dict)


class MemoryAddressRepository:
    def __init__(self, tables: AddressTables, fulfilment: FulfilmentTables) -> None:
        self._addresses = tables.addresses
        self._holds = fulfilment.holds

    async def add(self, address: Address) -> None:
        if address.is_default:
            self._clear_default(address.user_id)
        self._addresses[address.id] = address

    async def get(self, user_id: UUID, address_id: UUID) -> Address | None:
        address = self._addresses.get(address_id)
        return address if address is not None and address.user_id == user_id else None

    async def of_customer(self, user_id: UUID) -> list[Address]:
        return sorted(self._own(user_id), key=lambda a: (not a.is_default, a.created_at, a.id.int))

    async def count(self, user_id: UUID) -> int:
        return len(self._own(user_id))

    async def update(self, address: Address) -> None:
        stored = await self.get(address.user_id, address.id)
        if stored is None:
            return
        if address.is_default:
            self._clear_default(address.user_id)
        self._addresses[address.id] = replace(address, created_at=stored.created_at)

    async def delete(self, user_id: UUID, address_id: UUID) -> bool:
        gone = await self.get(user_id, address_id)
        if gone is None:
            return False
        del self._addresses[address_id]
        for holder in [u for u, hold in self._holds.items() if hold.address_id == address_id]:
            del self._holds[holder]
        left = sorted(self._own(user_id), key=lambda a: (a.created_at, a.id.int))
        if gone.is_default and left:
            self._addresses[left[0].id] = replace(left[0], is_default=True)
        return True

    def _own(self, user_id: UUID) -> list[Address]:
        return [a for a in self._addresses.values() if a.user_id == user_id]

    def _clear_default(self, user_id: UUID) -> None:
        for address in self._own(user_id):
            if address.is_default:
                self._addresses[address.id] = replace(address, is_default=False)
