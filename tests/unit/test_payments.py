"""The payment state machine: every move forward allowed, every other refused; refunds
never above the capture; the amounts checkout authorizes and picking captures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grocery.core.errors import Conflict, Invalid
from grocery.core.money import ZERO
from grocery.core.payments import (
    MANUAL_PAYMENT,
    SETTLE_TRIES,
    Payment,
    PaymentProvider,
    PaymentReport,
    PaymentStatus,
    authorization_amount,
    authorized,
    can_move,
    capture_amount,
    captured,
    check_reason,
    check_shippable,
    moved,
    paid_on_delivery,
    postponed,
    provider_key,
    refunded,
    reported,
    requires_action,
    settle_postponed,
)

S = PaymentStatus
FORWARD = {
    (S.PENDING, S.REQUIRES_ACTION),
    (S.PENDING, S.AUTHORIZED),
    (S.PENDING, S.CAPTURED),
    (S.PENDING, S.VOIDED),
    (S.PENDING, S.FAILED),
    (S.REQUIRES_ACTION, S.AUTHORIZED),
    (S.REQUIRES_ACTION, S.VOIDED),
    (S.REQUIRES_ACTION, S.FAILED),
    (S.AUTHORIZED, S.CAPTURED),
    (S.AUTHORIZED, S.VOIDED),
    (S.AUTHORIZED, S.FAILED),
    (S.CAPTURED, S.PARTIALLY_REFUNDED),
    (S.CAPTURED, S.REFUNDED),
    (S.CAPTURED, S.FAILED),  # a cancelled order's refund refused
    (S.PARTIALLY_REFUNDED, S.PARTIALLY_REFUNDED),
    (S.PARTIALLY_REFUNDED, S.REFUNDED),
    (S.PARTIALLY_REFUNDED, S.FAILED),
    (S.FAILED, S.PARTIALLY_REFUNDED),  # a manager refunds what a failed payment took
    (S.FAILED, S.REFUNDED),
    (S.FAILED, S.VOIDED),  # the hold it could not release is gone after all
}
CARD = Payment(provider=PaymentProvider.STRIPE)
ONE = Decimal("1.00")


def test_each_try_the_provider_cannot_answer_waits_twice_as_long_up_to_an_hour() -> None:
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    payment = CARD
    waits = []
    for _ in range(10):
        payment = postponed(payment, now)
        assert payment.retry_at is not None
        waits.append((payment.retry_at - now).total_seconds())

    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert payment.tries == 10
    assert (moved(payment, S.AUTHORIZED).tries, moved(payment, S.AUTHORIZED).retry_at) == (0, None)


@pytest.mark.parametrize(("current", "to"), sorted(product(S, S)))
def test_a_payment_moves_only_forward(current: PaymentStatus, to: PaymentStatus) -> None:
    payment = Payment(provider=PaymentProvider.STRIPE, status=current)

    assert can_move(current, to) is ((current, to) in FORWARD)
    if (current, to) in FORWARD:
        assert moved(payment, to).status is to
    else:
        with pytest.raises(Conflict) as refused:
            moved(payment, to)
        assert refused.value.code == "invalid_payment_transition"


@pytest.mark.parametrize("final", [S.REFUNDED, S.VOIDED])
def test_a_final_status_never_moves(final: PaymentStatus) -> None:
    assert not any(can_move(final, to) for to in S)


def test_a_card_waits_for_its_customer_then_is_authorized_captured_and_refunded() -> None:
    waiting = requires_action(CARD, reference="pi_1", client_secret="pi_1_secret")
    assert (waiting.status, waiting.client_secret, waiting.reference) == (
        S.REQUIRES_ACTION,
        "pi_1_secret",
        "pi_1",
    )

    held = authorized(waiting, Decimal("12.00"), reference="pi_1")
    assert (held.status, held.amount_authorized, held.client_secret) == (
        S.AUTHORIZED,
        Decimal("12.00"),
        None,
    )

    taken = captured(held, capture_amount(held, Decimal("10.40")))
    assert (taken.status, taken.amount_captured) == (S.CAPTURED, Decimal("10.40"))

    part = refunded(taken, Decimal("0.40"))
    assert (part.status, part.amount_refunded, part.refundable) == (
        S.PARTIALLY_REFUNDED,
        Decimal("0.40"),
        Decimal("10.00"),
    )
    rest = refunded(part, Decimal("10.00"))
    assert (rest.status, rest.amount_refunded, rest.refundable) == (
        S.REFUNDED,
        Decimal("10.40"),
        Decimal("0.00"),
    )


def test_a_capture_never_exceeds_the_authorization() -> None:
    held = authorized(CARD, Decimal("10.00"), reference="pi_1")

    assert capture_amount(held, Decimal("10.01")) == Decimal("10.00")
    assert capture_amount(held, Decimal("9.99")) == Decimal("9.99")


@given(
    captured_cents=st.integers(min_value=1, max_value=10**6),
    asks=st.lists(st.integers(min_value=1, max_value=10**6), max_size=8),
)
def test_refunds_together_never_exceed_the_capture(captured_cents: int, asks: list[int]) -> None:
    payment = captured(MANUAL_PAYMENT, Decimal(captured_cents) / 100)
    for ask in asks:
        amount = Decimal(ask) / 100
        if amount <= payment.refundable:
            payment = refunded(payment, amount)
        else:
            with pytest.raises(Conflict) as refused:
                refunded(payment, amount)
            assert refused.value.code == "refund_exceeds_captured"
        assert Decimal(0) <= payment.amount_refunded <= payment.amount_captured
    assert (payment.status is S.REFUNDED) == (payment.refundable == 0 and bool(asks))


@pytest.mark.parametrize("status", [S.PENDING, S.REQUIRES_ACTION, S.AUTHORIZED, S.VOIDED, S.FAILED])
def test_nothing_is_refunded_before_a_capture(status: PaymentStatus) -> None:
    payment = Payment(provider=PaymentProvider.STRIPE, status=status, amount_authorized=ONE)
    with pytest.raises(Conflict) as refused:
        refunded(payment, Decimal("0.01"))
    assert refused.value.code == "refund_exceeds_captured"
    assert not payment.may_refund


def test_what_a_failed_payment_took_may_be_refunded_again() -> None:
    taken = captured(authorized(CARD, Decimal("6.00"), reference="pi_1"), Decimal("6.00"))
    part = refunded(taken, Decimal("1.00"))
    failed = moved(part, S.FAILED)  # the rest's refund refused when its order was cancelled

    assert failed.may_refund and failed.refundable == Decimal("5.00")
    with pytest.raises(Conflict):
        refunded(failed, Decimal("5.01"))
    some = refunded(failed, Decimal("2.00"))
    assert (some.status, some.amount_refunded) == (S.PARTIALLY_REFUNDED, Decimal("3.00"))
    rest = refunded(failed, Decimal("5.00"))
    assert (rest.status, rest.amount_refunded, rest.may_refund) == (
        S.REFUNDED,
        Decimal("6.00"),
        False,
    )


def _news(status: PaymentStatus) -> PaymentReport:
    return PaymentReport(
        event_id="evt_1",
        reference="pi_1",
        status=status,
        amount_authorized=Decimal("4.00"),
        amount_captured=ZERO,
    )


def test_a_hold_that_failed_to_be_released_is_voided_when_the_provider_says_it_is_gone() -> None:
    held = moved(authorized(CARD, Decimal("4.00"), reference="pi_1"), S.FAILED)  # void refused

    released = reported(held, _news(S.VOIDED))

    assert released is not None
    assert (released.status, released.amount_authorized, released.amount_captured) == (
        S.VOIDED,
        Decimal("4.00"),
        ZERO,
    )
    assert reported(released, _news(S.VOIDED)) is None  # sent again: nothing more


def test_a_failed_payment_that_took_money_is_never_voided() -> None:
    taken = captured(authorized(CARD, Decimal("6.00"), reference="pi_1"), Decimal("6.00"))
    failed = moved(taken, S.FAILED)  # its cancelled order's refund refused

    assert reported(failed, _news(S.VOIDED)) is None
    with pytest.raises(Conflict) as refused:
        moved(failed, S.VOIDED)
    assert refused.value.code == "invalid_payment_transition"


@pytest.mark.parametrize("status", [S.PENDING, S.AUTHORIZED, S.CAPTURED, S.PARTIALLY_REFUNDED])
def test_a_void_or_refund_out_of_reach_is_given_up_after_its_last_try(
    status: PaymentStatus,
) -> None:
    now = datetime(2026, 12, 3, 6, tzinfo=UTC)
    payment = Payment(provider=PaymentProvider.STRIPE, status=status)
    waits = timedelta(0)
    for _ in range(SETTLE_TRIES - 1):
        payment = settle_postponed(payment, now)
        assert payment.status is status and payment.retry_at is not None
        waits += payment.retry_at - now

    given_up = settle_postponed(payment, now)

    assert payment.tries == SETTLE_TRIES - 1
    assert timedelta(hours=5) < waits < timedelta(hours=7)  # about six hours of tries
    assert (given_up.status, given_up.tries, given_up.retry_at) == (S.FAILED, 0, None)


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_a_refund_is_of_something(amount: str) -> None:
    with pytest.raises(Invalid):
        refunded(captured(MANUAL_PAYMENT, Decimal("5.00")), Decimal(amount))


def test_a_refund_gives_a_reason() -> None:
    assert check_reason("  bruised apples ") == "bruised apples"
    for blank in ("", "   ", "x" * 501):
        with pytest.raises(Invalid):
            check_reason(blank)


def test_a_manual_payment_is_captured_for_the_final_total_on_delivery() -> None:
    paid = paid_on_delivery(MANUAL_PAYMENT, Decimal("9.10"))

    assert (paid.status, paid.amount_captured) == (S.CAPTURED, Decimal("9.10"))
    held = authorized(CARD, Decimal("10.00"), reference="pi_1")
    assert paid_on_delivery(held, Decimal("9.10")) is held


def test_a_card_payment_ships_only_once_captured() -> None:
    check_shippable(MANUAL_PAYMENT)
    check_shippable(captured(authorized(CARD, Decimal("1.00"), reference="pi"), Decimal("1.00")))
    with pytest.raises(Conflict) as refused:
        check_shippable(authorized(CARD, Decimal("1.00"), reference="pi"))
    assert refused.value.code == "payment_not_captured"


def test_checkout_authorizes_the_weight_tolerance_on_weighed_lines() -> None:
    # 10% on 3.35 is 0.335: half up to 0.34.
    amount = authorization_amount(Decimal("20.00"), [Decimal("3.35"), Decimal("1.00")], Decimal(10))

    assert amount == Decimal("20.00") + Decimal("0.34") + Decimal("0.10")


def test_each_call_to_the_provider_has_its_own_stable_key() -> None:
    order, other = uuid4(), uuid4()

    assert provider_key(order, "capture") == provider_key(order, "capture")
    assert provider_key(order, "capture") != provider_key(order, "void")
    assert provider_key(order, "capture") != provider_key(other, "capture")
