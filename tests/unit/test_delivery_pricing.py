"""The delivery fee and minimum order rules of pricing: free over the threshold after the
discount, nothing for pickup or without a slot, and money that still adds up."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grocery.core.errors import Invalid
from grocery.core.fulfilment.zones import PICKUP_TERMS, DeliveryTerms, FulfilmentMethod
from grocery.core.pricing import (
    CartLine,
    check_minimum_order,
    delivery_fee,
    price_cart,
    price_cart_leniently,
)
from grocery.core.promotions import DiscountType, PromoCode, PromoRejection

D = Decimal
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def line(price: str, quantity: int = 1, *, available: bool = True) -> CartLine:
    return CartLine(
        product_id=uuid4(),
        name="Oats",
        category_id=uuid4(),
        unit_price=D(price),
        quantity=quantity,
        available=available,
    )


def delivery(fee: str, free_over: str | None = None, least: str | None = None) -> DeliveryTerms:
    return DeliveryTerms(
        method=FulfilmentMethod.DELIVERY,
        fee=D(fee),
        free_delivery_over=None if free_over is None else D(free_over),
        min_order_amount=None if least is None else D(least),
    )


def fixed_off(value: str, **terms: object) -> PromoCode:
    return PromoCode(
        id=uuid4(),
        code="OFF",
        discount_type=DiscountType.FIXED,
        value=D(value),
        created_at=NOW,
        **terms,  # type: ignore[arg-type]
    )


def test_without_a_slot_there_is_no_fee() -> None:
    cart = price_cart([line("10.00")], None, NOW, uses_by_customer=0, delivery=None)
    assert (cart.delivery_fee, cart.total) == (D("0.00"), D("10.00"))


def test_pickup_costs_nothing_whatever_the_cart() -> None:
    cart = price_cart([line("3.00")], None, NOW, uses_by_customer=0, delivery=PICKUP_TERMS)
    assert (cart.delivery_fee, cart.total) == (D("0.00"), D("3.00"))


def test_delivery_below_the_threshold_pays_the_zone_fee() -> None:
    cart = price_cart(
        [line("20.00")], None, NOW, uses_by_customer=0, delivery=delivery("4.99", free_over="50.00")
    )
    assert (cart.delivery_fee, cart.total) == (D("4.99"), D("24.99"))
    assert sum(p.line_total for p in cart.lines) + cart.delivery_fee == cart.total


def test_delivery_is_free_once_the_goods_reach_the_threshold() -> None:
    terms = delivery("4.99", free_over="50.00")
    assert price_cart(
        [line("50.00")], None, NOW, uses_by_customer=0, delivery=terms
    ).delivery_fee == D("0.00")
    assert price_cart(
        [line("49.99")], None, NOW, uses_by_customer=0, delivery=terms
    ).delivery_fee == D("4.99")


def test_the_threshold_looks_at_the_goods_after_the_discount() -> None:
    cart = price_cart(
        [line("55.00")],
        fixed_off("10.00"),
        NOW,
        uses_by_customer=0,
        delivery=delivery("4.99", free_over="50.00"),
    )
    assert (cart.subtotal, cart.discount, cart.goods) == (D("55.00"), D("10.00"), D("45.00"))
    assert (cart.delivery_fee, cart.total) == (D("4.99"), D("49.99"))


def test_a_zone_without_a_threshold_always_charges() -> None:
    cart = price_cart([line("999.00", 9)], None, NOW, uses_by_customer=0, delivery=delivery("2.50"))
    assert cart.delivery_fee == D("2.50")


def test_unavailable_lines_count_for_nothing_towards_the_threshold() -> None:
    lines = [line("30.00"), line("30.00", available=False)]
    cart = price_cart(
        lines, None, NOW, uses_by_customer=0, delivery=delivery("4.99", free_over="50.00")
    )
    assert cart.delivery_fee == D("4.99")


def test_lenient_pricing_keeps_the_fee_when_it_leaves_a_code_off() -> None:
    used_up = fixed_off("5.00", max_uses=1, times_used=1)
    terms = delivery("4.99", free_over="50.00")
    cart = price_cart_leniently([line("20.00")], used_up, NOW, uses_by_customer=0, delivery=terms)
    assert cart.promo_rejection is PromoRejection.USAGE_LIMIT_REACHED
    assert (cart.discount, cart.delivery_fee, cart.total) == (D("0.00"), D("4.99"), D("24.99"))


def test_minimum_order_is_judged_on_the_goods_after_the_discount() -> None:
    terms = delivery("4.99", least="30.00")
    check_minimum_order(terms, D("30.00"))
    with pytest.raises(Invalid) as refused:
        check_minimum_order(terms, D("29.99"))
    assert refused.value.code == "min_order_not_met"
    assert "30.00" in refused.value.detail


def test_no_minimum_order_without_a_zone_minimum() -> None:
    check_minimum_order(None, D("0.01"))
    check_minimum_order(PICKUP_TERMS, D("0.01"))
    check_minimum_order(delivery("1.00"), D("0.01"))


# --- properties ---

prices = st.integers(1, 20_000).map(lambda c: D(c) / 100)
amounts = st.integers(0, 100_000).map(lambda c: D(c) / 100)
carts = st.lists(
    st.builds(
        CartLine,
        product_id=st.uuids(),
        name=st.just("item"),
        category_id=st.uuids(),
        unit_price=prices,
        quantity=st.integers(1, 50),
        available=st.booleans(),
    ),
    max_size=12,
)
terms = st.one_of(
    st.none(),
    st.just(PICKUP_TERMS),
    st.builds(
        DeliveryTerms,
        method=st.just(FulfilmentMethod.DELIVERY),
        fee=amounts,
        free_delivery_over=st.none() | amounts,
        min_order_amount=st.none() | amounts,
    ),
)
promos = st.none() | st.builds(fixed_off, prices.map(str))


@given(carts, promos, terms)
def test_lines_and_fee_add_up_to_the_total(
    lines: list[CartLine], promo: PromoCode | None, delivery_terms: DeliveryTerms | None
) -> None:
    cart = price_cart_leniently(lines, promo, NOW, uses_by_customer=0, delivery=delivery_terms)
    assert sum((p.line_total for p in cart.lines), D("0.00")) + cart.delivery_fee == cart.total
    assert cart.total == cart.subtotal - cart.discount + cart.delivery_fee
    assert cart.total >= cart.delivery_fee >= 0


@given(carts, promos, terms)
def test_the_fee_is_the_zone_fee_or_nothing(
    lines: list[CartLine], promo: PromoCode | None, delivery_terms: DeliveryTerms | None
) -> None:
    cart = price_cart_leniently(lines, promo, NOW, uses_by_customer=0, delivery=delivery_terms)
    if delivery_terms is None or delivery_terms.method is FulfilmentMethod.PICKUP:
        assert cart.delivery_fee == 0
        return
    threshold = delivery_terms.free_delivery_over
    free = threshold is not None and cart.goods >= threshold
    assert cart.delivery_fee == (D("0.00") if free else delivery_terms.fee)


@given(amounts, amounts, st.none() | amounts)
def test_more_goods_never_cost_more_delivery(
    fee: Decimal, goods: Decimal, free_over: Decimal | None
) -> None:
    terms = DeliveryTerms(method=FulfilmentMethod.DELIVERY, fee=fee, free_delivery_over=free_over)
    assert delivery_fee(terms, goods + D("0.01")) <= delivery_fee(terms, goods)
