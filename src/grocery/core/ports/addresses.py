"""Customers' delivery addresses."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from grocery.core.addresses import Address
from grocery.core.ports.transaction import Transaction


class AddressRepository(Protocol):
    """Each customer's own addresses; one at most is their default."""

    async def add(self, address: Address) -> None:
        """When `address.is_default`, the customer's other addresses stop being the default
        in the same step."""
        ...

    async def get(self, user_id: UUID, address_id: UUID) -> Address | None:
        """None for another customer's address as for an unknown one."""
        ...

    async def of_customer(self, user_id: UUID) -> list[Address]:
        """The default first, then the others oldest first."""
        ...

    async def count(self, user_id: UUID) -> int: ...

    async def update(self, address: Address) -> None:
        """Saves the edited address; the default moves to it as for add."""
        ...

    async def delete(self, user_id: UUID, address_id: UUID) -> bool:
        """False when the customer has no such address. When it was their default, their
        oldest remaining address becomes the default. A hold delivering there goes too."""
        ...


class AddressWork(Transaction, Protocol):
    """What a customer's address book works with."""

    addresses: AddressRepository
