"""Sales reports: what a manager may ask for, checked, and the rows the answers are made of.

Days are the store's local days (GROCERY_TIMEZONE), both ends inclusive; a query turns them
into half-open UTC bounds [since, until), so an order placed at local midnight counts on the
day it starts. Counting rules (cancelled orders left out, revenue net of discounts, tax as
billed, products and categories without sales as zeros) live in the SQL adapter's single query per report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from grocery.core.catalog import Category
from grocery.core.errors import Invalid, Problems, field_error
from grocery.core.money import ZERO, cents

DEFAULT_REPORT_LIMIT = 50
MAX_REPORT_LIMIT = 1000
# Any shop's history fits; the ends of Python's calendar would overflow in UTC.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[0-9]+")


class SalesSort(StrEnum):
    MOST = "most"  # most units sold first
    LEAST = "least"  # fewest first, so products that sold nothing lead


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, starting on Monday
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class SalesFilter:
    """A manager's report request, checked. `category` is a reference as typed: id, slug or name."""

    category: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    sort: SalesSort = SalesSort.MOST
    limit: int = DEFAULT_REPORT_LIMIT
    interval: Interval = Interval.DAY


@dataclass(frozen=True, slots=True)
class SalesQuery:
    """What a report reads: the filter, its category found, its days in the store's zone."""

    filter: SalesFilter
    category_id: UUID | None
    timezone: str

    @property
    def since(self) -> datetime | None:
        """The first instant counted (UTC), or None for "since the shop opened"."""
        day = self.filter.first_day
        return None if day is None else local_midnight(day, self.timezone)

    @property
    def until(self) -> datetime | None:
        """The first instant no longer counted (UTC): the local midnight after the last day."""
        day = self.filter.last_day
        return None if day is None else local_midnight(day + timedelta(days=1), self.timezone)


def local_midnight(day: date, timezone: str) -> datetime:
    """When `day` starts in the zone, as UTC. Where midnight is skipped (a DST jump at 00:00)
    the day starts at the first instant that exists, which is what fold=0 resolves to."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def sales_filter(
    *,
    sort: str | None = None,
    category: str | None = None,
    first_day: str | None = None,
    last_day: str | None = None,
    limit: str | None = None,
    interval: str | None = None,
) -> SalesFilter:
    """Query-string values made into a SalesFilter, or Invalid naming every bad one."""
    problems = Problems()
    start = _day(problems, first_day, "from")
    end = _day(problems, last_day, "to")
    if start is not None and end is not None and start > end:
        problems.add("to", "must not be before from")
    checked = SalesFilter(
        category=(category or "").strip() or None,
        first_day=start,
        last_day=end,
        sort=_choice(problems, SalesSort, sort, SalesSort.MOST, "sort"),
        limit=_limit(problems, limit),
        interval=_choice(problems, Interval, interval, Interval.DAY, "interval"),
    )
    problems.raise_if_any(f"The report's filters are not valid: {problems.summary}.")
    return checked


def over_time_filter(
    *,
    interval: str | None = None,
    category: str | None = None,
    first_day: str | None = None,
    last_day: str | None = None,
) -> SalesFilter:
    """As sales_filter, and a range of at most MAX_REPORT_LIMIT periods: every period in it
    is a row, sold or not, so a century by day would be a report nobody can read."""
    wanted = sales_filter(
        interval=interval, category=category, first_day=first_day, last_day=last_day
    )
    if wanted.first_day and wanted.last_day:
        count = periods_between(wanted.first_day, wanted.last_day, wanted.interval)
        if count > MAX_REPORT_LIMIT:
            message = f"spans {count} {wanted.interval}s; at most {MAX_REPORT_LIMIT} fit a report"
            raise Invalid(
                f"The range {message}: choose a longer interval or fewer days.",
                errors=[field_error("interval", message)],
            )
    return wanted


def periods_between(first: date, last: date, interval: Interval) -> int:
    """How many periods from the one holding `first` to the one holding `last`, both counted."""
    if interval is Interval.MONTH:
        return (last.year - first.year) * 12 + last.month - first.month + 1
    if interval is Interval.WEEK:
        return (last.toordinal() - last.weekday() - first.toordinal() + first.weekday()) // 7 + 1
    return (last - first).days + 1


def unknown_category(ref: str) -> Invalid:
    return Invalid(
        f"There is no category {ref!r}.",
        errors=[field_error("category", "no category has this id, slug or name")],
    )


Choice = TypeVar("Choice", SalesSort, Interval)


def _day(problems: Problems, raw: str | None, field: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError:  # the right shape but no such day: 2026-02-30
        day = None
    if day is None:
        problems.add(field, "must be a date as YYYY-MM-DD")
    elif not FIRST_DAY <= day <= LAST_DAY:
        problems.add(field, f"must be a day from {FIRST_DAY} to {LAST_DAY}")
        day = None
    return day


def _choice(
    problems: Problems, kind: type[Choice], raw: str | None, default: Choice, field: str
) -> Choice:
    text = (raw or "").strip().lower()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        problems.add(field, f"must be one of {', '.join(kind)}")
        return default


def _limit(problems: Problems, raw: str | None) -> int:
    text = (raw or "").strip()
    if not text:
        return DEFAULT_REPORT_LIMIT
    if _WHOLE.fullmatch(text) and 1 <= int(text) <= MAX_REPORT_LIMIT:
        return int(text)
    problems.add("limit", f"must be a whole number from 1 to {MAX_REPORT_LIMIT}")
    return DEFAULT_REPORT_LIMIT


# --- rows ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductSales:
    product_id: UUID
    product_name: str
    category: Category
    units_sold: int
    revenue: Decimal  # net of discounts
    orders: int  # distinct orders that had the product
    tax: Decimal = ZERO  # the tax on what was sold: the final bill's once picked


@dataclass(frozen=True, slots=True)
class CategorySales:
    category: Category
    units_sold: int
    revenue: Decimal
    orders: int  # distinct orders with anything from the category
    tax: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class PeriodSales:
    period: date  # the local day the period starts on
    orders: int
    units: int
    revenue: Decimal
    tax: Decimal = ZERO


Row = TypeVar("Row", ProductSales, CategorySales, PeriodSales)


@dataclass(frozen=True, slots=True)
class SalesReport(Generic[Row]):
    rows: list[Row]
    currency: str  # the store's, which every amount is in


def revenue_since(periods: list[PeriodSales], first_day: date) -> Decimal:
    """What the periods starting on or after `first_day` took, to the cent (the dashboard's
    "today" and "last 7 days")."""
    return cents(sum((row.revenue for row in periods if row.period >= first_day), ZERO))
