"""What the shop's card payments did after checkout, told to the people running it: each
step counted under grocery_payments (provider, outcome) and logged with its order. A step
that needs a manager (a void or refund the provider refused or could not answer for hours, a
capture refused) is logged as a warning. Logs name the order, never the card or the
provider's secrets."""

from __future__ import annotations

from uuid import UUID

import structlog

from grocery.core.payments import PaymentOutcome, PaymentProvider
from grocery.entrypoints.metrics import NO_METRICS, Tally

log = structlog.get_logger("grocery.payments")

FOR_A_MANAGER = frozenset(
    {
        PaymentOutcome.CAPTURE_REFUSED,
        PaymentOutcome.VOID_REFUSED,
        PaymentOutcome.REFUND_REFUSED,
        PaymentOutcome.GIVEN_UP,
    }
)


class NotedPayments:
    """The core's PaymentOutcomes: counted in `tally` and logged."""

    def __init__(self, tally: Tally = NO_METRICS) -> None:
        self._tally = tally

    def __call__(self, order_id: UUID, provider: PaymentProvider, outcome: PaymentOutcome) -> None:
        self._tally.payment(provider, outcome)
        note = log.warning if outcome in FOR_A_MANAGER else log.info
        note("payment.step", order_id=str(order_id), provider=str(provider), outcome=str(outcome))
