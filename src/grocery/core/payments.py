"""Payments: the states an order's payment goes through and the only moves between them.

A payment only ever moves forward. A card is authorized (`authorized`) for the checkout's
total plus the weight tolerance on weighed lines, captured (`captured`) for the final bill
when picking completes, and refunded in part or in full afterwards; an authorization is
voided (`voided`) when the order is cancelled before capture. A cancelled order's void or
refund the provider refuses, or could not answer for hours, ends `failed`, with what it held,
took and gave back kept: a manager may refund what it took again, or settle it by hand; a
hold the provider later reports released (it expired, or was released by hand) is voided.
The `manual` provider
(paid at the door or the counter) stays `pending` until the order is delivered, then
counts as captured for the final total.

Moves a provider reports (webhooks, retries) that would go backwards are ignored, not
refused: events arrive in any order and more than once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from grocery.core.errors import Conflict, invalid
from grocery.core.money import ZERO, cents


class PaymentProvider(StrEnum):
    MANUAL = "manual"
    STRIPE = "stripe"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    FAILED = "failed"


class PaymentOutcome(StrEnum):
    """What a step after checkout did to a payment, in the words it is counted and logged in."""

    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    VOIDED = "voided"
    REFUNDED = "refunded"
    DECLINED = "declined"  # the provider's news that the card failed
    RETRY = "retry"  # the provider could not answer: tried again later
    CAPTURE_REFUSED = "capture_refused"
    VOID_REFUSED = "void_refused"
    REFUND_REFUSED = "refund_refused"
    GIVEN_UP = "given_up"  # a void or refund the provider could not answer for hours


_S = PaymentStatus
# Every move forward; a status not named as a key is final.
_FORWARD: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    _S.PENDING: frozenset({_S.REQUIRES_ACTION, _S.AUTHORIZED, _S.CAPTURED, _S.VOIDED, _S.FAILED}),
    _S.REQUIRES_ACTION: frozenset({_S.AUTHORIZED, _S.VOIDED, _S.FAILED}),
    _S.AUTHORIZED: frozenset({_S.CAPTURED, _S.VOIDED, _S.FAILED}),
    # Failed from here: the provider refused to give back what the cancelled order took.
    _S.CAPTURED: frozenset({_S.PARTIALLY_REFUNDED, _S.REFUNDED, _S.FAILED}),
    _S.PARTIALLY_REFUNDED: frozenset({_S.PARTIALLY_REFUNDED, _S.REFUNDED, _S.FAILED}),
    # A manager's refund of what a failed payment took (refunded checks there is some), or
    # the provider's news that the hold it would not release is gone after all (it expired,
    # or was released by hand): voided, if it never took anything (moved checks).
    _S.FAILED: frozenset({_S.PARTIALLY_REFUNDED, _S.REFUNDED, _S.VOIDED}),
}
# Not yet authorized: the order waits for the customer (or is given up on).
UNAUTHORIZED = frozenset({_S.PENDING, _S.REQUIRES_ACTION})
# Money was taken: what a refund can give back from.
CAPTURED_STATES = frozenset({_S.CAPTURED, _S.PARTIALLY_REFUNDED, _S.REFUNDED})


def can_move(current: PaymentStatus, to: PaymentStatus) -> bool:
    """Whether `to` is a step forward from `current`."""
    return to in _FORWARD.get(current, frozenset())


@dataclass(frozen=True, kw_only=True, slots=True)
class Payment:
    provider: PaymentProvider
    status: PaymentStatus = PaymentStatus.PENDING
    amount_authorized: Decimal = ZERO
    amount_captured: Decimal = ZERO
    amount_refunded: Decimal = ZERO
    client_secret: str | None = None  # for the storefront's Stripe.js while action is required
    reference: str | None = None  # the provider's id for it (a PaymentIntent's)
    tries: int = 0  # follow-ups the provider could not answer since the last step
    retry_at: datetime | None = None  # not followed up again before

    @property
    def refundable(self) -> Decimal:
        return self.amount_captured - self.amount_refunded

    @property
    def is_captured(self) -> bool:
        return self.status in CAPTURED_STATES

    @property
    def may_refund(self) -> bool:
        """Whether some of what it took is left to give back: captured, or failed after a
        capture (a refund the provider refused may be tried again)."""
        refundable_states = self.is_captured or self.status is PaymentStatus.FAILED
        return refundable_states and self.refundable > 0


MANUAL_PAYMENT = Payment(provider=PaymentProvider.MANUAL)


def provider_key(order_id: UUID, step: str) -> str:
    """The idempotency key of one call to the provider: the same order and step always give
    the same key, so a retried call is answered as the first was and never charges twice."""
    return f"grocery-{order_id}-{step}"


def may_move(payment: Payment, to: PaymentStatus) -> bool:
    """Whether `to` is a step forward for this payment: one that took money is never voided."""
    return can_move(payment.status, to) and not (to is _S.VOIDED and payment.amount_captured)


def moved(payment: Payment, to: PaymentStatus) -> Payment:
    """The payment in status `to`; Conflict `invalid_payment_transition` unless it is a step
    forward."""
    if not may_move(payment, to):
        raise Conflict(
            f"A payment that is {payment.status} can't become {to}.",
            code="invalid_payment_transition",
        )
    client_secret = payment.client_secret if to is PaymentStatus.REQUIRES_ACTION else None
    return replace(payment, status=to, client_secret=client_secret, tries=0, retry_at=None)


# A follow-up the provider could not answer waits twice as long after each try, up to an hour.
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)


def postponed(payment: Payment, now: datetime) -> Payment:
    """The payment after one more follow-up the provider could not answer (out of reach):
    tried again no sooner than the back-off says."""
    wait = min(FIRST_RETRY * 2 ** min(payment.tries, 10), LAST_RETRY)
    return replace(payment, tries=payment.tries + 1, retry_at=now + wait)


# A cancelled order's void or refund is tried this many times (about six hours of waits)
# before the shop stops and leaves it failed for a manager: money is not left in limbo.
SETTLE_TRIES = 12


def settle_postponed(payment: Payment, now: datetime) -> Payment:
    """A cancelled order's payment after a void or refund the provider could not answer:
    postponed, or failed once that was its SETTLE_TRIES-th try."""
    if payment.tries + 1 >= SETTLE_TRIES:
        return moved(payment, PaymentStatus.FAILED)
    return postponed(payment, now)


def requires_action(payment: Payment, *, reference: str, client_secret: str) -> Payment:
    return replace(
        moved(payment, PaymentStatus.REQUIRES_ACTION),
        reference=reference,
        client_secret=client_secret,
    )


def authorized(payment: Payment, amount: Decimal, *, reference: str) -> Payment:
    return replace(
        moved(payment, PaymentStatus.AUTHORIZED), amount_authorized=amount, reference=reference
    )


def captured(payment: Payment, amount: Decimal) -> Payment:
    return replace(moved(payment, PaymentStatus.CAPTURED), amount_captured=amount)


def refunded(payment: Payment, amount: Decimal) -> Payment:
    """The payment with `amount` more given back; see check_refund."""
    check_refund(payment, amount)
    total = payment.amount_refunded + amount
    to = (
        PaymentStatus.REFUNDED
        if total == payment.amount_captured
        else PaymentStatus.PARTIALLY_REFUNDED
    )
    return replace(moved(payment, to), amount_refunded=total)


def check_refund(payment: Payment, amount: Decimal) -> None:
    """Invalid unless the amount is above zero; Conflict `refund_exceeds_captured` when it is
    more than what was captured and not yet given back."""
    if amount <= 0:
        raise invalid("amount", "must be above 0")
    if not payment.may_refund or amount > payment.refundable:
        raise Conflict(
            f"At most {payment.refundable} can be refunded on this order.",
            code="refund_exceeds_captured",
        )


def check_shippable(payment: Payment) -> None:
    """Conflict `payment_not_captured` while a card payment has not been captured: an order
    leaves the shop paid. A manual payment is taken on delivery."""
    if payment.provider is not PaymentProvider.MANUAL and not payment.is_captured:
        raise Conflict(
            "This order's payment has not been captured yet: complete picking first.",
            code="payment_not_captured",
        )


def paid_on_delivery(payment: Payment, total: Decimal) -> Payment:
    """A manual payment counts as captured for the final total once the order is delivered;
    a card's was captured when picking completed."""
    if payment.provider is PaymentProvider.MANUAL and payment.status is PaymentStatus.PENDING:
        return captured(payment, total)
    return payment


