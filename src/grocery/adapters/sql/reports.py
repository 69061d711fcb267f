"""Sales reports in PostgreSQL: one aggregate statement per report, in SQLAlchemy Core.

All time (no dates), the reports by product and by category read counters that checkout
and cancellation keep (migration 0007_sales_counters): each product's units_sold,
revenue_sold and orders_sold, and order_categories, one row per (order, category) for
the orders that count. Those agree exactly with the order lines: the same transaction
writes both, and a product changing category carries its orders' rows along.

Within dates, and over time, every report starts from the counted lines: order lines that
sold something (`sold_units`: what was ordered until picking completes, then what was
handed over, substitutes included) of orders that are not cancelled, placed within the
window, optionally only products of one category. Products and categories are the left
side of an outer join, so those that sold nothing come as zeros. Revenue is the sum of
`sold_revenue`, net of the order's discount; an order's own revenue is its final total
once picked, else its total, less its delivery fee. Tax is each line's as billed (`final_tax` once picked, else `tax`; a
substitute's tax, at its own class, is on the line it stands in for), or the order's own.
The product counters keep no tax, so all time a row's tax is summed from its own lines after
the ranked rows are chosen. Each statement is built once per shape
(which filters are present) and cached. The indexes they read through are defined in schema/reports.py.

The plans these are built for (EXPLAIN ANALYZE at 1,000,000 lines, see bench/reports.py):
- by product, all time: the first `limit` entries of ix_products_sales_rank (backward for
  most, ties on units sorted by name within their group), one category through its index.
- by category, all time: the products' counters summed per category (one pass over
  products) and order_categories counted per category, index-only.
- one category: its products' lines from ix_order_lines_product_sales, joined to their orders.
- a window: its orders from ix_orders_counted_created_at, each order's lines from
  ix_order_lines_order_sales, both index-only.
- over time without a category: the orders of the window (or all) from
  ix_orders_counted_created_at, index-only, with their units and totals; with one, the
  category's lines summed per order, then per period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Select,
    String,
    Subquery,
    Uuid,
    and_,
    asc,
    bindparam,
    cast,
    desc,
    distinct,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import INTERVAL, TIMESTAMP

from grocery.adapters.sql.database import Database
from grocery.adapters.sql.schema.catalog import categories, products
from grocery.adapters.sql.schema.orders import order_categories, order_lines, orders
from grocery.core.catalog import Category, as_id
from grocery.core.orders import OrderStatus
from grocery.core.reports import (
    CategorySales,
    PeriodSales,
    ProductSales,
    SalesQuery,
    SalesSort,
)

CANCELLED = OrderStatus.CANCELLED.value

Statement = Select[*tuple[Any, ...]]

o, line, p, c = (
    orders.alias("o"),
    order_lines.alias("line"),
    products.alias("p"),
    categories.alias("c"),
)
listed = products.alias("listed")  # the category filter's products, apart from each row's own

_CATEGORY_ID = bindparam("category_id", type_=Uuid)
_SINCE = bindparam("since", type_=DateTime(timezone=True))
_UNTIL = bindparam("until", type_=DateTime(timezone=True))
_TIMEZONE = bindparam("timezone", type_=String)
_UNIT = bindparam("unit", type_=String)  # date_trunc's field: day, week or month
_STEP = cast(bindparam("step", type_=String), INTERVAL)
_FIRST_DAY = bindparam("first_day", type_=Date)
_LAST_DAY = bindparam("last_day", type_=Date)
_LIMIT = bindparam("limit", type_=Integer)
_LINE_TAX = func.coalesce(line.c.final_tax, line.c.tax)

# For the report's transaction only (is_local), so pooled connections keep the defaults:
# - work_mem: aggregates over up to every line ever sold stay off disk;
# - no parallel workers: PostgreSQL would have each worker redo the whole aggregate under
#   a parallel scan of products (measured three times slower on 2 cores);
# - random_page_cost as for cached data: a window's index lookups beat scanning every line;
# - custom plans: asyncpg prepares each statement, and after five runs PostgreSQL may settle
#   on a generic plan that can't see how narrow a window or category is (measured 5x slower).
_REPORT_SETTINGS = text(
    "SELECT set_config('work_mem', '64MB', true),"
    " set_config('max_parallel_workers_per_gather', '0', true),"
    " set_config('random_page_cost', '1.1', true),"
    " set_config('plan_cache_mode', 'force_custom_plan', true)"
)


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which filters a statement has; their values travel as parameters."""

    category: bool
    since: bool
    until: bool

    @classmethod
    def of(cls, query: SalesQuery) -> _Shape:
        return cls(query.category_id is not None, query.since is not None, query.until is not None)

    @property
    def windowed(self) -> bool:
        return self.since or self.until


