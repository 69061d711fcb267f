"""The report service: it finds the category a filter names and reads in the store's zone."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from grocery.core.catalog import Category
from grocery.core.errors import Invalid
from grocery.core.reports import (
    CategorySales,
    PeriodSales,
    ProductSales,
    SalesQuery,
    sales_filter,
)
from grocery.core.services.reports import ReportService

FRUIT = Category(uuid4(), "Fruit", "fruit")
APPLE = ProductSales(uuid4(), "Apple", FRUIT, 3, Decimal("6.00"), 2)


class FakeReportReader:
    """Knows one category by id, slug or name; remembers the queries it was given."""

    def __init__(self) -> None:
        self.queries: list[SalesQuery] = []

    async def category(self, ref: str) -> Category | None:
        known = {str(FRUIT.id), FRUIT.slug, FRUIT.name.lower()}
        return FRUIT if ref.lower() in known else None

    async def sales_by_product(self, query: SalesQuery) -> list[ProductSales]:
        self.queries.append(query)
        return [APPLE]

    async def sales_by_category(self, query: SalesQuery) -> list[CategorySales]:
        self.queries.append(query)
        return [CategorySales(FRUIT, 3, Decimal("6.00"), 2)]

    async def sales_over_time(self, query: SalesQuery) -> list[PeriodSales]:
        self.queries.append(query)
        return []


@pytest.fixture
def reader() -> FakeReportReader:
    return FakeReportReader()


@pytest.fixture
def reports(reader: FakeReportReader) -> ReportService:
    return ReportService(reader=reader, timezone="Europe/Paris", currency="EUR")


async def test_a_named_category_is_read_by_its_id_in_the_stores_zone(
    reports: ReportService, reader: FakeReportReader
) -> None:
    wanted = sales_filter(category="FRUIT", first_day="2026-06-01")
    report = await reports.sales_by_product(wanted)
    assert (report.rows, report.currency) == ([APPLE], "EUR")
    assert reader.queries == [SalesQuery(wanted, FRUIT.id, "Europe/Paris")]


async def test_without_a_category_every_category_is_read(
    reports: ReportService, reader: FakeReportReader
) -> None:
    await reports.sales_by_category(sales_filter())
    await reports.sales_over_time(sales_filter(interval="week"))
    assert [query.category_id for query in reader.queries] == [None, None]


@pytest.mark.parametrize("report", ["sales_by_product", "sales_by_category", "sales_over_time"])
async def test_an_unknown_category_is_refused_rather_than_reported_empty(
    reports: ReportService, reader: FakeReportReader, report: str
) -> None:
    with pytest.raises(Invalid) as refusal:
        await getattr(reports, report)(sales_filter(category="Vegetables"))
    assert refusal.value.errors == [
        {"field": "category", "message": "no category has this id, slug or name"}
    ]
    assert reader.queries == []
