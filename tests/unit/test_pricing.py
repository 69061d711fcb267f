from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grocery.core.pricing import CartLine, PricedCart, price_cart, price_cart_leniently
from grocery.core.promotions import DiscountType, PromoCode, PromoRejected, PromoRejection

D = Decimal
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PRODUCE, BAKERY = uuid4(), uuid4()


def line(
    price: str, quantity: int = 1, *, category: UUID = PRODUCE, available: bool = True
) -> CartLine:
    return CartLine(
        product_id=uuid4(),
        name="Apples",
        category_id=category,
        unit_price=D(price),
        quantity=quantity,
        available=available,
    )


def percent(value: str, **terms: object) -> PromoCode:
    return PromoCode(
        id=uuid4(),
        code="PCT",
        discount_type=DiscountType.PERCENT,
        value=D(value),
        created_at=NOW,
        **terms,  # type: ignore[arg-type]
    )


def fixed(value: str, **terms: object) -> PromoCode:
    return PromoCode(
        id=uuid4(),
        code="FIX",
        discount_type=DiscountType.FIXED,
        value=D(value),
        created_at=NOW,
        **terms,  # type: ignore[arg-type]
    )


def assert_consistent(cart: PricedCart) -> None:
    assert sum(p.line_subtotal for p in cart.lines) == cart.subtotal
    assert sum(p.discount for p in cart.lines) == cart.discount
    assert sum(p.line_total for p in cart.lines) == cart.total
    assert cart.total == cart.subtotal - cart.discount
    assert all(p.line_total >= 0 and p.discount >= 0 for p in cart.lines)


def test_without_a_promo_lines_are_price_times_quantity() -> None:
    cart = price_cart([line("2.49", 3), line("0.99")], None, NOW, uses_by_customer=0, delivery=None)
    assert [p.line_total for p in cart.lines] == [D("7.47"), D("0.99")]
    assert (cart.subtotal, cart.discount, cart.total) == (D("8.46"), D("0.00"), D("8.46"))
    assert cart.promo_code is None


def test_an_empty_cart_costs_nothing() -> None:
    cart = price_cart([], None, NOW, uses_by_customer=0, delivery=None)
    assert (cart.lines, cart.subtotal, cart.total) == ((), D("0.00"), D("0.00"))


def test_unavailable_lines_are_listed_but_priced_at_zero() -> None:
    gone = line("5.00", 2, available=False)
    cart = price_cart([line("10.00"), gone], percent("10"), NOW, uses_by_customer=0, delivery=None)
    listed = cart.lines[1]
    assert (listed.product_id, listed.unit_price, listed.quantity) == (
        gone.product_id,
        D("5.00"),
        2,
    )
    assert not listed.available
    assert (listed.line_subtotal, listed.discount, listed.line_total) == (D(0), D(0), D(0))
    assert (cart.subtotal, cart.discount, cart.total) == (D("10.00"), D("1.00"), D("9.00"))


def test_percent_discount_is_spread_with_the_remainder_on_the_last_line() -> None:
    cart = price_cart(
        [line("3.33"), line("3.33"), line("3.34")],
        percent("10"),
        NOW,
        uses_by_customer=0,
        delivery=None,
    )
    assert cart.discount == D("1.00")
    assert [p.discount for p in cart.lines] == [D("0.33"), D("0.33"), D("0.34")]
    assert cart.promo_code == "PCT"
    assert_consistent(cart)


def test_percent_discount_rounds_half_up() -> None:
    # 10% of 0.25 is 0.025.
    assert price_cart(
        [line("0.25")], percent("10"), NOW, uses_by_customer=0, delivery=None
    ).discount == D("0.03")


def test_percent_discount_stops_at_max_discount() -> None:
    cart = price_cart(
        [line("80.00"), line("40.00")],
        percent("50", max_discount=D("15.00")),
        NOW,
        uses_by_customer=0,
        delivery=None,
    )
    assert cart.discount == D("15.00")
    assert [p.discount for p in cart.lines] == [D("10.00"), D("5.00")]


def test_fixed_discount_larger_than_the_cart_gives_a_zero_total() -> None:
    cart = price_cart(
        [line("4.50"), line("1.20", 2)], fixed("100.00"), NOW, uses_by_customer=0, delivery=None
    )
    assert cart.discount == cart.subtotal == D("6.90")
    assert cart.total == D("0.00")
    assert all(p.line_total == 0 for p in cart.lines)


def test_a_category_code_discounts_only_its_lines() -> None:
    bread = line("4.00", category=BAKERY)
    cart = price_cart(
        [line("6.00"), bread],
        percent("25", category_ids=frozenset({BAKERY})),
        NOW,
        uses_by_customer=0,
        delivery=None,
    )
    assert [p.discount for p in cart.lines] == [D("0.00"), D("1.00")]
    assert cart.total == D("9.00")