def _counted_lines(shape: _Shape, *, placed_at: bool = False) -> Subquery:
    """The lines that count: of orders not cancelled, within the window, in the category;
    with `placed_at`, each line carries its order's created_at."""
    query: Select[Any] = select(
        line.c.product_id,
        line.c.order_id,
        line.c.sold_units.label("quantity"),
        line.c.sold_revenue.label("line_total"),
        _LINE_TAX.label("line_tax"),
    ).join(o, o.c.id == line.c.order_id)
    query = query.where(line.c.sold_units > 0)
    if placed_at:
        query = query.add_columns(o.c.created_at)
    query = _counted(query, shape)
    if shape.category:
        in_category = select(listed.c.id).where(listed.c.category_id == _CATEGORY_ID)
        query = query.where(line.c.product_id.in_(in_category))
    return query.subquery("counted")


def _tax_sold(*conditions: ColumnElement[bool]) -> Any:
    """The tax billed on the counted lines matching `conditions`, of any time; correlated to
    the row it is selected for, so only the rows a report shows are summed."""
    return (
        select(func.coalesce(func.sum(_LINE_TAX), 0))
        .select_from(line.join(o, o.c.id == line.c.order_id))
        .where(line.c.sold_units > 0, o.c.status != CANCELLED, *conditions)
        .scalar_subquery()
    )


def _counted(query: Select[Any], shape: _Shape) -> Select[Any]:
    """`query` (which reads orders as `o`) kept to the orders that count: not cancelled,
    placed within the window."""
    query = query.where(o.c.status != CANCELLED)
    if shape.since:
        query = query.where(o.c.created_at >= _SINCE)
    if shape.until:
        query = query.where(o.c.created_at < _UNTIL)
    return query


def _totals(counted: Subquery, *keys: Any) -> list[Any]:
    return [
        *keys,
        func.sum(counted.c.quantity).label("units"),
        func.sum(counted.c.line_total).label("revenue"),
        func.sum(counted.c.line_tax).label("tax"),
        func.count(distinct(counted.c.order_id)).label("orders"),
    ]


def _figures(sold: Subquery) -> list[Any]:
    """A row's units, revenue and orders; zeros where nothing sold."""
    return [
        func.coalesce(sold.c.units, 0).label("units"),
        func.coalesce(sold.c.revenue, 0).label("revenue"),
        func.coalesce(sold.c.orders, 0).label("orders"),
    ]


def _ranked(sort: SalesSort, name: Any, row_id: Any) -> list[Any]:
    """Most or least units first; ties by name, then id, so pages are stable."""
    units: ColumnElement[Any] = literal_column("units")
    return [desc(units) if sort is SalesSort.MOST else asc(units), name, row_id]


