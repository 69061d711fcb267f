"""Checkout paid by card: no call to the provider while stock rows are locked.

1. One transaction takes the cart's stock and writes the order awaiting payment (as
   checkout does, the Idempotency-Key claimed), and commits: the locks are let go.
2. The provider opens a payment for the total plus the weight tolerance on weighed lines,
   holding nothing yet, and a short transaction records its reference on the order.
3. With a payment method given, the provider authorizes it: money is held only once the
   order knows the payment's reference, so whatever fails after, the payment timeout finds
   the order and voids its payment.
4. A last transaction records the authorization (or the wait for the customer's action),
   mails the customer and keeps the answer under the Idempotency-Key.

A decline, or a provider out of reach, undoes step 1 in one transaction (after voiding what
step 3 may have held): the stock goes back, the sales counters and the promo use are taken
off, the order and its stock movements are deleted, the key is forgotten and the cart gets
its lines back. Then 402 `payment_declined` or 503, and nothing is left behind.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from grocery.core.cart import MAX_LINE_QUANTITY
from grocery.core.errors import DomainError
from grocery.core.fulfilment.slots import SlotHold
from grocery.core.mail import MailKind
from grocery.core.orders import Answer, Order
from grocery.core.payments import (
    Payment,
    PaymentStatus,
    authorization_amount,
    authorized,
    requires_action,
)
from grocery.core.ports.clock import Clock
from grocery.core.ports.orders import CheckoutWork
from grocery.core.ports.payments import Authorization, PaymentGateway
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.services.alerts import watch_stock
from grocery.core.services.checkout import CheckoutRequest, CheckoutService, Render
from grocery.core.services.mail import mail_about_order
from grocery.core.substitutions import NO_PREFERENCE


class PaidCheckoutService(CheckoutService):
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[CheckoutWork],
        clock: Clock,
        currency: str,
        require_slot: bool,
        gateway: PaymentGateway,
        tolerance_percent: Decimal,
        prices_include_tax: bool = False,
    ) -> None:
        super().__init__(
            uow=uow,
            clock=clock,
            currency=currency,
            require_slot=require_slot,
            prices_include_tax=prices_include_tax,
        )
        self._gateway = gateway
        self._tolerance = tolerance_percent

    async def place_order(self, request: CheckoutRequest, render: Render) -> Answer:
        placed = await self._place(request, Payment(provider=self._gateway.provider), None)
        if isinstance(placed, Answer):  # the key's earlier answer
            return placed
        order = placed
        key = request.idempotency_key  # checked when it was claimed
        try:
            opened = await self._gateway.open(
                order.id, self.amount_to_authorize(order), self._currency, request.payment_method
            )
            if request.payment_method is not None:
                order = await self._recorded(order, opened)
        except Exception:
            await self._undo(order, request, key)
            raise
        if request.payment_method is None:  # nothing is held until the customer confirms
            return await self._confirm(order, opened, key, render)
        return await self._confirm(order, await self._held(order, request, key), key, render)

    async def _held(self, order: Order, request: CheckoutRequest, key: str | None) -> Authorization:
        """The opened payment authorized; on failure voided (when the provider answers) and
        step 1 undone."""
        try:
            return await self._gateway.authorize(order.id, order.payment)
        except Exception:
            with suppress(DomainError):  # nothing was held, or it can't be reached now
                await self._gateway.void(order.id, order.payment)
            await self._undo(order, request, key)
            raise

    async def _recorded(self, order: Order, opened: Authorization) -> Order:
        """The order with its opened payment's reference, committed."""
        now = self._clock.now()
        payment = _authorized(order.payment, opened)
        async with self._uow() as uow:
            await uow.payments.save(order.id, payment, now)
            await uow.commit()
        return replace(order, payment=payment, updated_at=now)

    def amount_to_authorize(self, order: Order) -> Decimal:
        weighed = [line.subtotal for line in order.lines if line.weighing is not None]
        return authorization_amount(order.total, weighed, self._tolerance)

    async def _confirm(
        self, order: Order, authorization: Authorization, key: str | None, render: Render
    ) -> Answer:
        now = self._clock.now()
        payment = _authorized(order.payment, authorization)
        confirmed = replace(order, payment=payment, updated_at=now)
        async with self._uow() as uow:
            await uow.payments.save(order.id, payment, now)
            await mail_about_order(uow, MailKind.ORDER_PLACED, confirmed, now)
            answer = render(confirmed)
            if key is not None:
                await uow.idempotency_keys.answer(order.user_id, key, answer, order.id)
            await uow.commit()
        return answer

    async def _undo(self, order: Order, request: CheckoutRequest, key: str | None) -> None:
        """Everything step 1 did, undone in one transaction."""
        now = self._clock.now()
        user_id = order.user_id
        async with self._uow() as uow:
            await _unbook(uow, order, now)
            moves = await uow.stock.put_back(order.quantities)
            await uow.orders.uncount_sold(order)
            await uow.redemptions.release(order.id)
            await uow.payments.discard(order.id)
            await watch_stock(uow, moves, now)
            if key is not None:
                await uow.idempotency_keys.release(user_id, key)
            for line in order.lines:
                product_id = line.product_id
                await uow.cart.add(
                    user_id, product_id, line.quantity, at=now, room=MAX_LINE_QUANTITY
                )
                if line.choice != NO_PREFERENCE:
                    await uow.cart.set_choice(user_id, product_id, line.choice)
            if request.promo_code is None and order.promo_code_id is not None:
                await uow.cart.set_promo(user_id, order.promo_code_id)  # it was the cart's
            await uow.commit()


async def _unbook(uow: CheckoutWork, order: Order, now: datetime) -> None:
    """The order's place back to its slot, and the slot back in the cart as a hold that has
    run out: checking out again takes the place again if there is still room."""
    slot = order.fulfilment
    if slot is None:
        return
    await uow.bookings.release(order.id)
    address_id = None if slot.address is None else slot.address.id
    hold = SlotHold(
        user_id=order.user_id, slot_id=slot.slot_id, address_id=address_id, held_until=now
    )
    await uow.holds.hold(hold, now)


def _authorized(payment: Payment, authorization: Authorization) -> Payment:
    reference = authorization.reference or ""
    if authorization.status is PaymentStatus.AUTHORIZED:
        return authorized(payment, authorization.amount, reference=reference)
    if payment.status is PaymentStatus.REQUIRES_ACTION:  # recorded when it was opened
        return payment
    return requires_action(
        payment, reference=reference, client_secret=authorization.client_secret or ""
    )
