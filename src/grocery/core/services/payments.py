"""Refunds: a manager gives back part or all of what an order's payment captured.

The order's row is locked while the refund is given, so two refunds of one order take
turns and together never exceed the capture. The provider is called under that lock (no
stock or slot row is held); the refund is recorded and the customer mailed only if the
provider gave the money back.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from grocery.core.errors import NotFound
from grocery.core.ids import new_id
from grocery.core.money import parse_money
from grocery.core.payments import Refund, check_reason, refunded
from grocery.core.ports.clock import Clock
from grocery.core.ports.payments import Gateways, PaymentWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.services.mail import mail_refund


class RefundService:
    def __init__(
        self, *, uow: UnitOfWorkFactory[PaymentWork], clock: Clock, gateways: Gateways
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._gateways = gateways

    async def refund(self, order_id: UUID, amount: str | Decimal, reason: str, by: UUID) -> Refund:
        """Invalid for a blank reason or an amount not above zero; Conflict
        `refund_exceeds_captured` above what is left of the capture."""
        amount = parse_money(amount, field="amount")
        reason = check_reason(reason)
        now = self._clock.now()
        async with self._uow() as uow:
            order = await uow.picks.lock(order_id)
            if order is None:
                raise NotFound("There is no such order.")
            payment = refunded(order.payment, amount)
            refund = Refund(
                id=new_id(), order_id=order_id, amount=amount, reason=reason, created_at=now, by=by
            )
            gateway = self._gateways(order.payment.provider)
            await gateway.refund(order_id, order.payment, refund.id, amount)
            await uow.payments.add_refund(refund)
            await uow.payments.save(order_id, payment, now)
            await mail_refund(uow, order, amount, now)
            await uow.commit()
        return refund
