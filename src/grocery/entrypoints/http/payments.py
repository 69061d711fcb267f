"""Payments over HTTP: managers' refunds, and Stripe's webhook."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.params import FromPath, JSONBody

from grocery.adapters.payments.gateways import PaymentGateways
from grocery.core.errors import NotFound
from grocery.core.identity import Principal
from grocery.core.money import format_money
from grocery.core.payments import (
    REFUND_REASON_MAX_LENGTH,
    PaymentOutcome,
    PaymentProvider,
    PaymentStatus,
    Refund,
)
from grocery.core.services.orders import OrderService
from grocery.core.services.payments import PaymentFollowUps, RefundService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import Money, documented
from grocery.entrypoints.http.guards import PUBLIC, manager
from grocery.entrypoints.metrics import Tally

Reason = Annotated[str, documented(min_length=1, max_length=REFUND_REASON_MAX_LENGTH)]


class RefundBody(msgspec.Struct):
    amount: Money
    reason: Reason


class RefundOut(msgspec.Struct):
    id: UUID
    amount: str
    reason: str
    created_at: datetime

    @classmethod
    def of(cls, refund: Refund) -> RefundOut:
        return cls(
            id=refund.id,
            amount=format_money(refund.amount),
            reason=refund.reason,
            created_at=refund.created_at,
        )


class RefundController(Controller):
    path = "/orders/{order_id:uuid}/refunds"
    tags = ("payments",)
    guards = (manager,)

    @post("/", status_code=201)
    async def refund(
        self,
        order_id: FromPath[UUID],
        data: JSONBody[RefundBody],
        principal: Injected[Principal],
        refunds: Injected[RefundService],
    ) -> RefundOut:
        """Give back part or all of what the order's payment captured; the customer is mailed.
        More than what is left of the capture -> 409 `refund_exceeds_captured`; refused by the
        provider -> 409 `refund_refused`."""
        refund = await refunds.refund(order_id, data.amount, data.reason, principal.user_id)
        return RefundOut.of(refund)


class StripeWebhookController(Controller):
    path = "/payments/stripe/webhook"
    tags = ("payments",)

    @post("/", status_code=200, opt=PUBLIC)  # Stripe's signature is checked instead
    async def receive(
        self,
        request: Request[Any, Any, Any],
        follow_ups: Injected[PaymentFollowUps],
        orders: Injected[OrderService],
        gateways: Injected[PaymentGateways],
        metrics: Injected[Tally],
    ) -> dict[str, bool]:
        """Stripe's events about PaymentIntents, each applied once whatever order they come
        in; a card that failed cancels its order awaiting payment. A missing, forged or stale
        (over 5 minutes) `Stripe-Signature` -> 400 `invalid_signature`; a shop not set up for
        Stripe -> 404."""
        if gateways.stripe is None:
            raise NotFound("This shop takes no payments through Stripe.")
        body = await request.body()
        report = gateways.stripe.report(body, request.headers.get("stripe-signature"))
        if report is not None and report.status is PaymentStatus.FAILED:
            if await orders.cancel_declined(report) is not None:  # its void is counted apart
                metrics.payment(PaymentProvider.STRIPE, PaymentOutcome.DECLINED)
        elif report is not None:
            await follow_ups.apply(report)
        return {"received": True}
