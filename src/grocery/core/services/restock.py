"""Notify-me requests: a customer asks to be mailed when a product is back in stock."""

from __future__ import annotations

from uuid import UUID

from grocery.core.errors import NotFound
from grocery.core.identity import Principal
from grocery.core.ports.clock import Clock
from grocery.core.ports.restock import RestockWork
from grocery.core.ports.transaction import UnitOfWorkFactory


class RestockService:
    def __init__(self, *, uow: UnitOfWorkFactory[RestockWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def ask(self, principal: Principal, product_id: UUID) -> bool:
        """True when the request is new. NotFound for an unknown or archived product."""
        async with self._uow() as uow:
            product = await uow.products.get(product_id)
            if product is None or product.archived:
                raise NotFound("There is no such product.")
            created = await uow.restock_notices.ask(
                principal.user_id, product_id, self._clock.now()
            )
            await uow.commit()
        return created

    async def withdraw(self, principal: Principal, product_id: UUID) -> None:
        """Nothing to withdraw is no error: the customer is not waiting either way."""
        async with self._uow() as uow:
            await uow.restock_notices.withdraw(principal.user_id, product_id)
            await uow.commit()
