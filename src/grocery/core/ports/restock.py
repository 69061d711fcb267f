"""Customers waiting for a product to come back in stock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from grocery.core.ports.transaction import Transaction
from grocery.core.restock import Waiting

if TYPE_CHECKING:  # ports.catalog's works watch stock, which takes restock notices: a cycle
    from grocery.core.ports.catalog import ProductRepository


class RestockNotices(Protocol):
    async def ask(self, user_id: UUID, product_id: UUID, at: datetime) -> bool:
        """Note the customer's notify-me request; False (and nothing changes) when there
        already is one."""
        ...

    async def withdraw(self, user_id: UUID, product_id: UUID) -> bool:
        """False when there was no request."""
        ...

    async def take_waiting(self, product_id: UUID) -> list[Waiting]:
        """The active customers waiting for the product (by notify-me or wishlist), each
        once; their notify-me requests end here, atomically, so a request is taken once."""
        ...


class RestockWork(Transaction, Protocol):
    """What notify-me requests work with: the product asked for, the requests."""

    products: ProductRepository
    restock_notices: RestockNotices
