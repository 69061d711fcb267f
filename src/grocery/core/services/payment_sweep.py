"""The worker's round of card payments that wait on the shop: an order not authorized within
the payment timeout is cancelled (its stock and slot freed as by any cancel, its intent
voided), a picked order whose capture failed for a passing reason is captured again, a
cancelled order whose void or refund the provider could not answer is settled again; one
the provider could not answer waits longer after each try (core/payments.py postponed), and
a void or refund it refused, or could not answer SETTLE_TRIES times, ends failed and is not
tried again (a manager settles it)."""

from __future__ import annotations

from datetime import timedelta

from grocery.core.orders import OrderStatus
from grocery.core.payments import UNAUTHORIZED
from grocery.core.ports.clock import Clock
from grocery.core.ports.payments import PaymentWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.services.orders import OrderService
from grocery.core.services.payments import PaymentFollowUps

ROUND_SIZE = 50


class PaymentSweep:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[PaymentWork],
        clock: Clock,
        orders: OrderService,
        follow_ups: PaymentFollowUps,
        timeout: timedelta,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._orders = orders
        self._follow_ups = follow_ups
        self._timeout = timeout

    async def follow_up(self) -> int:
        """One round, oldest first; how many orders it looked at."""
        now = self._clock.now()
        async with self._uow() as uow:
            due = await uow.payments.needing_follow_up(
                now=now, unpaid_before=now - self._timeout, limit=ROUND_SIZE
            )
        for order in due:
            if order.status is OrderStatus.CANCELLED:
                await self._follow_ups.settle(order)
            elif order.payment.status in UNAUTHORIZED:
                await self._orders.cancel_unpaid(order.id)
            else:
                await self._follow_ups.capture(order)
        return len(due)
