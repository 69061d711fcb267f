"""Payments through the order use cases on the in-memory adapters: the manual provider's
payment is captured on delivery and voided on cancel; refunds are recorded, never above
the capture; a card payment must be captured before the order ships."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from grocery.adapters.payments.gateways import PaymentGateways
from grocery.adapters.payments.manual import ManualGateway
from grocery.core.errors import Conflict, NotFound, ServiceUnavailable
from grocery.core.orders import Order, OrderStatus
from grocery.core.payments import (
    SETTLE_TRIES,
    Payment,
    PaymentOutcome,
    PaymentProvider,
    PaymentStatus,
)
from grocery.core.services.payments import PaymentFollowUps, RefundService
from tests.unit.orders_shop import Shop, customer, manager

S = OrderStatus
P = PaymentStatus


@pytest.fixture
def shop() -> Shop:
    return Shop()


Noted = list[tuple[UUID, PaymentProvider, PaymentOutcome]]


@pytest.fixture
def noted() -> Noted:
    return []


@pytest.fixture
def refunds(shop: Shop, noted: Noted) -> RefundService:
    return RefundService(
        uow=shop.uow,
        clock=shop.clock,
        gateways=PaymentGateways(ManualGateway()),
        outcomes=lambda *step: noted.append(step),
    )


class OutOfReach(ManualGateway):
    """A card provider that never answers (its network is down)."""

    @property
    def provider(self) -> PaymentProvider:
        return PaymentProvider.STRIPE

    async def void(self, order_id: UUID, payment: Payment) -> None:
        raise ServiceUnavailable("The provider can't be reached.")


async def _delivered(shop: Shop) -> Order:
    order = await shop.place(customer().user_id, (shop.product("2.50"), 4))
    for step in (S.PROCESSING, S.SHIPPED, S.DELIVERED):
        order = await shop.orders.step(order.id, step)
    return order


async def test_a_manual_payment_waits_until_delivery_then_is_captured_for_the_total(
    shop: Shop,
) -> None:
    order = await shop.place(customer().user_id, (shop.product("2.50"), 4))
    assert order.payment == Payment(provider=PaymentProvider.MANUAL)

    delivered = await _delivered(shop)

    stored = shop.store.orders.orders[delivered.id].payment
    assert delivered.payment == stored
    assert (stored.status, stored.amount_captured) == (P.CAPTURED, Decimal("10.00"))


async def test_cancelling_voids_a_manual_payment(shop: Shop) -> None:
    ann = customer()
    order = await shop.place(ann.user_id, (shop.product(), 1))

    cancelled = await shop.orders.cancel(ann, order.id)

    assert cancelled.payment.status is P.VOIDED
    assert shop.store.orders.orders[order.id].payment.status is P.VOIDED


async def test_refunds_are_recorded_until_the_capture_is_given_back(
    shop: Shop, refunds: RefundService, noted: Noted
) -> None:
    order = await _delivered(shop)
    boss = manager()

    first = await refunds.refund(order.id, "2.50", "bruised", boss.user_id)
    with pytest.raises(Conflict) as refused:
        await refunds.refund(order.id, "7.51", "too much", boss.user_id)
    second = await refunds.refund(order.id, "7.50", "all of it", boss.user_id)

    assert refused.value.code == "refund_exceeds_captured"
    assert (first.amount, first.reason, first.by) == (Decimal("2.50"), "bruised", boss.user_id)
    payment = shop.store.orders.orders[order.id].payment
    assert (payment.status, payment.amount_refunded) == (P.REFUNDED, Decimal("10.00"))
    assert shop.store.orders.refunds == sorted([first, second], key=lambda r: r.id)
    assert noted == [(order.id, PaymentProvider.MANUAL, PaymentOutcome.REFUNDED)] * 2


async def test_nothing_is_refunded_before_delivery(shop: Shop, refunds: RefundService) -> None:
    order = await shop.place(customer().user_id, (shop.product(), 1))

    with pytest.raises(Conflict) as refused:
        await refunds.refund(order.id, "0.01", "early", uuid4())
    with pytest.raises(NotFound):
        await refunds.refund(uuid4(), "0.01", "no order", uuid4())

    assert refused.value.code == "refund_exceeds_captured"
    assert shop.store.orders.refunds == []


async def test_an_order_paid_by_a_provider_no_longer_set_up_is_not_refunded(
    shop: Shop, refunds: RefundService
) -> None:
    order = await _delivered(shop)
    card = Payment(
        provider=PaymentProvider.STRIPE, status=P.CAPTURED, amount_captured=Decimal("10.00")
    )
    shop.store.orders.orders[order.id] = replace(order, payment=card)

    with pytest.raises(ServiceUnavailable):
        await refunds.refund(order.id, "1.00", "bruised", uuid4())

    assert shop.store.orders.orders[order.id].payment == card
    assert shop.store.orders.refunds == []


async def test_a_card_payment_must_be_captured_before_the_order_ships(shop: Shop) -> None:
    order = await shop.place(customer().user_id, (shop.product(), 1))
    held = Payment(
        provider=PaymentProvider.STRIPE, status=P.AUTHORIZED, amount_authorized=order.total
    )
    shop.store.orders.orders[order.id] = replace(order, payment=held)
    await shop.orders.step(order.id, S.PROCESSING)

    with pytest.raises(Conflict) as refused:
        await shop.orders.step(order.id, S.SHIPPED)

    assert refused.value.code == "payment_not_captured"
    assert shop.store.orders.orders[order.id].status is S.PROCESSING


async def test_a_void_the_provider_cannot_answer_is_given_up_after_its_last_try(
    shop: Shop, noted: Noted
) -> None:
    ann = customer()
    order = await shop.place(ann.user_id, (shop.product(), 1))
    held = Payment(
        provider=PaymentProvider.STRIPE,
        status=P.AUTHORIZED,
        amount_authorized=order.total,
        reference="pi_1",
    )
    shop.store.orders.orders[order.id] = replace(order, payment=held)
    follow_ups = PaymentFollowUps(
        uow=shop.uow,
        clock=shop.clock,
        gateways=lambda provider: OutOfReach(),
        outcomes=lambda *step: noted.append(step),
    )

    cancelled = await shop.orders.cancel(ann, order.id)  # without follow-ups: nothing voided
    for _ in range(SETTLE_TRIES):
        cancelled = await follow_ups.settle(cancelled)

    stored = shop.store.orders.orders[order.id].payment
    assert (stored.status, stored.amount_authorized, stored.retry_at) == (
        P.FAILED,
        order.total,
        None,
    )
    assert [outcome for _, _, outcome in noted] == [PaymentOutcome.RETRY] * (SETTLE_TRIES - 1) + [
        PaymentOutcome.GIVEN_UP
    ]
    assert await follow_ups.settle(cancelled) == cancelled  # failed: nothing more to try
