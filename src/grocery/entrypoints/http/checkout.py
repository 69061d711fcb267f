"""POST /api/checkout: the signed-in customer's cart becomes an order."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, post
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, JSONBody

from grocery.config import Settings
from grocery.core.errors import DomainError
from grocery.core.identity import Principal
from grocery.core.orders import IDEMPOTENCY_KEY_MAX_LENGTH, Answer, Order
from grocery.core.services.checkout import CheckoutRequest, CheckoutService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import documented
from grocery.entrypoints.http.guards import verified
from grocery.entrypoints.http.orders import OrderOut, placed_answer
from grocery.entrypoints.metrics import Tally

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description="Recommended: the same key and body again answer the same, with one order.",
        # Shown here; the core checks it (1 to 255 visible ASCII characters).
        schema_extra={"min_length": 1, "max_length": IDEMPOTENCY_KEY_MAX_LENGTH},
    ),
]


class CheckoutBody(msgspec.Struct):
    promo_code: str | None = None  # else the code applied to the cart
    # With Stripe: the card Stripe.js collected; the payment is confirmed at once.
    payment_method: Annotated[str, documented(min_length=1, max_length=255)] | None = None


# Checkout's refusals that are its slot booking's: the held place was taken, or closed.
SLOT_REFUSALS = frozenset({"slot_full", "slot_closed"})


def _tally_placed(metrics: Tally, order: Order) -> None:
    """A placed order booked its held slot, if any, and its payment began."""
    if order.fulfilment is not None:
        metrics.slot_booking("booked")
    metrics.payment(order.payment.provider, order.payment.status)


class CheckoutController(Controller):
    path = "/checkout"
    tags = ("checkout",)
    guards = (verified,)

    @post(
        "/",
        status_code=201,
        responses={
            201: ResponseSpec(
                data_container=OrderOut, description="The order", generate_examples=False
            )
        },
    )
    async def check_out(
        self,
        principal: Injected[Principal],
        checkout: Injected[CheckoutService],
        metrics: Injected[Tally],
        settings: Injected[Settings],
        idempotency_key: IdempotencyKey = None,
        data: JSONBody[CheckoutBody | None] = None,
    ) -> Response[Any]:
        """Take the cart's stock and place the order; the cart is emptied.

        Short stock answers 409 `insufficient_stock` naming each product, an unusable promo
        code 422 with its reason, a declined card 402 `payment_declined`, a payment provider
        out of reach 503; in every case nothing changes.
        """
        request = CheckoutRequest(
            user_id=principal.user_id,
            promo_code=None if data is None else data.promo_code,
            idempotency_key=idempotency_key,
            payment_method=None if data is None else data.payment_method,
        )
        placed: list[Order] = []  # the order answered (none when a key replays)

        def render(order: Order) -> Answer:
            placed.append(order)
            return placed_answer(order)

        try:
            answer = await checkout.place_order(request, render)
        except DomainError as refused:
            metrics.checkout(refused.code)
            if refused.code in SLOT_REFUSALS:
                metrics.slot_booking(refused.code)
            if refused.code == "payment_declined":
                metrics.payment(settings.payment_provider, "declined")
            raise
        metrics.checkout("replayed" if answer.replayed else "placed")
        if not answer.replayed:
            _tally_placed(metrics, placed[-1])
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
        return Response(answer.body, status_code=answer.status, headers=headers)  # JSON bytes
