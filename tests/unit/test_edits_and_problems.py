"""The two conventions every form in core follows: problems gathered and raised once, and
KEEP for a field an edit leaves as it is."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grocery.core.edits import KEEP, changed, keep_if_none, kept, left_out
from grocery.core.errors import Invalid, Problems, field_error, invalid
from grocery.core.money import parse_money
from grocery.core.promotions import PromoEdit


def test_problems_gather_every_field_and_raise_once() -> None:
    problems = Problems([field_error("code", "is taken")])
    problems.add("name", "must be 1 to 120 characters")
    problems.add("slug", None)  # nothing wrong
    price = problems.read(lambda: parse_money("12.505", field="price"), Decimal(0))

    with pytest.raises(Invalid) as refused:
        problems.raise_if_any("The product is not valid.")

    assert price == Decimal(0)
    assert refused.value.detail == "The product is not valid."
    assert [error["field"] for error in refused.value.errors] == ["code", "name", "price"]
    assert problems.fields == {"code", "name", "price"}


def test_no_problems_raise_nothing_and_a_good_read_is_kept() -> None:
    problems = Problems()
    assert problems.read(lambda: parse_money("3.50", field="price"), None) == Decimal("3.50")
    problems.raise_if_any("never")
    assert problems.errors == []


def test_the_summary_lists_each_problem_in_order() -> None:
    problems = Problems()
    problems.add("to", "must not be before from")
    problems.add("limit", "must be a whole number")
    assert problems.summary == "to must not be before from; limit must be a whole number"


def test_one_field_refused_names_it_in_detail_and_errors() -> None:
    refusal = invalid("quantity", "must be between 1 and 999")
    assert refusal.detail == "quantity must be between 1 and 999"
    assert refusal.errors == [{"field": "quantity", "message": "must be between 1 and 999"}]


def test_a_field_error_carries_the_facts_a_client_acts_on() -> None:
    error = field_error("items", "short", product_id="p1", available=2)
    assert error == {"field": "items", "message": "short", "product_id": "p1", "available": 2}


def test_keep_leaves_a_field_as_it_is_and_none_is_a_value() -> None:
    assert kept(KEEP, "old") == "old"
    assert kept(None, "old") is None  # None clears a field that may be empty
    assert kept("new", "old") == "new"


def test_changed_checks_only_what_was_sent() -> None:
    checked: list[int] = []

    def check(value: int) -> int:
        checked.append(value)
        return value * 2

    assert changed(KEEP, 5, check) == 5
    assert changed(3, 5, check) == 6
    assert checked == [3]


def test_a_form_that_cannot_clear_fields_reads_null_as_left_out() -> None:
    assert keep_if_none(None) is KEEP
    assert keep_if_none(0) == 0


def test_left_out_names_each_required_field_missing() -> None:
    missing = left_out(PromoEdit(code="SAVE"), ("code", "discount_type", "value"))
    assert [error["field"] for error in missing.errors] == ["discount_type", "value"]
    assert all(error["message"] == "is required" for error in missing.errors)
