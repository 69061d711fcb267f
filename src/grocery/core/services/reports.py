"""Sales reports for managers: find the category a filter names, then read one report.

Reports only read, so they go straight to the ReportReader rather than through a unit of work.
"""

from __future__ import annotations

from grocery.core.ports.reports import ReportReader
from grocery.core.reports import (
    CategorySales,
    PeriodSales,
    ProductSales,
    SalesFilter,
    SalesQuery,
    SalesReport,
    unknown_category,
)


class ReportService:
    def __init__(self, *, reader: ReportReader, timezone: str, currency: str) -> None:
        self._reader = reader
        self._timezone = timezone
        self._currency = currency

    async def sales_by_product(self, wanted: SalesFilter) -> SalesReport[ProductSales]:
        rows = await self._reader.sales_by_product(await self._query(wanted))
        return SalesReport(rows, self._currency)

    async def sales_by_category(self, wanted: SalesFilter) -> SalesReport[CategorySales]:
        rows = await self._reader.sales_by_category(await self._query(wanted))
        return SalesReport(rows, self._currency)

    async def sales_over_time(self, wanted: SalesFilter) -> SalesReport[PeriodSales]:
        rows = await self._reader.sales_over_time(await self._query(wanted))
        return SalesReport(rows, self._currency)

    async def _query(self, wanted: SalesFilter) -> SalesQuery:
        """Invalid (422) for a category nobody has, rather than an empty report."""
        if wanted.category is None:
            return SalesQuery(wanted, None, self._timezone)
        category = await self._reader.category(wanted.category)
        if category is None:
            raise unknown_category(wanted.category)
        return SalesQuery(wanted, category.id, self._timezone)