def test_a_category_code_ignores_unavailable_lines_of_its_category() -> None:
    scoped = percent("25", category_ids=frozenset({BAKERY}))
    lines = [line("6.00"), line("4.00", category=BAKERY, available=False)]
    with pytest.raises(PromoRejected) as rejected:
        price_cart(lines, scoped, NOW, uses_by_customer=0, delivery=None)
    assert rejected.value.reason is PromoRejection.NOT_APPLICABLE


def test_minimum_order_counts_the_whole_cart_not_only_eligible_lines() -> None:
    scoped = fixed("2.00", category_ids=frozenset({BAKERY}), min_order_amount=D("10.00"))
    cart = price_cart(
        [line("8.00"), line("2.00", category=BAKERY)],
        scoped,
        NOW,
        uses_by_customer=0,
        delivery=None,
    )
    assert cart.discount == D("2.00")


def test_customer_uses_are_checked() -> None:
    once = percent("10", max_uses_per_customer=1)
    with pytest.raises(PromoRejected) as rejected:
        price_cart([line("10.00")], once, NOW, uses_by_customer=1, delivery=None)
    assert rejected.value.reason is PromoRejection.CUSTOMER_LIMIT_REACHED


def test_strict_pricing_refuses_an_unusable_code() -> None:
    expired = percent("10", expires_at=NOW - timedelta(minutes=1))
    with pytest.raises(PromoRejected) as rejected:
        price_cart([line("10.00")], expired, NOW, uses_by_customer=0, delivery=None)
    assert rejected.value.code == "promo_expired"


def test_lenient_pricing_leaves_an_unusable_code_off_and_says_why() -> None:
    expired = percent("10", expires_at=NOW - timedelta(minutes=1))
    cart = price_cart_leniently([line("10.00")], expired, NOW, uses_by_customer=0, delivery=None)
    assert (cart.discount, cart.total, cart.promo_code) == (D("0.00"), D("10.00"), None)
    assert cart.promo_rejection is PromoRejection.EXPIRED


def test_lenient_pricing_applies_a_usable_code() -> None:
    cart = price_cart_leniently(
        [line("10.00")], percent("10"), NOW, uses_by_customer=0, delivery=None
    )
    assert (cart.discount, cart.promo_code, cart.promo_rejection) == (D("1.00"), "PCT", None)


# --- properties ---

prices = st.integers(1, 50_000).map(lambda c: D(c) / 100)
cart_lines = st.lists(
    st.builds(
        CartLine,
        product_id=st.uuids(),
        name=st.just("item"),
        category_id=st.sampled_from([PRODUCE, BAKERY]),
        unit_price=prices,
        quantity=st.integers(1, 999),
        available=st.booleans(),
    ),
    min_size=1,
    max_size=15,
).filter(lambda lines: any(item.available for item in lines))
percents = st.integers(1, 10_000).map(lambda v: D(v) / 100)
promos = st.one_of(
    st.builds(
        percent,
        st.integers(1, 10_000).map(lambda v: str(D(v) / 100)),
        max_discount=st.none() | prices,
    ),
    st.builds(fixed, prices.map(str)),
)
scopes = st.sampled_from([frozenset(), frozenset({PRODUCE}), frozenset({BAKERY})])


def eligible_subtotal(lines: list[CartLine], promo: PromoCode) -> Decimal:
    return sum(
        (
            item.unit_price * item.quantity
            for item in lines
            if item.available and promo.covers(item.category_id)
        ),
        D("0.00"),
    )


@given(cart_lines, promos, scopes)
def test_line_totals_add_up_to_the_order_total(
    lines: list[CartLine], promo: PromoCode, scope: frozenset[UUID]
) -> None:
    cart = price_cart_leniently(
        lines, _scoped(promo, scope), NOW, uses_by_customer=0, delivery=None
    )
    assert_consistent(cart)


@given(cart_lines, promos, scopes)
def test_discount_stays_within_the_eligible_subtotal(
    lines: list[CartLine], promo: PromoCode, scope: frozenset[UUID]
) -> None:
    promo = _scoped(promo, scope)
    cart = price_cart_leniently(lines, promo, NOW, uses_by_customer=0, delivery=None)
    assert D(0) <= cart.discount <= eligible_subtotal(lines, promo)
    assert cart.total >= 0
    if cart.promo_rejection is None:
        assert all(
            p.discount == 0
            for p, item in zip(cart.lines, lines, strict=True)
            if not promo.covers(item.category_id)
        )


@given(cart_lines, percents)
def test_percent_discount_is_within_a_cent_of_the_exact_figure(
    lines: list[CartLine], value: Decimal
) -> None:
    cart = price_cart(lines, percent(str(value)), NOW, uses_by_customer=0, delivery=None)
    exact = cart.subtotal * value / 100
    assert abs(cart.discount - exact) <= D("0.005")


def _scoped(promo: PromoCode, scope: frozenset[UUID]) -> PromoCode:
    return replace(promo, category_ids=scope)
