"""Order rules: the order a priced cart makes, status steps, who may cancel when,
and Idempotency-Key fingerprints and replays."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from grocery.core.errors import Conflict, Invalid
from grocery.core.identity import Principal, Role
from grocery.core.orders import (
    Answer,
    KeptAnswer,
    Order,
    OrderStatus,
    cancellable_from,
    check_idempotency_key,
    check_step,
    next_step,
    order_from_cart,
    replay,
    request_fingerprint,
    staff_may_cancel,
)
from grocery.core.pricing import CartLine, price_cart
from grocery.core.promotions import DiscountType, PromoCode

D = Decimal
NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
S = OrderStatus


def an_order(status: OrderStatus = S.PLACED) -> Order:
    line = CartLine(
        product_id=uuid4(), name="Pears", category_id=uuid4(), unit_price=D("2.00"), quantity=1
    )
    order = order_from_cart(
        price_cart([line], None, NOW, uses_by_customer=0, delivery=None),
        user_id=uuid4(),
        promo_code_id=None,
        fulfilment=None,
        currency="USD",
        now=NOW,
    )
    return replace(order, status=status)


def test_an_order_snapshots_each_priced_line_and_its_discount() -> None:
    category = uuid4()
    lines = [
        CartLine(
            product_id=uuid4(),
            name=name,
            category_id=category,
            unit_price=D(price),
            quantity=quantity,
        )
        for name, price, quantity in (("Apples", "1.25", 3), ("Milk", "0.99", 2))
    ]
    promo = PromoCode(
        id=uuid4(), code="TAKE1", discount_type=DiscountType.FIXED, value=D("1.00"), created_at=NOW
    )
    user = uuid4()

    order = order_from_cart(
        price_cart(lines, promo, NOW, uses_by_customer=0, delivery=None),
        user_id=user,
        promo_code_id=promo.id,
        fulfilment=None,
        currency="USD",
        now=NOW,
    )

    assert (order.user_id, order.status, order.currency) == (user, S.PLACED, "USD")
    assert [(line.product_name, line.quantity, line.price_at_purchase) for line in order.lines] == [
        ("Apples", 3, D("1.25")),
        ("Milk", 2, D("0.99")),
    ]
    assert [(line.discount, line.line_total) for line in order.lines] == [
        (D("0.65"), D("3.10")),
        (D("0.35"), D("1.63")),
    ]
    assert (order.subtotal, order.discount, order.total) == (D("5.73"), D("1.00"), D("4.73"))
    assert (order.promo_code, order.promo_code_id) == ("TAKE1", promo.id)
    assert order.created_at == order.updated_at == NOW
    assert order.cancelled_at is None


def test_quantities_are_summed_per_product_in_id_order() -> None:
    order = an_order()
    first, second = sorted([uuid4(), uuid4()])
    line = order.lines[0]
    lines = (
        replace(line, product_id=second, quantity=2),
        replace(line, product_id=first, quantity=1),
        replace(line, product_id=second, quantity=3),
    )
    merged = replace(order, lines=lines)

    assert list(merged.quantities.items()) == [(first, 1), (second, 5)]


@pytest.mark.parametrize(
    ("current", "wanted"),
    [(S.PLACED, S.PROCESSING), (S.PROCESSING, S.SHIPPED), (S.SHIPPED, S.DELIVERED)],
)
def test_each_fulfilment_step_is_allowed(current: OrderStatus, wanted: OrderStatus) -> None:
    check_step(an_order(current), wanted)


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (S.PLACED, S.SHIPPED),
        (S.PLACED, S.PLACED),
        (S.PROCESSING, S.PLACED),
        (S.DELIVERED, S.PROCESSING),
        (S.CANCELLED, S.PROCESSING),
        (S.PLACED, S.CANCELLED),
    ],
)
def test_any_other_step_is_an_invalid_transition(current: OrderStatus, wanted: OrderStatus) -> None:
    with pytest.raises(Conflict) as refused:
        check_step(an_order(current), wanted)
    assert refused.value.code == "invalid_status_transition"


CUSTOMER = Principal(user_id=uuid4(), role=Role.CUSTOMER)
MANAGER = Principal(user_id=uuid4(), role=Role.MANAGER)
ADMIN = Principal(user_id=uuid4(), role=Role.ADMIN)


@pytest.mark.parametrize(
    ("who", "status", "allowed"),
    [
        (CUSTOMER, S.PLACED, True),
        (CUSTOMER, S.PROCESSING, False),
        (MANAGER, S.PLACED, True),
        (MANAGER, S.PROCESSING, True),
        (ADMIN, S.PROCESSING, True),
        (MANAGER, S.SHIPPED, False),
        (MANAGER, S.DELIVERED, False),
        (CUSTOMER, S.CANCELLED, False),
    ],
)
def test_owners_cancel_placed_orders_and_managers_until_they_ship(
    who: Principal, status: OrderStatus, allowed: bool
) -> None:
    order = an_order(status)
    if allowed:
        assert status in cancellable_from(order, who)
    else:
        with pytest.raises(Conflict) as refused:
            cancellable_from(order, who)
        assert refused.value.code == "invalid_status_transition"


@pytest.mark.parametrize("status", list(S))
def test_the_step_and_cancel_offered_are_the_ones_the_rules_allow(status: OrderStatus) -> None:
    """The back office offers next_step and a cancel button from these: each must pass."""
    order = an_order(status)
    offered = next_step(status)
    for wanted in S:
        if wanted is offered:
            check_step(order, wanted)
        else:
            with pytest.raises(Conflict):
                check_step(order, wanted)
    if staff_may_cancel(status):
        assert status in cancellable_from(order, MANAGER)
    else:
        with pytest.raises(Conflict):
            cancellable_from(order, MANAGER)


# --- idempotency --------------------------------------------------------------


@pytest.mark.parametrize("key", ["a", "order-7f3e", "x" * 255, "with space"])
def test_keys_of_visible_ascii_are_accepted(key: str) -> None:
    assert check_idempotency_key(key) == key


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\there", "line\nbreak"])
def test_other_keys_are_invalid(key: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_idempotency_key(key)
    assert refused.value.errors[0]["field"] == "Idempotency-Key"


def test_a_fingerprint_depends_on_meaning_not_key_order() -> None:
    assert request_fingerprint({"a": 1, "b": None}) == request_fingerprint({"b": None, "a": 1})
    assert request_fingerprint({"promo_code": "X"}) != request_fingerprint({"promo_code": None})


def test_a_replay_gives_the_kept_answer_for_the_same_request_only() -> None:
    kept = KeptAnswer(request_hash="abc", answer=Answer(status=201, body=b'{"id":"1"}'))

    again = replay(kept, "abc")

    assert (again.status, again.body, again.replayed) == (201, b'{"id":"1"}', True)
    with pytest.raises(Invalid) as mismatch:
        replay(kept, "other")
    assert mismatch.value.code == "idempotency_key_mismatch"


def test_a_key_still_being_answered_is_a_conflict() -> None:
    with pytest.raises(Conflict) as busy:
        replay(KeptAnswer(request_hash="abc", answer=None), "abc")
    assert busy.value.code == "idempotency_key_in_use"
