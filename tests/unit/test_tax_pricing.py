"""Taxes in the pure pricing core: each line taxed on its amount after its discount share,
half up to cents, with prices with or without tax. Examples, then hypothesis properties."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from grocery.core.final_bill import completed, final_bill, ready_to_ship
from grocery.core.fulfilment.zones import DeliveryTerms, FulfilmentMethod
from grocery.core.orders import Order, OrderStatus, order_from_cart
from grocery.core.pricing import CartLine, PricedCart, price_cart
from grocery.core.promotions import PromoCode
from grocery.core.taxes import ClassTax, TaxRate, line_tax
from tests.unit.picking_orders import being_picked, on_shelf, picked, piece
from tests.unit.test_pricing import NOW, cart_lines, fixed, line, percent, promos

D = Decimal
STANDARD = TaxRate("Standard", D(20))
REDUCED = TaxRate("Reduced", D("5.5"))


def taxed(price: str, quantity: int = 1, by: TaxRate | None = STANDARD) -> CartLine:
    return replace(line(price, quantity), taxed_by=by)


def test_a_line_is_taxed_after_its_share_of_the_discount() -> None:
    lines = [taxed("10.00"), taxed("30.00", by=REDUCED), taxed("5.00", by=None)]

    cart = price_cart(lines, fixed("9.00"), NOW, uses_by_customer=0, delivery=None)

    # 9.00 spread 2.00 / 6.00 / 1.00: 8.00 at 20 %, 24.00 at 5.5 %, 4.00 untaxed.
    assert [p.discount for p in cart.lines] == [D("2.00"), D("6.00"), D("1.00")]
    assert [p.tax for p in cart.lines] == [D("1.60"), D("1.32"), D("0.00")]
    assert cart.tax == D("2.92")
    assert cart.total == D("45.00") - D("9.00") + D("2.92")
    assert cart.taxes == (
        ClassTax("Reduced", D("5.5"), D("1.32")),
        ClassTax("Standard", D(20), D("1.60")),
    )


def test_with_prices_including_tax_the_total_stays_and_the_tax_is_the_included_part() -> None:
    cart = price_cart(
        [taxed("12.00"), taxed("10.55", by=REDUCED)], None, NOW, uses_by_customer=0, delivery=None
    )
    included = price_cart(
        [taxed("12.00"), taxed("10.55", by=REDUCED)],
        None,
        NOW,
        uses_by_customer=0,
        delivery=None,
        prices_include_tax=True,
    )

    assert cart.total == D("22.55") + D("2.40") + D("0.58")
    assert (included.total, included.tax) == (D("22.55"), D("2.00") + D("0.55"))
    assert included.prices_include_tax and not cart.prices_include_tax


def test_the_delivery_fee_is_not_taxed() -> None:
    terms = DeliveryTerms(method=FulfilmentMethod.DELIVERY, fee=D("4.99"))

    cart = price_cart([taxed("10.00")], None, NOW, uses_by_customer=0, delivery=terms)

    assert (cart.delivery_fee, cart.tax, cart.total) == (D("4.99"), D("2.00"), D("16.99"))


def test_an_unavailable_line_is_not_taxed_and_a_zero_rate_still_shows() -> None:
    exempt = TaxRate("Exempt", D(0))
    lines = [replace(taxed("9.99"), available=False), taxed("3.00", by=exempt)]

    cart = price_cart(lines, None, NOW, uses_by_customer=0, delivery=None)

    assert [p.tax for p in cart.lines] == [D("0.00"), D("0.00")]
    assert cart.taxes == (ClassTax("Exempt", D(0), D("0.00")),)


def test_tax_rounds_half_up_to_the_cent() -> None:
    assert line_tax(D("0.25"), D(10), included=False) == D("0.03")  # 0.025
    assert line_tax(D("0.05"), D(10), included=False) == D("0.01")  # 0.005
    assert line_tax(D("1.10"), D(10), included=True) == D("0.10")
    assert line_tax(D("0.11"), D(10), included=True) == D("0.01")  # 0.01 exactly


# --- properties ---------------------------------------------------------------

rates = st.integers(0, 100_000).map(lambda r: D(r) / 1000)  # 0 .. 100 %, three places
tax_rates = st.none() | st.builds(TaxRate, st.sampled_from(["Standard", "Reduced"]), rates)
taxed_lines = cart_lines.flatmap(
    lambda lines: st.lists(tax_rates, min_size=len(lines), max_size=len(lines)).map(
        lambda by: [replace(item, taxed_by=b) for item, b in zip(lines, by, strict=True)]
    )
)
fees = st.none() | st.builds(
    DeliveryTerms,
    method=st.just(FulfilmentMethod.DELIVERY),
    fee=st.integers(0, 2_000).map(lambda c: D(c) / 100),
)


def priced(lines: list[CartLine], promo: object, fee: object, included: bool) -> PricedCart:
    code = promo if isinstance(promo, type(percent("1"))) else None
    terms = fee if isinstance(fee, DeliveryTerms) else None
    try:
        return price_cart(
            lines, code, NOW, uses_by_customer=0, delivery=terms, prices_include_tax=included
        )
    except Exception:  # a code this cart can't use: price it without
        return price_cart(
            lines, None, NOW, uses_by_customer=0, delivery=terms, prices_include_tax=included
        )


def exact_tax(amount: Decimal, rate: Decimal, included: bool) -> Decimal:
    share = amount * rate / (100 + rate) if included else amount * rate / 100
    return share.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@given(taxed_lines, promos, fees, st.booleans())
def test_lines_add_up_to_the_totals(
    lines: list[CartLine], promo: object, fee: object, included: bool
) -> None:
    cart = priced(lines, promo, fee, included)

    assert sum(p.discount for p in cart.lines) == cart.discount  # the spread adds up
    assert sum(p.tax for p in cart.lines) == cart.tax
    assert sum(t.amount for t in cart.taxes) == cart.tax
    on_top = D(0) if included else cart.tax
    assert sum(p.line_total for p in cart.lines) + cart.delivery_fee + on_top == cart.total
    assert cart.total == cart.subtotal - cart.discount + cart.delivery_fee + on_top


@given(taxed_lines, promos, st.booleans())
def test_each_line_is_taxed_half_up_on_its_amount_after_its_discount(
    lines: list[CartLine], promo: object, included: bool
) -> None:
    cart = priced(lines, promo, None, included)

    for p, item in zip(cart.lines, lines, strict=True):
        rate = None if item.taxed_by is None else item.taxed_by.rate
        expected = D("0.00") if rate is None else exact_tax(p.line_total, rate, included)
        assert p.tax == expected
        assert D(0) <= p.tax <= p.line_total


@given(taxed_lines, promos)
def test_prices_with_tax_keep_the_total_and_include_less_than_is_added(
    lines: list[CartLine], promo: object
) -> None:
    without = priced(lines, promo, None, False)
    including = priced(lines, promo, None, True)

    assert including.total == without.total - without.tax
    assert including.tax <= without.tax


# --- the final bill -------------------------------------------------------------


def test_the_final_bill_taxes_what_was_handed_over_at_the_checkouts_rates() -> None:
    lines = [replace(piece("10.00", 2), taxed_by=STANDARD), replace(piece("4.00"), taxed_by=None)]
    order = being_picked(lines, percent("10"))
    order = picked(picked(order, 0, 1), 1, 1)

    bill = final_bill(order, percent("10"), D(10))

    # 14.00 picked, 1.40 off spread 1.00 / 0.40: 9.00 at 20 %, 3.60 untaxed.
    assert [(b.line_total, b.tax) for b in bill.lines] == [
        (D("9.00"), D("1.80")),
        (D("3.60"), D(0)),
    ]
    assert (bill.tax, bill.total) == (D("1.80"), D("12.60") + D("1.80"))
    assert (order.tax, order.total) == (D("3.60"), D("21.60") + D("3.60"))


def test_a_final_bill_with_tax_in_the_prices_keeps_it_in_the_total() -> None:
    lines = [replace(piece("12.00", 2), taxed_by=STANDARD)]
    cart = price_cart(lines, None, NOW, uses_by_customer=0, delivery=None, prices_include_tax=True)
    order = order_from_cart(
        cart, user_id=uuid4(), promo_code_id=None, fulfilment=None, currency="USD", now=NOW
    )
    order = replace(order, status=OrderStatus.PROCESSING)

    bill = final_bill(picked(order, 0, 1), None, D(10))

    assert (order.total, order.tax, order.prices_include_tax) == (D("24.00"), D("4.00"), True)
    assert (bill.subtotal, bill.tax, bill.total) == (D("12.00"), D("2.00"), D("12.00"))


def test_a_substitute_is_taxed_at_its_own_class_not_its_lines() -> None:
    order = being_picked([replace(piece("10.00", 2), taxed_by=STANDARD)], fixed("2.00"))
    # One of two picked; a reduced-rate substitute stands in for the other.
    substitute = replace(on_shelf("6.00"), taxed_by=REDUCED)
    order = picked(order, 0, 1, substitute=substitute)

    bill = final_bill(order, fixed("2.00"), D(10))

    # 16.00 handed over, 2.00 off spread 1.25 / 0.75: 8.75 at 20 %, 5.25 at 5.5 %.
    assert bill.lines[0].tax == D("1.75") + D("0.29")
    assert bill.tax == D("2.04")
    billed = completed(order, bill, NOW)
    assert billed.taxes == (
        ClassTax("Reduced", D("5.5"), D("0.29")),
        ClassTax("Standard", D(20), D("1.75")),
    )


def test_an_untaxed_substitute_adds_no_tax() -> None:
    order = being_picked([replace(piece("10.00", 2), taxed_by=STANDARD)])
    order = picked(order, 0, 1, substitute=on_shelf("6.00"))

    bill = final_bill(order, None, D(10))

    assert bill.tax == D("2.00")
    assert completed(order, bill, NOW).taxes == (ClassTax("Standard", D(20), D("2.00")),)


def test_shipping_picked_in_full_keeps_the_checkouts_tax() -> None:
    order = being_picked([replace(piece("10.00", 3), taxed_by=REDUCED)])

    shipped = ready_to_ship(order)

    assert shipped.final is not None
    assert (shipped.final.tax, shipped.final.total) == (order.tax, order.total)
    assert order.tax == D("1.65")
    assert order.taxes == (ClassTax("Reduced", D("5.5"), D("1.65")),)


@given(taxed_lines, st.booleans())
def test_a_bill_picked_in_full_is_taxed_as_at_checkout(
    lines: list[CartLine], included: bool
) -> None:
    on_sale = [replace(item, available=True, quantity=min(item.quantity, 20)) for item in lines]
    cart = price_cart(
        on_sale, None, NOW, uses_by_customer=0, delivery=None, prices_include_tax=included
    )
    order = order_from_cart(
        cart, user_id=uuid4(), promo_code_id=None, fulfilment=None, currency="USD", now=NOW
    )
    order = replace(order, status=OrderStatus.PROCESSING)
    for index, ordered in enumerate(order.lines):
        order = picked(order, index, ordered.quantity)

    bill = final_bill(order, None, D(10))

    assert sum(b.tax for b in bill.lines) == bill.tax == order.tax
    assert bill.total == order.total
    assert [b.tax for b in bill.lines] == [ordered.tax for ordered in order.lines]


@st.composite
def substituted_orders(draw: st.DrawFn) -> tuple[Order, PromoCode | None, bool]:
    """An order of taxed pieces, each picked short with a substitute of its own class."""
    lines = draw(
        st.lists(
            st.builds(
                taxed, st.sampled_from(["1.99", "4.50", "12.35"]), st.integers(2, 5), tax_rates
            ),
            min_size=1,
            max_size=4,
        )
    )
    promo = draw(st.none() | st.just(percent("15")) | st.just(fixed("1.00")))
    included = draw(st.booleans())
    cart = price_cart(
        [replace(item, available=True) for item in lines],
        promo,
        NOW,
        uses_by_customer=0,
        delivery=None,
        prices_include_tax=included,
    )
    order = order_from_cart(
        cart, user_id=uuid4(), promo_code_id=None, fulfilment=None, currency="USD", now=NOW
    )
    order = replace(order, status=OrderStatus.PROCESSING)
    for index, ordered in enumerate(order.lines):
        item = replace(on_shelf(draw(st.sampled_from(["0.99", "3.10"]))), taxed_by=draw(tax_rates))
        order = picked(order, index, draw(st.integers(0, ordered.quantity - 1)), substitute=item)
    return order, promo, included


@given(substituted_orders())
def test_each_substitute_is_taxed_half_up_at_its_own_rate(
    case: tuple[Order, PromoCode | None, bool],
) -> None:
    order, promo, included = case
    bill = final_bill(order, promo, D(10))

    for ordered, billed in zip(order.lines, bill.lines, strict=True):
        own_share, substitute_share = billed.discount_shares
        sub = ordered.pick.substitute if ordered.pick else None
        assert sub is not None
        own = (
            D(0)
            if ordered.taxed_by is None or not billed.picked_amount - own_share
            else exact_tax(billed.picked_amount - own_share, ordered.taxed_by.rate, included)
        )
        its = (
            D(0)
            if sub.taxed_by is None
            else exact_tax(billed.substitute_amount - substitute_share, sub.taxed_by.rate, included)
        )
        assert billed.tax == own + its
    taxes = completed(order, bill, NOW).taxes
    assert sum((by_class.amount for by_class in taxes), D(0)) == bill.tax