@cache
def _by_product(shape: _Shape, sort: SalesSort) -> Statement:
    rows: Any = p.join(c, c.c.id == p.c.category_id)
    ever_sold: ColumnElement[bool]
    if shape.windowed:
        counted = _counted_lines(shape)
        sold = (
            select(*_totals(counted, counted.c.product_id)).group_by(counted.c.product_id)
        ).subquery("sold")
        rows = rows.outerjoin(sold, sold.c.product_id == p.c.id)
        figures = [*_figures(sold), func.coalesce(sold.c.tax, 0).label("tax")]
        ever_sold = sold.c.product_id.is_not(None)
    else:
        figures = [
            p.c.units_sold.label("units"),
            p.c.revenue_sold.label("revenue"),
            _tax_sold(line.c.product_id == p.c.id).label("tax"),
            p.c.orders_sold.label("orders"),
        ]
        ever_sold = p.c.orders_sold > 0
    # An archived product is out of the catalog: it shows only for what it sold.
    shown = or_(~p.c.archived, ever_sold)
    conditions = [shown, p.c.category_id == _CATEGORY_ID] if shape.category else [shown]
    return (
        select(
            p.c.id,
            p.c.name,
            c.c.id.label("category_id"),
            c.c.name.label("category_name"),
            c.c.slug.label("category_slug"),
            *figures,
        )
        .select_from(rows)
        .where(and_(*conditions))
        .order_by(*_ranked(sort, p.c.name, p.c.id))
        .limit(_LIMIT)
    )


@cache
def _by_category(shape: _Shape, sort: SalesSort) -> Statement:
    if shape.windowed:
        sold = _category_sales(shape)
        tax: Any = func.coalesce(sold.c.tax, 0)
    else:
        sold = _category_counters(shape)
        tax = _tax_sold(line.c.product_id == listed.c.id, listed.c.category_id == c.c.id)
    return (
        select(c.c.id, c.c.name, c.c.slug, *_figures(sold), tax.label("tax"))
        .select_from(c.outerjoin(sold, sold.c.category_id == c.c.id))
        .where(*([c.c.id == _CATEGORY_ID] if shape.category else []))
        .order_by(*_ranked(sort, c.c.name, c.c.id))
        .limit(_LIMIT)
    )


def _category_sales(shape: _Shape) -> Subquery:
    """Per category, from the counted lines of the window."""
    counted = _counted_lines(shape)
    of_line = products.alias("of_line")
    return (
        select(*_totals(counted, of_line.c.category_id))
        .select_from(counted.join(of_line, of_line.c.id == counted.c.product_id))
        .group_by(of_line.c.category_id)
    ).subquery("sold")


def _category_counters(shape: _Shape) -> Subquery:
    """Per category, all time: its products' counters summed, and its orders counted."""
    summed = select(
        products.c.category_id,
        func.sum(products.c.units_sold).label("units"),
        func.sum(products.c.revenue_sold).label("revenue"),
    ).group_by(products.c.category_id)
    bought = select(order_categories.c.category_id, func.count().label("orders")).group_by(
        order_categories.c.category_id
    )
    if shape.category:
        summed = summed.where(products.c.category_id == _CATEGORY_ID)
        bought = bought.where(order_categories.c.category_id == _CATEGORY_ID)
    units, ordered = summed.subquery("summed"), bought.subquery("bought")
    return (
        select(units.c.category_id, units.c.units, units.c.revenue, ordered.c.orders)
        .select_from(units.outerjoin(ordered, ordered.c.category_id == units.c.category_id))
        .subquery("sold")
    )


def _counted_orders(shape: _Shape) -> Subquery:
    """Each order that counts, with its units, revenue and tax; one row per order."""
    if not shape.category:
        # An order's own units and total (the sum of its line totals: what it sold, net of
        # its delivery fee), index-only.
        total = func.coalesce(o.c.final_total, o.c.total)
        revenue = (total - o.c.delivery_fee).label("revenue")
        tax = func.coalesce(o.c.final_tax, o.c.tax).label("tax")
        own = select(o.c.created_at.label("placed_at"), o.c.units, revenue, tax)
        own = own.where(o.c.units > 0)  # an order picked short of everything sold nothing
        return _counted(own, shape).subquery("per_order")
    # Only the category's lines: summed per order, so each order counts once in its
    # period without count(DISTINCT).
    counted = _counted_lines(shape, placed_at=True)
    return (
        select(
            func.min(counted.c.created_at).label("placed_at"),
            func.sum(counted.c.quantity).label("units"),
            func.sum(counted.c.line_total).label("revenue"),
            func.sum(counted.c.line_tax).label("tax"),
        )
        .group_by(counted.c.order_id)
        .subquery("per_order")
    )


