"""Report filters: what a manager may ask for, and the UTC bounds of the store's local days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from grocery.core.errors import Invalid
from grocery.core.reports import (
    DEFAULT_REPORT_LIMIT,
    Interval,
    PeriodSales,
    SalesFilter,
    SalesQuery,
    SalesSort,
    local_midnight,
    over_time_filter,
    periods_between,
    revenue_since,
    sales_filter,
)


def refused_fields(**params: str) -> set[str]:
    with pytest.raises(Invalid) as refusal:
        sales_filter(**params)
    assert refusal.value.code == "validation_error"
    return {str(error["field"]) for error in refusal.value.errors}


def test_nothing_asked_means_most_sold_first_fifty_all_time_by_day() -> None:
    assert sales_filter() == SalesFilter(
        category=None,
        first_day=None,
        last_day=None,
        sort=SalesSort.MOST,
        limit=DEFAULT_REPORT_LIMIT,
        interval=Interval.DAY,
    )
    assert DEFAULT_REPORT_LIMIT == 50


def test_values_are_read_leniently_as_to_case_and_blanks() -> None:
    wanted = sales_filter(
        sort=" LEAST ",
        category="  Fruits ",
        first_day="2026-01-01",
        last_day="2026-01-01",
        limit="1000",
        interval="Month",
    )
    assert wanted == SalesFilter(
        category="Fruits",
        first_day=date(2026, 1, 1),
        last_day=date(2026, 1, 1),
        sort=SalesSort.LEAST,
        limit=1000,
        interval=Interval.MONTH,
    )
    assert sales_filter(category="  ", first_day="", limit="") == sales_filter()
    widest = sales_filter(first_day="1900-01-01", last_day="2999-12-31")
    assert query_of(widest, "Asia/Tokyo").until == datetime(2999, 12, 31, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "best"}, "sort"),
        ({"interval": "hour"}, "interval"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "5.0"}, "limit"),
        ({"first_day": "2026-02-30"}, "from"),
        ({"first_day": "20260101"}, "from"),
        ({"last_day": "2026-W01-1"}, "to"),
        ({"last_day": "yesterday"}, "to"),
        ({"first_day": "0001-01-01"}, "from"),
        ({"last_day": "9999-12-31"}, "to"),
        ({"first_day": "2026-01-02", "last_day": "2026-01-01"}, "to"),
    ],
)
def test_each_bad_value_is_refused_naming_its_parameter(params: dict[str, str], field: str) -> None:
    assert refused_fields(**params) == {field}


def test_every_problem_is_named_at_once_with_a_readable_detail() -> None:
    with pytest.raises(Invalid) as refusal:
        sales_filter(sort="best", interval="hour", limit="0", first_day="soon")
    assert {str(e["field"]) for e in refusal.value.errors} == {"sort", "interval", "limit", "from"}
    assert "interval must be one of day, week, month" in refusal.value.detail


def query(first: str | None, last: str | None, timezone: str) -> SalesQuery:
    return query_of(sales_filter(first_day=first, last_day=last), timezone)


def query_of(wanted: SalesFilter, timezone: str) -> SalesQuery:
    return SalesQuery(wanted, None, timezone)


def test_days_become_half_open_utc_bounds() -> None:
    march = query("2026-03-01", "2026-03-31", "UTC")
    assert march.since == datetime(2026, 3, 1, tzinfo=UTC)
    assert march.until == datetime(2026, 4, 1, tzinfo=UTC)
    assert query(None, None, "UTC").since is None
    assert query(None, None, "UTC").until is None


def test_local_days_follow_the_stores_zone_across_a_dst_change() -> None:
    # New York moves its clocks forward on 8 March 2026: that day is 23 hours long.
    day = query("2026-03-08", "2026-03-08", "America/New_York")
    assert day.since == datetime(2026, 3, 8, 5, tzinfo=UTC)  # EST, UTC-5
    assert day.until == datetime(2026, 3, 9, 4, tzinfo=UTC)  # EDT, UTC-4


def test_a_midnight_the_clocks_skip_starts_the_day_at_the_first_real_instant() -> None:
    # Santiago jumps from 00:00 to 01:00 on 6 September 2026 (UTC-4 to UTC-3).
    assert local_midnight(date(2026, 9, 6), "America/Santiago") == datetime(
        2026, 9, 6, 4, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("first", "last", "interval", "count"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), Interval.DAY, 1),
        (date(2026, 1, 1), date(2026, 12, 31), Interval.DAY, 365),
        (date(2026, 3, 1), date(2026, 3, 2), Interval.WEEK, 2),  # Sunday, then Monday
        (date(2026, 3, 2), date(2026, 3, 8), Interval.WEEK, 1),  # Monday to Sunday
        (date(2025, 12, 31), date(2026, 1, 1), Interval.MONTH, 2),
        (date(2026, 1, 1), date(2026, 1, 31), Interval.MONTH, 1),
    ],
)
def test_periods_between_counts_the_periods_both_days_fall_in(
    first: date, last: date, interval: Interval, count: int
) -> None:
    assert periods_between(first, last, interval) == count


def test_over_time_refuses_more_periods_than_a_report_holds() -> None:
    within = over_time_filter(first_day="2026-01-01", last_day="2028-09-26")  # 1000 days
    assert within.interval is Interval.DAY
    with pytest.raises(Invalid) as refusal:
        over_time_filter(first_day="2026-01-01", last_day="2028-09-27")
    assert refusal.value.errors == [
        {"field": "interval", "message": "spans 1001 days; at most 1000 fit a report"}
    ]
    assert over_time_filter(first_day="2000-01-01", last_day="2049-12-31", interval="month")


def test_revenue_since_adds_the_periods_from_that_day_on() -> None:
    days = [
        PeriodSales(date(2030, 5, day), orders=1, units=1, revenue=Decimal(amount))
        for day, amount in [(1, "10.00"), (2, "0.10"), (3, "0.205"), (4, "5")]
    ]
    assert revenue_since(days, date(2030, 5, 2)) == Decimal("5.31")
    assert revenue_since(days, date(2030, 5, 5)) == Decimal("0.00")
