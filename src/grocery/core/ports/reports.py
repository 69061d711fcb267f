"""Sales reports."""

from __future__ import annotations

from typing import Protocol

from grocery.core.catalog import Category
from grocery.core.reports import CategorySales, PeriodSales, ProductSales, SalesQuery


class ReportReader(Protocol):
    """Sales figures for managers: one aggregate query per report, outside any unit of work.

    Cancelled orders don't count; revenue is the lines' totals, net of discounts.
    """

    async def category(self, ref: str) -> Category | None:
        """By id, slug or name, any case; a slug wins over another category's name."""
        ...

    async def sales_by_product(self, query: SalesQuery) -> list[ProductSales]:
        """Every product, unsold ones as zeros (archived ones only when they sold), in the
        query's sort with ties by name then id, at most its limit."""
        ...

    async def sales_by_category(self, query: SalesQuery) -> list[CategorySales]:
        """Every category, unsold ones as zeros, ordered like sales_by_product."""
        ...

    async def sales_over_time(self, query: SalesQuery) -> list[PeriodSales]:
        """One row per period of the query's interval, oldest first. Periods without sales
        come as zeros, from the first day (or first sale) to the last day (or last sale)."""
        ...