@cache
def _over_time(shape: _Shape) -> Statement:
    per_order = _counted_orders(shape)
    period = func.date_trunc(_UNIT, func.timezone(_TIMEZONE, per_order.c.placed_at))
    sold = (
        select(
            period.label("period"),
            func.count().label("orders"),
            func.sum(per_order.c.units).label("units"),
            func.sum(per_order.c.revenue).label("revenue"),
            func.sum(per_order.c.tax).label("tax"),
        )
        .group_by(period)
        .cte("sold")
    )
    span = select(
        func.min(sold.c.period).label("first"), func.max(sold.c.period).label("last")
    ).subquery("span")
    # Every period from the first day (or first sale) to the last day (or last sale).
    first = func.coalesce(func.date_trunc(_UNIT, cast(_FIRST_DAY, TIMESTAMP)), span.c.first)
    last = func.coalesce(func.date_trunc(_UNIT, cast(_LAST_DAY, TIMESTAMP)), span.c.last)
    periods = (
        func.generate_series(first, last, _STEP).table_valued("start").render_derived("periods")
    )
    return (
        select(
            cast(periods.c.start, Date).label("period"),
            func.coalesce(sold.c.orders, 0).label("orders"),
            func.coalesce(sold.c.units, 0).label("units"),
            func.coalesce(sold.c.revenue, 0).label("revenue"),
            func.coalesce(sold.c.tax, 0).label("tax"),
        )
        .select_from(span.join(periods, true()).outerjoin(sold, sold.c.period == periods.c.start))
        .order_by(periods.c.start)
    )


def _values(query: SalesQuery) -> dict[str, Any]:
    wanted = query.filter
    return {
        "category_id": query.category_id,
        "since": query.since,
        "until": query.until,
        "limit": wanted.limit,
        "timezone": query.timezone,
        "unit": wanted.interval.value,
        "step": f"1 {wanted.interval.value}",
        "first_day": wanted.first_day,
        "last_day": wanted.last_day,
    }


def _named_category(ref: str) -> Statement:
    category_id = as_id(ref)
    if category_id is not None:
        return select(categories).where(categories.c.id == category_id)
    wanted = ref.lower()
    is_slug = categories.c.slug == wanted
    return (
        select(categories)
        .where(or_(is_slug, func.lower(categories.c.name) == wanted))
        .order_by(is_slug.desc())
        .limit(1)
    )


class SqlReportReader:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def category(self, ref: str) -> Category | None:
        rows = await self._fetch(_named_category(ref), {}, aggregate=False)
        return Category(rows[0].id, rows[0].name, rows[0].slug) if rows else None

    async def sales_by_product(self, query: SalesQuery) -> list[ProductSales]:
        statement = _by_product(_Shape.of(query), query.filter.sort)
        return [
            ProductSales(
                product_id=row.id,
                product_name=row.name,
                category=Category(row.category_id, row.category_name, row.category_slug),
                units_sold=row.units,
                revenue=row.revenue,
                orders=row.orders,
                tax=row.tax,
            )
            for row in await self._fetch(statement, _values(query))
        ]

    async def sales_by_category(self, query: SalesQuery) -> list[CategorySales]:
        statement = _by_category(_Shape.of(query), query.filter.sort)
        return [
            CategorySales(
                category=Category(row.id, row.name, row.slug),
                units_sold=row.units,
                revenue=row.revenue,
                orders=row.orders,
                tax=row.tax,
            )
            for row in await self._fetch(statement, _values(query))
        ]

    async def sales_over_time(self, query: SalesQuery) -> list[PeriodSales]:
        return [
            # units: a sum of per-order sums, which PostgreSQL widens to numeric
            PeriodSales(
                row.period,
                orders=row.orders,
                units=int(row.units),
                revenue=row.revenue,
                tax=row.tax,
            )
            for row in await self._fetch(_over_time(_Shape.of(query)), _values(query))
        ]

    async def _fetch(
        self, statement: Statement, values: Mapping[str, Any], *, aggregate: bool = True
    ) -> Sequence[Any]:
        async with self._database.connect() as connection:
            if aggregate:
                await connection.execute(_REPORT_SETTINGS)
            return (await connection.execute(statement, dict(values))).all()
