from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from grocery.core.errors import Invalid
from grocery.core.promotions import (
    DiscountType,
    PromoCode,
    PromoRejected,
    PromoRejection,
    check_usable,
    normalise_code,
    promo_discount,
    promo_not_found,
    validate_promo_terms,
)

D = Decimal
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PRODUCE = uuid4()


def promo(**terms: object) -> PromoCode:
    base = PromoCode(
        id=uuid4(),
        code="SAVE10",
        discount_type=DiscountType.PERCENT,
        value=D("10"),
        created_at=NOW - timedelta(days=30),
    )
    return replace(base, **terms)  # type: ignore[arg-type]


def rejection(code: PromoCode, **cart: object) -> PromoRejection:
    usage: dict[str, object] = {
        "subtotal_eligible": D("50.00"),
        "subtotal": D("50.00"),
        "now": NOW,
        "uses_by_customer": 0,
    }
    with pytest.raises(PromoRejected) as rejected:
        check_usable(code, **(usage | cart))  # type: ignore[arg-type]
    assert rejected.value.code == rejected.value.reason.value
    return rejected.value.reason


def invalid_fields(code: PromoCode) -> set[object]:
    with pytest.raises(Invalid) as refused:
        validate_promo_terms(code)
    return {error["field"] for error in refused.value.errors}


# --- terms of a new or edited code ---


def test_valid_terms_come_back_with_the_code_in_upper_case() -> None:
    checked = validate_promo_terms(promo(code=" summer-sale_25 ", value=D("100")))
    assert checked.code == "SUMMER-SALE_25"
    assert normalise_code("Save10") == normalise_code("SAVE10")


@pytest.mark.parametrize("code", ["", "   ", "A" * 41, "SAVE 10", "SAVE10!", "ÉTÉ", "straße"])
def test_code_must_be_short_plain_characters(code: str) -> None:
    assert invalid_fields(promo(code=code)) == {"code"}


def test_code_of_forty_characters_is_fine() -> None:
    assert validate_promo_terms(promo(code="a" * 40)).code == "A" * 40


@pytest.mark.parametrize("value", [D("0"), D("-5"), D("100.01")])
def test_percent_must_be_above_zero_and_at_most_a_hundred(value: Decimal) -> None:
    assert invalid_fields(promo(value=value)) == {"value"}


@pytest.mark.parametrize("value", [D("0"), D("-0.01")])
def test_fixed_value_must_be_positive(value: Decimal) -> None:
    assert invalid_fields(promo(discount_type=DiscountType.FIXED, value=value)) == {"value"}


def test_fixed_value_may_exceed_a_hundred() -> None:
    validate_promo_terms(promo(discount_type=DiscountType.FIXED, value=D("250.00")))


@pytest.mark.parametrize("gap", [timedelta(0), timedelta(hours=-1)])
def test_expiry_must_come_after_the_start(gap: timedelta) -> None:
    assert invalid_fields(promo(starts_at=NOW, expires_at=NOW + gap)) == {"expires_at"}


def test_times_must_carry_a_zone() -> None:
    naive = datetime(2025, 6, 1, 12, 0)  # a naive time, the point of the test
    assert invalid_fields(promo(starts_at=naive, expires_at=naive)) == {"starts_at", "expires_at"}


def test_every_broken_term_is_reported_at_once() -> None:
    broken = promo(
        code="no spaces",
        value=D("0"),
        min_order_amount=D("-1.00"),
        max_discount=D("-0.01"),
        max_uses=0,
        max_uses_per_customer=0,
    )
    assert invalid_fields(broken) == {
        "code",
        "value",
        "min_order_amount",
        "max_discount",
        "max_uses",
        "max_uses_per_customer",
    }


def test_zero_minimum_and_single_use_are_fine() -> None:
    validate_promo_terms(
        promo(min_order_amount=D("0"), max_discount=D("0"), max_uses=1, max_uses_per_customer=1)
    )


# --- whether a cart may use a code now: one test per reason ---


def test_a_usable_code_passes() -> None:
    check_usable(
        promo(
            starts_at=NOW - timedelta(days=1),
            expires_at=NOW + timedelta(days=1),
            min_order_amount=D("50.00"),
            max_uses=5,
            times_used=4,
            max_uses_per_customer=2,
            category_ids=frozenset({PRODUCE}),
        ),
        subtotal_eligible=D("0.01"),
        subtotal=D("50.00"),
        now=NOW,
        uses_by_customer=1,
    )


def test_promo_not_found_is_ready_for_callers() -> None:
    error = promo_not_found()
    assert isinstance(error, Invalid)
    assert error.code == "promo_not_found"


def test_promo_inactive() -> None:
    assert rejection(promo(is_active=False)) == "promo_inactive"


def test_promo_not_started() -> None:
    assert rejection(promo(starts_at=NOW + timedelta(seconds=1))) == "promo_not_started"


def test_promo_expired_at_its_expiry_moment() -> None:
    assert rejection(promo(expires_at=NOW)) == "promo_expired"


def test_promo_min_order_not_met_counts_the_whole_cart() -> None:
    scoped = promo(min_order_amount=D("30.00"), category_ids=frozenset({PRODUCE}))
    assert (
        rejection(scoped, subtotal_eligible=D("5.00"), subtotal=D("29.99"))
        == "promo_min_order_not_met"
    )
    check_usable(
        scoped, subtotal_eligible=D("5.00"), subtotal=D("30.00"), now=NOW, uses_by_customer=0
    )


def test_promo_usage_limit_reached() -> None:
    assert rejection(promo(max_uses=3, times_used=3)) == "promo_usage_limit_reached"


def test_promo_customer_limit_reached() -> None:
    limited = promo(max_uses_per_customer=1)
    assert rejection(limited, uses_by_customer=1) == "promo_customer_limit_reached"


def test_promo_not_applicable_without_a_line_in_its_categories() -> None:
    scoped = promo(category_ids=frozenset({PRODUCE}))
    assert rejection(scoped, subtotal_eligible=D("0.00")) == "promo_not_applicable"


def test_every_reason_code_is_the_contracts() -> None:
    assert {r.value for r in PromoRejection} == {
        "promo_not_found",
        "promo_inactive",
        "promo_not_started",
        "promo_expired",
        "promo_min_order_not_met",
        "promo_usage_limit_reached",
        "promo_customer_limit_reached",
        "promo_not_applicable",
    }


# --- how much a code takes off ---


def test_percent_discount_rounds_half_up() -> None:
    # 15% of 0.30 is 0.045.
    assert promo_discount(promo(value=D("15")), D("0.30")) == D("0.05")


def test_percent_discount_is_capped_by_max_discount() -> None:
    assert promo_discount(promo(value=D("50"), max_discount=D("20.00")), D("100.00")) == D("20.00")


def test_fixed_discount_never_exceeds_what_it_applies_to() -> None:
    fixed = promo(discount_type=DiscountType.FIXED, value=D("15.00"))
    assert promo_discount(fixed, D("9.99")) == D("9.99")
    assert promo_discount(fixed, D("40.00")) == D("15.00")


def test_covers_every_category_unless_scoped() -> None:
    assert promo().covers(uuid4())
    scoped = promo(category_ids=frozenset({PRODUCE}))
    assert scoped.covers(PRODUCE)
    assert not scoped.covers(uuid4())