def capture_amount(payment: Payment, final_total: Decimal) -> Decimal:
    """What to capture for a final bill: never more than was authorized."""
    return min(final_total, payment.amount_authorized)


def authorization_amount(
    total: Decimal, weighed_subtotals: list[Decimal], tolerance: Decimal
) -> Decimal:
    """The checkout's total plus the weight tolerance on its weighed lines (each rounded half
    up to cents): the most picking may bill."""
    return total + sum((cents(amount * tolerance / 100) for amount in weighed_subtotals), ZERO)


@dataclass(frozen=True, kw_only=True, slots=True)
class Refund:
    id: UUID
    order_id: UUID
    amount: Decimal
    reason: str
    created_at: datetime
    by: UUID | None = None  # the manager; None when cancelling refunded the capture


REFUND_REASON_MAX_LENGTH = 500


def check_reason(reason: str) -> str:
    reason = reason.strip()
    if not 0 < len(reason) <= REFUND_REASON_MAX_LENGTH:
        raise invalid("reason", f"must be 1 to {REFUND_REASON_MAX_LENGTH} characters")
    return reason


# --- what the provider reports ----------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class PaymentReport:
    """A provider's event (a webhook) about a payment: what it is now, as the provider sees it."""

    event_id: str  # applied once, however often it is sent
    reference: str  # the provider's id for the payment
    status: PaymentStatus
    amount_authorized: Decimal
    amount_captured: Decimal


def reported(payment: Payment, report: PaymentReport) -> Payment | None:
    """The payment as the report has it; None when that would not be a step forward (a
    report sent again, or one overtaken by a later one)."""
    if not may_move(payment, report.status):
        return None
    if report.status is PaymentStatus.AUTHORIZED:
        return authorized(payment, report.amount_authorized, reference=report.reference)
    if report.status is PaymentStatus.CAPTURED:
        return captured(payment, report.amount_captured)
    return moved(payment, report.status)
