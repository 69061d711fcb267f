"""Payments after checkout: managers' refunds, and a card's follow-ups (capture, void,
refund on cancel, the provider's webhooks).

Refunds: a manager gives back part or all of what an order's payment captured (or what a
failed payment took, when the provider refused to give it back when the order was cancelled).

The order's row is locked while the refund is given, so two refunds of one order take
turns and together never exceed the capture. The provider is called under that lock (no
stock or slot row is held); the refund is recorded and the customer mailed only if the
provider gave the money back.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from uuid import UUID

from grocery.core.errors import Conflict, NotFound, PaymentDeclined, ServiceUnavailable
from grocery.core.ids import new_id
from grocery.core.money import parse_money
from grocery.core.orders import Order
from grocery.core.payments import (
    UNAUTHORIZED,
    Payment,
    PaymentOutcome,
    PaymentReport,
    PaymentStatus,
    Refund,
    capture_amount,
    captured,
    check_reason,
    moved,
    postponed,
    refunded,
    reported,
    settle_postponed,
)
from grocery.core.ports.clock import Clock
from grocery.core.ports.payments import Gateways, PaymentGateway, PaymentOutcomes, PaymentWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.services.mail import mail_refund

CANCELLED_REFUND_REASON = "The order was cancelled."


class RefundService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[PaymentWork],
        clock: Clock,
        gateways: Gateways,
        outcomes: PaymentOutcomes,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._gateways = gateways
        self._outcomes = outcomes

    async def of_order(self, order_id: UUID) -> list[Refund]:
        """The order's refunds, oldest first."""
        async with self._uow() as uow:
            return await uow.payments.refunds(order_id)

    async def refund(self, order_id: UUID, amount: str | Decimal, reason: str, by: UUID) -> Refund:
        """Invalid for a blank reason or an amount not above zero; Conflict
        `refund_exceeds_captured` above what is left of the capture, `refund_refused` when
        the provider refuses it (nothing is recorded)."""
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
            await self._given(order, refund)
            await uow.payments.add_refund(refund)
            await uow.payments.save(order_id, payment, now)
            await mail_refund(uow, order, amount, now)
            await uow.commit()
        self._outcomes(order_id, order.payment.provider, PaymentOutcome.REFUNDED)
        return refund

    async def _given(self, order: Order, refund: Refund) -> None:
        """The money given back by the provider; Conflict `refund_refused` when it refuses."""
        provider = order.payment.provider
        try:
            await self._gateways(provider).refund(order.id, order.payment, refund.id, refund.amount)
        except PaymentDeclined:
            self._outcomes(order.id, provider, PaymentOutcome.REFUND_REFUSED)
            raise Conflict(
                "The payment provider refused this refund, and nothing was given back: settle"
                " it with the customer by hand.",
                code="refund_refused",
            ) from None


# What each status a provider reports counts as.
_REPORTED = {
    PaymentStatus.AUTHORIZED: PaymentOutcome.AUTHORIZED,
    PaymentStatus.CAPTURED: PaymentOutcome.CAPTURED,
    PaymentStatus.VOIDED: PaymentOutcome.VOIDED,
    PaymentStatus.FAILED: PaymentOutcome.DECLINED,
}


