"""Sales reports over HTTP, for managers: JSON by default; CSV with `format=csv` or
`Accept: text/csv`, streamed as a download.

A CSV row is the JSON item's fields in the same order, with the same values ("12.50",
"2026-01-05", ids as text), and its header row is the JSON field names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream
from litestar.response.base import ASGIResponse

from grocery.core.errors import Invalid
from grocery.core.money import format_money
from grocery.core.reports import (
    MAX_REPORT_LIMIT,
    CategorySales,
    Interval,
    PeriodSales,
    ProductSales,
    SalesFilter,
    SalesReport,
    SalesSort,
    over_time_filter,
    sales_filter,
)
from grocery.core.services.reports import ReportService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import documented_query
from grocery.entrypoints.http.guards import manager

CSV = "text/csv"
JSON = "application/json"

FirstDay = Annotated[
    str | None, documented_query("YYYY-MM-DD, inclusive", name="from", format=OpenAPIFormat.DATE)
]
LastDay = Annotated[
    str | None, documented_query("YYYY-MM-DD, inclusive", name="to", format=OpenAPIFormat.DATE)
]
AnswerFormat = Annotated[
    str | None,
    documented_query("json (the default) or csv", name="format", enum=["json", "csv"]),
]
SortBySales = Annotated[
    str | None, documented_query("most (the default) or least", enum=list(SalesSort))
]
Period = Annotated[
    str | None, documented_query("day (the default), week or month", enum=list(Interval))
]
RowLimit = Annotated[
    int | None,
    QueryParameter(ge=1, le=MAX_REPORT_LIMIT, description="Rows, 1 to 1000; 50 by default."),
]


class ProductSalesOut(msgspec.Struct):
    product_id: UUID
    product_name: str
    category: str  # the category's name
    category_id: UUID
    units_sold: int
    revenue: str
    tax: str
    orders: int

    @classmethod
    def of(cls, row: ProductSales) -> ProductSalesOut:
        return cls(
            product_id=row.product_id,
            product_name=row.product_name,
            category=row.category.name,
            category_id=row.category.id,
            units_sold=row.units_sold,
            revenue=format_money(row.revenue),
            tax=format_money(row.tax),
            orders=row.orders,
        )


class CategorySalesOut(msgspec.Struct):
    category_id: UUID
    category: str
    category_slug: str
    units_sold: int
    revenue: str
    tax: str
    orders: int

    @classmethod
    def of(cls, row: CategorySales) -> CategorySalesOut:
        return cls(
            category_id=row.category.id,
            category=row.category.name,
            category_slug=row.category.slug,
            units_sold=row.units_sold,
            revenue=format_money(row.revenue),
            tax=format_money(row.tax),
            orders=row.orders,
        )


class PeriodSalesOut(msgspec.Struct):
    period: date  # the day the period starts, in the store's time zone
    orders: int
    units: int
    revenue: str
    tax: str

    @classmethod
    def of(cls, row: PeriodSales) -> PeriodSalesOut:
        return cls(
            row.period, row.orders, row.units, format_money(row.revenue), format_money(row.tax)
        )


class SalesByProductOut(msgspec.Struct):
    items: list[ProductSalesOut]
    currency: str
    first_day: date | None = msgspec.field(name="from")
    last_day: date | None = msgspec.field(name="to")

    @classmethod
    def of(
        cls, items: list[ProductSalesOut], currency: str, wanted: SalesFilter
    ) -> SalesByProductOut:
        return cls(items, currency, wanted.first_day, wanted.last_day)


class SalesByCategoryOut(msgspec.Struct):
    items: list[CategorySalesOut]
    currency: str
    first_day: date | None = msgspec.field(name="from")
    last_day: date | None = msgspec.field(name="to")

    @classmethod
    def of(
        cls, items: list[CategorySalesOut], currency: str, wanted: SalesFilter
    ) -> SalesByCategoryOut:
        return cls(items, currency, wanted.first_day, wanted.last_day)


class SalesOverTimeOut(msgspec.Struct):
    items: list[PeriodSalesOut]
    interval: str
    currency: str
    first_day: date | None = msgspec.field(name="from")
    last_day: date | None = msgspec.field(name="to")

    @classmethod
    def of(
        cls, items: list[PeriodSalesOut], currency: str, wanted: SalesFilter
    ) -> SalesOverTimeOut:
        return cls(items, wanted.interval.value, currency, wanted.first_day, wanted.last_day)


Item = TypeVar("Item", ProductSalesOut, CategorySalesOut, PeriodSalesOut)
Body = TypeVar("Body", bound=msgspec.Struct)


def _answers(report: type[msgspec.Struct]) -> dict[int, ResponseSpec]:
    """The 200 as the JSON report: documented from the return annotation, `X | Download`
    would be oneOf[X, {}], which every JSON body matches twice."""
    return {
        200: ResponseSpec(data_container=report, description="The report", generate_examples=False)
    }


@dataclass
class _OrCsv(Operation):
    """An operation whose 200 also lists the CSV form of the report."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            text = Schema(type=OpenAPIType.STRING, description="a header row, then one per item")
            ok.content[CSV] = OpenAPIMediaType(schema=text)


