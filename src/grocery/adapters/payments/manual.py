"""The manual provider: the customer pays at the door or the counter, so nothing is called.

Checkout leaves the payment pending; delivery counts it captured for the final total, and
refunds are given back by hand and only recorded (core/services/payments.py).
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from grocery.core.payments import Payment, PaymentProvider, PaymentStatus
from grocery.core.ports.payments import Authorization


class ManualGateway:
    @property
    def provider(self) -> PaymentProvider:
        return PaymentProvider.MANUAL

    async def open(
        self, order_id: UUID, amount: Decimal, currency: str, payment_method: str | None
    ) -> Authorization:
        return Authorization(status=PaymentStatus.PENDING, amount=amount)

    async def authorize(self, order_id: UUID, payment: Payment) -> Authorization:
        return Authorization(status=PaymentStatus.PENDING, amount=payment.amount_authorized)

    async def capture(self, order_id: UUID, payment: Payment, amount: Decimal) -> None:
        return None

    async def void(self, order_id: UUID, payment: Payment) -> None:
        return None

    async def refund(
        self, order_id: UUID, payment: Payment, refund_id: UUID, amount: Decimal
    ) -> None:
        return None
