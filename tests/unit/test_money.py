from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grocery.core.errors import Invalid
from grocery.core.money import cents, format_money, parse_money, spread

D = Decimal


def amounts(max_cents: int = 1_000_000, min_cents: int = 0) -> st.SearchStrategy[Decimal]:
    return st.integers(min_cents, max_cents).map(lambda c: D(c) / 100)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("2.675", "2.68"),
        ("2.674999", "2.67"),
        ("-0.005", "-0.01"),
        ("7", "7.00"),
    ],
)
def test_cents_rounds_half_up(raw: str, expected: str) -> None:
    assert str(cents(D(raw))) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", D("12.00")), ("12.5", D("12.50")), ("0.07", D("0.07")), ("0", D("0.00"))],
)
def test_parse_money_reads_exact_cent_amounts(text: str, expected: Decimal) -> None:
    parsed = parse_money(text, field="price")
    assert parsed == expected
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "text",
    ["12.505", "NaN", "Infinity", "inf", "1e3", " 12", "12 ", "+12", ".5", "5.", "", "1,50", "-1"],
)
def test_parse_money_refuses_anything_but_plain_cents(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_money(text, field="price")
    assert refused.value.errors[0]["field"] == "price"


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity"), D("1.001"), D("-2")])
def test_parse_money_refuses_bad_decimals(value: Decimal) -> None:
    with pytest.raises(Invalid):
        parse_money(value, field="value")


def test_parse_money_holds_an_amount_to_its_bound() -> None:
    assert parse_money("99.99", field="price", at_most=D("99.99")) == D("99.99")
    with pytest.raises(Invalid) as refused:
        parse_money("100.00", field="price", at_most=D("99.99"))
    assert refused.value.errors == [{"field": "price", "message": "must be at most 99.99"}]


def test_parse_money_takes_negative_amounts_only_when_asked() -> None:
    assert parse_money("-3.10", field="adjustment", allow_negative=True) == D("-3.10")
    assert parse_money(D("-3.1"), field="adjustment", allow_negative=True) == D("-3.10")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (D("12.5"), "12.50"),
        (D("0"), "0.00"),
        (D("-0.001"), "0.00"),
        (D("1234567.891"), "1234567.89"),
    ],
)
def test_format_money_gives_two_places(amount: Decimal, text: str) -> None:
    assert format_money(amount) == text


@given(amounts(min_cents=-1_000_000))
def test_format_then_parse_round_trips(amount: Decimal) -> None:
    assert parse_money(format_money(amount), field="x", allow_negative=True) == amount


def test_spread_puts_the_remainder_on_the_last_line() -> None:
    assert spread(D("10.00"), [D("5.00"), D("5.00"), D("5.00")]) == [
        D("3.33"),
        D("3.33"),
        D("3.34"),
    ]


def test_spread_rounds_each_share_half_up() -> None:
    # 1.00 * 1/8 = 0.125 -> 0.13 (half up, not to even); the last line takes the rest.
    assert spread(D("1.00"), [D("1.00"), D("7.00")]) == [D("0.13"), D("0.87")]


def test_spread_never_pushes_the_last_share_past_its_line() -> None:
    # Five shares of 16.9949 round down to 16.99, which would leave 15.02 for a 15.00 line.
    weights = [D("17.00")] * 5 + [D("15.00")]
    shares = spread(D("99.97"), weights)
    assert shares[-1] == D("15.00")
    assert sum(shares) == D("99.97")
    assert all(s <= w for s, w in zip(shares, weights, strict=True))


def test_spread_never_leaves_a_negative_share() -> None:
    # Three shares of 0.0066 round up to 0.01, which would leave -0.01 for the last line.
    weights = [D("1.00")] * 3 + [D("0.01")]
    shares = spread(D("0.02"), weights)
    assert sum(shares) == D("0.02")
    assert all(s >= 0 for s in shares)


def test_spread_over_nothing() -> None:
    assert spread(D("0.00"), []) == []
    assert spread(D("0.00"), [D("0.00"), D("0.00")]) == [D("0.00"), D("0.00")]


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        (D("5.01"), [D("2.00"), D("3.00")]),
        (D("-1.00"), [D("2.00")]),
        (D("1.00"), [D("2.00"), D("-1.00")]),
        (D("1.005"), [D("2.00")]),
        (D("1.00"), []),
    ],
)
def test_spread_refuses_impossible_requests(total: Decimal, weights: list[Decimal]) -> None:
    with pytest.raises(ValueError, match=r"whole cents|exceeds"):
        spread(total, weights)


@st.composite
def discount_and_lines(draw: st.DrawFn) -> tuple[Decimal, list[Decimal]]:
    weights = draw(st.lists(amounts(50_000), min_size=1, max_size=12))
    whole_cents = int(sum(weights) * 100)
    return draw(st.integers(0, whole_cents).map(lambda c: D(c) / 100)), weights


@given(discount_and_lines())
def test_spread_shares_add_up_and_fit_their_lines(case: tuple[Decimal, list[Decimal]]) -> None:
    total, weights = case
    shares = spread(total, weights)
    assert sum(shares) == total
    assert all(D(0) <= s <= w and s == cents(s) for s, w in zip(shares, weights, strict=True))


@given(discount_and_lines())
def test_spread_keeps_each_share_near_its_proportion(case: tuple[Decimal, list[Decimal]]) -> None:
    total, weights = case
    whole = sum(weights)
    shares = spread(total, weights)
    # Rounding moves a share by at most half a cent per line, and only the last line
    # (or, when clamped, its neighbours) collects those half cents.
    slack = D("0.005") * len(weights)
    for share, weight in zip(shares, weights, strict=True):
        exact = total * weight / whole if whole else D(0)
        assert abs(share - exact) <= slack


def test_a_minus_sign_is_refused_even_on_zero() -> None:
    with pytest.raises(Invalid):
        parse_money("-0", field="price")
    with pytest.raises(Invalid):
        parse_money("-0.00", field="price")