class ReportController(Controller):
    path = "/reports"
    tags = ("reports",)
    guards = (manager,)

    @get("/sales-by-product", responses=_answers(SalesByProductOut), operation_class=_OrCsv)
    async def sales_by_product(
        self,
        request: Request[Any, Any, Any],
        reports: Injected[ReportService],
        first_day: FirstDay = None,
        last_day: LastDay = None,
        sort: SortBySales = None,
        category: FromQuery[str | None] = None,
        limit: RowLimit = None,
        answer_format: AnswerFormat = None,
    ) -> SalesByProductOut | Download:
        """Every product with units sold, revenue (net of discounts) and orders; unsold ones
        as zeros. `sort=most` (default) or `least`; `limit` 1..1000, default 50."""
        return await _answer(
            request,
            answer_format,
            lambda: sales_filter(
                sort=sort,
                category=category,
                first_day=first_day,
                last_day=last_day,
                limit=_typed(limit),
            ),
            reports.sales_by_product,
            ProductSalesOut,
            SalesByProductOut.of,
        )

    @get("/sales-by-category", responses=_answers(SalesByCategoryOut), operation_class=_OrCsv)
    async def sales_by_category(
        self,
        request: Request[Any, Any, Any],
        reports: Injected[ReportService],
        first_day: FirstDay = None,
        last_day: LastDay = None,
        sort: SortBySales = None,
        category: FromQuery[str | None] = None,
        limit: RowLimit = None,
        answer_format: AnswerFormat = None,
    ) -> SalesByCategoryOut | Download:
        """One row per category, unsold ones as zeros; the same filters as by product."""
        return await _answer(
            request,
            answer_format,
            lambda: sales_filter(
                sort=sort,
                category=category,
                first_day=first_day,
                last_day=last_day,
                limit=_typed(limit),
            ),
            reports.sales_by_category,
            CategorySalesOut,
            SalesByCategoryOut.of,
        )

    @get("/sales-over-time", responses=_answers(SalesOverTimeOut), operation_class=_OrCsv)
    async def sales_over_time(
        self,
        request: Request[Any, Any, Any],
        reports: Injected[ReportService],
        first_day: FirstDay = None,
        last_day: LastDay = None,
        interval: Period = None,
        category: FromQuery[str | None] = None,
        answer_format: AnswerFormat = None,
    ) -> SalesOverTimeOut | Download:
        """Orders, units and revenue per `interval` (day, the default, week or month), oldest
        first; periods without sales come as zeros. At most 1000 periods from `from` to `to`."""
        return await _answer(
            request,
            answer_format,
            lambda: over_time_filter(
                interval=interval, category=category, first_day=first_day, last_day=last_day
            ),
            reports.sales_over_time,
            PeriodSalesOut,
            SalesOverTimeOut.of,
        )


async def _answer(
    request: Request[Any, Any, Any],
    answer_format: str | None,
    wanted: Callable[[], SalesFilter],
    run: Callable[[SalesFilter], Awaitable[SalesReport[Any]]],
    item: type[Item],
    body: Callable[[list[Item], str, SalesFilter], Body],
) -> Body | Download:
    """One report's answer: the format is checked first, then the filter; the report runs
    and its rows go out as CSV (a file named after the route) or as the JSON body."""
    csv_wanted = _wants_csv(request, answer_format)
    chosen = wanted()
    report = await run(chosen)
    items = [item.of(row) for row in report.rows]
    if csv_wanted:
        return csv_download(_route_name(request), chosen, item, items)
    return body(items, report.currency, chosen)


def _route_name(request: Request[Any, Any, Any]) -> str:
    """The route's last path segment (sales-by-product, ...): the CSV file is named after it."""
    return request.url.path.rstrip("/").rpartition("/")[2]


def _typed(limit: int | None) -> str | None:
    """The core reads a limit as typed in a query string."""
    return None if limit is None else str(limit)


def _wants_csv(request: Request[Any, Any, Any], answer_format: str | None) -> bool:
    """`format` wins over the Accept header; without either the answer is JSON."""
    chosen = (answer_format or "").strip().lower()
    if chosen in ("csv", "json"):
        return chosen == "csv"
    if chosen:
        raise Invalid(
            "format must be json or csv.",
            errors=[{"field": "format", "message": "must be json or csv"}],
        )
    return request.accept.best_match([JSON, CSV], default=JSON) == CSV


class Download(Stream):
    """A Stream that keeps the media type it was given. Litestar's own Stream lets the
    handler's default (application/json for these handlers) win over it."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> ASGIResponse:
        return super().to_asgi_response(*args, **{**kwargs, "media_type": self.media_type})


def csv_download(
    report: str, wanted: SalesFilter, row: type[msgspec.Struct], items: Sequence[msgspec.Struct]
) -> Download:
    """The report as a CSV file (the back office offers the same downloads)."""
    return Download(
        _csv_lines(row, items),
        media_type=CSV,  # Litestar adds "; charset=utf-8" to text/*
        headers={"Content-Disposition": f'attachment; filename="{_file_name(report, wanted)}"'},
    )


async def _csv_lines(
    row: type[msgspec.Struct], items: Sequence[msgspec.Struct]
) -> AsyncIterator[str]:
    """The header row, then one line per item, each sent as soon as it is written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerow(field.encode_name for field in msgspec.structs.fields(row))
    yield _drain(buffer)
    for item in items:
        writer.writerow(
            _cell(value) for value in msgspec.to_builtins(msgspec.structs.astuple(item))
        )
        yield _drain(buffer)


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (a product named "=HYPERLINK(...)") gets a
    leading apostrophe, as OWASP advises for CSV exports; the JSON answer keeps it as is."""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _file_name(report: str, wanted: SalesFilter) -> str:
    """e.g. sales-by-product-2026-01-01-2026-01-31.csv; an open end reads "start" or "today"."""
    if wanted.first_day is None and wanted.last_day is None:
        return f"{report}.csv"
    first = wanted.first_day.isoformat() if wanted.first_day else "start"
    last = wanted.last_day.isoformat() if wanted.last_day else "today"
    return f"{report}-{first}-{last}.csv"
