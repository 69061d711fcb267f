"""Sales reports in the back office: the three reports as tables and charts over one set
of filters (days, category, interval), each downloadable as the API's CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from grocery.core.errors import Invalid
from grocery.core.ports.clock import Clock
from grocery.core.reports import SalesFilter, over_time_filter, sales_filter
from grocery.core.services.catalog import CatalogService
from grocery.core.services.reports import ReportService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.reports import (
    CategorySalesOut,
    Download,
    PeriodSalesOut,
    ProductSalesOut,
    csv_download,
)
from grocery.entrypoints.web.charts import bar_chart, line_chart
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.formats import StoreFormats
from grocery.entrypoints.web.rendering import field_errors, page

FirstDay = Annotated[str | None, QueryParameter(name="from")]
LastDay = Annotated[str | None, QueryParameter(name="to")]
DEFAULT_DAYS = 30
PRODUCTS_CHARTED = "10"


class ReportPages(Controller):
    path = "/reports"
    guards = (staff_only,)

    @get("/")
    async def reports_page(
        self,
        request: Request[Any, Any, Any],
        reports: Injected[ReportService],
        catalog: Injected[CatalogService],
        clock: Injected[Clock],
        formats: Injected[StoreFormats],
        first_day: FirstDay = None,
        last_day: LastDay = None,
        category: FromQuery[str | None] = None,
        interval: FromQuery[str | None] = None,
    ) -> Template:
        if first_day is None and last_day is None:  # a first visit: the last 30 days
            today = formats.today(clock.now())
            first_day = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
            last_day = today.isoformat()
        values = {
            "from": first_day or "",
            "to": last_day or "",
            "category": category or "",
            "interval": interval or "day",
        }
        shown: dict[str, Any] = {"values": values, "categories": await catalog.categories()}
        try:
            over = over_time_filter(
                interval=interval, category=category, first_day=first_day, last_day=last_day
            )
            chosen = _filter(values, limit=None)
            top = await reports.sales_by_product(_filter(values, limit=PRODUCTS_CHARTED))
            bottom = await reports.sales_by_product(
                _filter(values, limit=PRODUCTS_CHARTED, sort="least")
            )
        except Invalid as refused:
            return page(request, "reports.html", status=422, errors=field_errors(refused), **shown)
        periods = (await reports.sales_over_time(over)).rows
        categories = (await reports.sales_by_category(chosen)).rows
        return page(
            request,
            "reports.html",
            errors={},
            periods=periods,
            over_time=line_chart([(row.period.isoformat(), row.revenue) for row in periods]),
            top=top.rows,
            top_chart=bar_chart([(row.product_name, row.revenue) for row in top.rows]),
            bottom=bottom.rows,
            by_category=categories,
            category_chart=bar_chart([(row.category.name, row.revenue) for row in categories]),
            **shown,
        )

    @get(["/sales-by-product.csv", "/sales-by-category.csv", "/sales-over-time.csv"])
    async def download(
        self,
        request: Request[Any, Any, Any],
        reports: Injected[ReportService],
        first_day: FirstDay = None,
        last_day: LastDay = None,
        category: FromQuery[str | None] = None,
        interval: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Download:
        """The API's CSV of one report, under the page's filters."""
        name = request.url.path.rpartition("/")[2].removesuffix(".csv")
        if name == "sales-over-time":
            over = over_time_filter(
                interval=interval, category=category, first_day=first_day, last_day=last_day
            )
            rows = (await reports.sales_over_time(over)).rows
            return csv_download(name, over, PeriodSalesOut, [PeriodSalesOut.of(r) for r in rows])
        wanted = sales_filter(
            sort=sort, category=category, first_day=first_day, last_day=last_day, limit="1000"
        )
        if name == "sales-by-category":
            found = (await reports.sales_by_category(wanted)).rows
            return csv_download(
                name, wanted, CategorySalesOut, [CategorySalesOut.of(r) for r in found]
            )
        sold = (await reports.sales_by_product(wanted)).rows
        return csv_download(name, wanted, ProductSalesOut, [ProductSalesOut.of(r) for r in sold])


def _filter(values: dict[str, str], *, limit: str | None, sort: str | None = None) -> SalesFilter:
    return sales_filter(
        sort=sort,
        category=values["category"] or None,
        first_day=values["from"] or None,
        last_day=values["to"] or None,
        limit=limit,
    )