class PaymentFollowUps:
    """A card payment after checkout: captured when picking completes, voided or refunded
    when its order is cancelled, moved along by the provider's webhooks. Each step taken is
    noted in `outcomes`.

    The provider is called with no row locked; the result is saved under the order's lock,
    and only if nothing else (a webhook) moved the payment meanwhile. A provider out of reach
    leaves the payment as it was, for the worker to try again.
    """

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[PaymentWork],
        clock: Clock,
        gateways: Gateways,
        outcomes: PaymentOutcomes,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._gateways = gateways
        self._outcomes = outcomes

    async def capture(self, order: Order) -> Order:
        """Capture the final bill (never above the authorization); nothing to capture voids
        the authorization, and a capture the provider refuses fails the payment."""
        payment = order.payment
        if payment.status is not PaymentStatus.AUTHORIZED or order.final is None:
            return order
        amount = capture_amount(payment, order.total_due)
        gateway = self._gateways(payment.provider)
        try:
            if amount > 0:
                await gateway.capture(order.id, payment, amount)
                after, outcome = captured(payment, amount), PaymentOutcome.CAPTURED
            else:
                await gateway.void(order.id, payment)
                after, outcome = moved(payment, PaymentStatus.VOIDED), PaymentOutcome.VOIDED
        except ServiceUnavailable:
            after, outcome = postponed(payment, self._clock.now()), PaymentOutcome.RETRY
        except PaymentDeclined:
            after = moved(payment, PaymentStatus.FAILED)
            outcome = PaymentOutcome.CAPTURE_REFUSED
        return await self._saved(order, after, outcome)

    async def settle(self, order: Order) -> Order:
        """A cancelled order's payment: an authorization voided, a capture refunded in full.
        A void or refund the provider refuses fails the payment (tried again it would be
        refused again); a provider out of reach is tried again later, each time after a
        longer wait, until it has been tried SETTLE_TRIES times (then it fails too)."""
        payment = order.payment
        gateway = self._gateways(payment.provider)
        if payment.status in UNAUTHORIZED or payment.status is PaymentStatus.AUTHORIZED:
            return await self._voided(order, gateway)
        if not payment.is_captured or payment.refundable == 0:
            return order
        return await self._refunded(order, gateway)

    async def _voided(self, order: Order, gateway: PaymentGateway) -> Order:
        payment = order.payment
        try:
            if payment.reference is not None:
                await gateway.void(order.id, payment)
        except PaymentDeclined:
            failed = moved(payment, PaymentStatus.FAILED)
            return await self._saved(order, failed, PaymentOutcome.VOID_REFUSED)
        except ServiceUnavailable:
            return await self._later(order)
        return await self._saved(order, moved(payment, PaymentStatus.VOIDED), PaymentOutcome.VOIDED)

    async def _refunded(self, order: Order, gateway: PaymentGateway) -> Order:
        payment = order.payment
        refund = Refund(
            id=new_id(),
            order_id=order.id,
            amount=payment.refundable,
            reason=CANCELLED_REFUND_REASON,
            created_at=self._clock.now(),
        )
        try:
            await gateway.refund(order.id, payment, refund.id, refund.amount)
        except PaymentDeclined:
            failed = moved(payment, PaymentStatus.FAILED)
            return await self._saved(order, failed, PaymentOutcome.REFUND_REFUSED)
        except ServiceUnavailable:
            return await self._later(order)
        after = refunded(payment, refund.amount)
        return await self._saved(order, after, PaymentOutcome.REFUNDED, refund)

    async def _later(self, order: Order) -> Order:
        """A void or refund the provider could not answer: tried again later, or given up."""
        after = settle_postponed(order.payment, self._clock.now())
        given_up = after.status is PaymentStatus.FAILED
        outcome = PaymentOutcome.GIVEN_UP if given_up else PaymentOutcome.RETRY
        return await self._saved(order, after, outcome)

    async def apply(self, report: PaymentReport) -> None:
        """A provider's event, applied once (a replay changes nothing) and only as a step
        forward (one overtaken by a later event changes nothing)."""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.payments.first_time(report.event_id, now):
                return
            order = await uow.payments.lock_by_reference(report.reference)
            after = None if order is None else reported(order.payment, report)
            if order is None or after is None:
                await uow.commit()
                return
            await uow.payments.save(order.id, after, now)
            await uow.commit()
        self._outcomes(order.id, after.provider, _REPORTED[report.status])

    async def _saved(
        self, order: Order, after: Payment, outcome: PaymentOutcome, refund: Refund | None = None
    ) -> Order:
        now = self._clock.now()
        async with self._uow() as uow:
            locked = await uow.picks.lock(order.id)
            if locked is None or locked.payment != order.payment:
                return locked or order  # moved meanwhile: that move stands
            await uow.payments.save(order.id, after, now)
            if refund is not None:
                await uow.payments.add_refund(refund)
                await mail_refund(uow, locked, refund.amount, now)
            await uow.commit()
        self._outcomes(order.id, after.provider, outcome)
        return replace(locked, payment=after, updated_at=now)
