"""Stripe, on the official SDK's async client: PaymentIntents with manual capture.

Checkout creates a PaymentIntent for the authorization amount and, once the shop has
recorded its id (so the payment timeout can always void it), confirms it when the customer's
browser already gave a payment method; else it is left for Stripe.js to confirm with its
client secret. Picking's final bill is captured (never more than was authorized);
cancelling voids an intent not captured, or refunds one that was. Every call carries the
idempotency key of its order and step. A card or request Stripe refuses is a decline; a
Stripe that can't be reached or answers with a fault of its own is unavailable (try again).

Webhooks are verified with the SDK (the Stripe-Signature header, 5 minutes' tolerance)
and read into the core's PaymentReport; secrets and card data are never logged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import stripe

from grocery.core.errors import BadRequest, NotFound, PaymentDeclined, ServiceUnavailable
from grocery.core.money import CENT
from grocery.core.payments import (
    Payment,
    PaymentProvider,
    PaymentReport,
    PaymentStatus,
    provider_key,
)
from grocery.core.ports.payments import Authorization

WEBHOOK_TOLERANCE_SECONDS = 5 * 60
# What each of a PaymentIntent's statuses means for the shop's payment.
_WAITING = frozenset({"requires_payment_method", "requires_confirmation", "requires_action"})
_REPORTED = {
    "requires_capture": PaymentStatus.AUTHORIZED,
    "succeeded": PaymentStatus.CAPTURED,
    "canceled": PaymentStatus.VOIDED,
}

Answer = TypeVar("Answer")


class StripeGateway:
    def __init__(
        self, *, secret_key: str, webhook_secret: str | None, api_base: str | None
    ) -> None:
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.HTTPXClient(),
            max_network_retries=1,  # safe: every call carries its idempotency key
        )
        self._webhook_secret = webhook_secret

    @property
    def provider(self) -> PaymentProvider:
        return PaymentProvider.STRIPE

    async def open(
        self, order_id: UUID, amount: Decimal, currency: str, payment_method: str | None
    ) -> Authorization:
        params: dict[str, Any] = {
            "amount": _minor_units(amount),
            "currency": currency.lower(),
            "capture_method": "manual",
            "payment_method_types": ["card"],
            "metadata": {"order_id": str(order_id)},
        }
        if payment_method is not None:
            params["payment_method"] = payment_method
        intents = self._client.v1.payment_intents
        intent = await _called(
            lambda: intents.create_async(params, _keyed(order_id, "authorize"))  # type: ignore[arg-type]
        )
        return _authorization(intent, amount)

    async def authorize(self, order_id: UUID, payment: Payment) -> Authorization:
        intents = self._client.v1.payment_intents
        intent = await _called(
            lambda: intents.confirm_async(_reference(payment), None, _keyed(order_id, "confirm"))
        )
        return _authorization(intent, payment.amount_authorized)

    async def capture(self, order_id: UUID, payment: Payment, amount: Decimal) -> None:
        intents = self._client.v1.payment_intents
        await _called(
            lambda: intents.capture_async(
                _reference(payment),
                {"amount_to_capture": _minor_units(amount)},
                _keyed(order_id, "capture"),
            )
        )

    async def void(self, order_id: UUID, payment: Payment) -> None:
        intents = self._client.v1.payment_intents
        await _called(
            lambda: intents.cancel_async(_reference(payment), None, _keyed(order_id, "void"))
        )

    async def refund(
        self, order_id: UUID, payment: Payment, refund_id: UUID, amount: Decimal
    ) -> None:
        params: dict[str, Any] = {
            "payment_intent": _reference(payment),
            "amount": _minor_units(amount),
            "metadata": {"order_id": str(order_id), "refund_id": str(refund_id)},
        }
        refunds = self._client.v1.refunds
        await _called(
            lambda: refunds.create_async(params, _keyed(order_id, f"refund-{refund_id}"))  # type: ignore[arg-type]
        )

    def report(self, payload: bytes, signature: str | None) -> PaymentReport | None:
        """The payment change a signed webhook reports; None for an event about anything
        else. BadRequest `invalid_signature` for a missing, forged or stale signature."""
        if self._webhook_secret is None:
            raise NotFound("This shop takes no Stripe webhooks (STRIPE_WEBHOOK_SECRET).")
        try:
            event = self._client.construct_event(
                payload, signature, self._webhook_secret, WEBHOOK_TOLERANCE_SECONDS
            )
        except (stripe.SignatureVerificationError, ValueError):
            raise BadRequest(
                "The Stripe-Signature is missing, forged or stale.", code="invalid_signature"
            ) from None
        if not event.type.startswith("payment_intent."):
            return None
        intent: dict[str, Any] = event.data.object.to_dict()
        # A failed attempt leaves the intent waiting for another card: the event says it failed.
        failed = event.type == "payment_intent.payment_failed"
        status = PaymentStatus.FAILED if failed else _REPORTED.get(intent.get("status", ""))
        if status is None:
            return None
        received = intent.get("amount_received")
        if received is None:  # a server without it (localstripe): what its charge kept
            received = _charged(intent)
        capturable = intent.get("amount_capturable") or 0
        return PaymentReport(
            event_id=event.id,
            reference=intent["id"],
            status=status,
            amount_authorized=_amount(capturable or intent.get("amount") or 0),
            amount_captured=_amount(received),
        )


def _authorization(intent: stripe.PaymentIntent, amount: Decimal) -> Authorization:
    """What an intent's status means for the shop; PaymentDeclined when it failed."""
    if intent.status == "requires_capture":
        return Authorization(
            status=PaymentStatus.AUTHORIZED,
            # A server without amount_capturable (localstripe) holds the whole amount.
            amount=_amount(getattr(intent, "amount_capturable", None) or intent.amount),
            reference=intent.id,
        )
    if intent.status in _WAITING:
        return Authorization(
            status=PaymentStatus.REQUIRES_ACTION,
            amount=amount,
            reference=intent.id,
            client_secret=intent.client_secret,
        )
    raise PaymentDeclined("The payment was not authorized.")


def _charged(intent: dict[str, Any]) -> int:
    charge = intent.get("latest_charge")
    if isinstance(charge, dict):
        return int(charge.get("amount", 0)) - int(charge.get("amount_refunded") or 0)
    return int(intent.get("amount") or 0)


def _keyed(order_id: UUID, step: str) -> stripe.RequestOptions:
    return {"idempotency_key": provider_key(order_id, step)}


def _reference(payment: Payment) -> str:
    if payment.reference is None:
        raise ServiceUnavailable("This payment has no PaymentIntent yet.")
    return payment.reference


def _minor_units(amount: Decimal) -> int:
    return int(amount / CENT)


def _amount(minor_units: int) -> Decimal:
    return Decimal(minor_units) * CENT


async def _called(call: Callable[[], Awaitable[Answer]]) -> Answer:
    """The SDK's answer; a refusal becomes PaymentDeclined, anything else gone wrong on the
    way or at Stripe ServiceUnavailable."""
    try:
        return await call()
    except (stripe.CardError, stripe.InvalidRequestError) as refusal:
        raise PaymentDeclined(_refusal(refusal)) from None
    except stripe.StripeError as fault:
        raise ServiceUnavailable(f"Stripe can't be reached: {type(fault).__name__}.") from None


def _refusal(error: stripe.StripeError) -> str:
    """What a customer may be told: Stripe's own message, never the request."""
    message = getattr(error, "user_message", None) or "The payment was declined."
    return str(message)
