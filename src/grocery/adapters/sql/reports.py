"""Sales reports in PostgreSQL: one aggregate statement per report, in SQLAlchemy Core,
over the rollups the checkout, picking and cancelling transactions keep.

What counts: order lines that sold something (`sold_units`: what was ordered until picking
completes, then what was handed over, substitutes included) of orders that are not
cancelled; revenue net of the order's discount; tax as billed (`final_tax` once picked,
else `tax`; a substitute's tax is on the line it stands in for); an order's own revenue its
final total once picked, else its total, less its delivery fee. Migration 0024_sales_days
sums exactly that per local day of the store's zone:
- product_sales_days: each product's units, revenue, tax and orders;
- category_sales_days: each category's orders (distinct: an order with two of its products
  counts once) and, since 0027_category_sales, its products' units, revenue and tax,
  striped; category_sales_months the same per local month;
- order_sales_days: the orders' own count, units, revenue and tax, striped.
An order falls on one day, so days and stripes add up to any range of days; a product's
category is the one it has now. All time, the report by product reads the products'
counters (units_sold, revenue_sold, orders_sold, tax_sold) instead.

Products and categories are the left side of an outer join, so those that sold nothing come
as zeros. A report asked in another zone than the rollups' first has them rebuilt in it.
Each statement is built once per shape (which filters are present) and cached. The
rollups' indexes are defined in schema/reports.py.

The plans these are built for (bench/reports.py):
- by product, all time: the first `limit` entries of ix_products_sales_rank (backward for
  most, ties on units sorted by name within their group), one category through its index.
- by product within days, the whole catalog: the least sold of exactly the last 30 days,
  the first entries of ix_products_recent_rank; else a walk of the likeliest products, each
  one's days summed through the primary key, when it proves its answer (report_ranks.py); else,
  and for one category, the days' rows of ix_product_sales_days_day, index-only, summed
  per product (one category's products through their index).
- by category: the whole months within the days from the months' rollup (all time: every
  month, 50 categories x 8 stripes a month), the days around them from the days'.
- over time: the days' rows of the order days, or one category's days through
  ix_category_sales_days_category.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
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
    func,
    literal_column,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import INTERVAL, TIMESTAMP
from sqlalchemy.ext.asyncio import AsyncConnection

from grocery.adapters.sql.database import Database
from grocery.adapters.sql.report_ranks import LAST_WALK, first_walk, ranked_within_days
from grocery.adapters.sql.schema.catalog import categories, products
from grocery.adapters.sql.schema.reports import (
    category_sales_days,
    category_sales_months,
    order_sales_days,
    product_sales_days,
    sales_zone,
)
from grocery.core.catalog import Category, as_id
from grocery.core.errors import ServiceUnavailable
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

p, c = products.alias("p"), categories.alias("c")
pd, od, cd, cm = (
    product_sales_days.alias("pd"),
    order_sales_days.alias("od"),
    category_sales_days.alias("cd"),
    category_sales_months.alias("cm"),
)
listed = products.alias("listed")  # the category filter's products, apart from each row's own

_CATEGORY_ID = bindparam("category_id", type_=Uuid)
_UNIT = bindparam("unit", type_=String)  # date_trunc's field: day, week or month
_STEP = cast(bindparam("step", type_=String), INTERVAL)
_FIRST_DAY = bindparam("first_day", type_=Date)
_LAST_DAY = bindparam("last_day", type_=Date)
_LIMIT = bindparam("limit", type_=Integer)
_MONTHS_FROM = bindparam("months_from", type_=Date)  # the whole months within the days
_MONTHS_UNTIL = bindparam("months_until", type_=Date)  # (the first day after them)

# For the report's transaction only (is_local), so pooled connections keep the defaults:
# - work_mem: aggregates over up to every line ever sold stay off disk;
# - no parallel workers: PostgreSQL would have each worker redo the whole aggregate under
#   a parallel scan of products (measured three times slower on 2 cores);
# - random_page_cost as for cached data: a window's index lookups beat scanning every line;
# - custom plans: asyncpg prepares each statement, and after five runs PostgreSQL may settle
#   on a generic plan that can't see how narrow a window or category is (measured 5x slower).
# Read with the rollups' zone and whether this is a replica, in the same round trip.
_REPORT_SETTINGS = text(
    "SELECT (SELECT zone FROM sales_zone), pg_is_in_recovery(),"
    " set_config('work_mem', '64MB', true),"
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


def _in_days(query: Select[Any], day: Any, shape: _Shape) -> Select[Any]:
    """`query` kept to the report's days (local days of the rollups' zone, both ends in)."""
    if shape.since:
        query = query.where(day >= _FIRST_DAY)
    if shape.until:
        query = query.where(day <= _LAST_DAY)
    return query


def _product_days(shape: _Shape) -> Subquery:
    """The products' sales days within the report's days, in the category."""
    query: Select[Any] = _in_days(
        select(pd.c.product_id, pd.c.day, pd.c.units, pd.c.revenue, pd.c.tax, pd.c.orders),
        pd.c.day,
        shape,
    )
    if shape.category:
        in_category = select(listed.c.id).where(listed.c.category_id == _CATEGORY_ID)
        query = query.where(pd.c.product_id.in_(in_category))
    return query.subquery("counted")


def _category_rows(shape: _Shape) -> Subquery:
    """The categories' rollup rows that make up the report's days: the whole months'
    from the months, the days around them from the days."""
    figures = [cd.c.orders, cd.c.units, cd.c.revenue, cd.c.tax]
    days: Select[Any] = _in_days(select(cd.c.category_id, *figures), cd.c.day, shape).where(
        or_(cd.c.day < _MONTHS_FROM, cd.c.day >= _MONTHS_UNTIL)
    )
    months = select(cm.c.category_id, cm.c.orders, cm.c.units, cm.c.revenue, cm.c.tax).where(
        cm.c.month >= _MONTHS_FROM, cm.c.month < _MONTHS_UNTIL
    )
    if shape.category:
        days = days.where(cd.c.category_id == _CATEGORY_ID)
        months = months.where(cm.c.category_id == _CATEGORY_ID)
    return union_all(days, months).subquery("bought")


def _totals(counted: Subquery, *keys: Any) -> list[Any]:
    return [
        *keys,
        func.sum(counted.c.units).label("units"),
        func.sum(counted.c.revenue).label("revenue"),
        func.sum(counted.c.tax).label("tax"),
        func.sum(counted.c.orders).label("orders"),
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
        counted = _product_days(shape)
        sold = (
            select(*_totals(counted, counted.c.product_id))
            .group_by(counted.c.product_id)
            .having(func.sum(counted.c.orders) > 0)
        ).subquery("sold")
        rows = rows.outerjoin(sold, sold.c.product_id == p.c.id)
        figures = [*_figures(sold), func.coalesce(sold.c.tax, 0).label("tax")]
        ever_sold = sold.c.product_id.is_not(None)
    else:
        figures = [
            p.c.units_sold.label("units"),
            p.c.revenue_sold.label("revenue"),
            p.c.tax_sold.label("tax"),
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
    sold = _category_sales(shape)
    tax = func.coalesce(sold.c.tax, 0)
    return (
        select(c.c.id, c.c.name, c.c.slug, *_figures(sold), tax.label("tax"))
        .select_from(c.outerjoin(sold, sold.c.category_id == c.c.id))
        .where(*([c.c.id == _CATEGORY_ID] if shape.category else []))
        .order_by(*_ranked(sort, c.c.name, c.c.id))
        .limit(_LIMIT)
    )


def _category_sales(shape: _Shape) -> Subquery:
    """Per category that sold within the days: its units, revenue, tax and orders."""
    rows = _category_rows(shape)
    return (
        select(
            rows.c.category_id,
            func.sum(rows.c.units).label("units"),
            func.sum(rows.c.revenue).label("revenue"),
            func.sum(rows.c.tax).label("tax"),
            func.sum(rows.c.orders).label("orders"),
        )
        .group_by(rows.c.category_id)
        .having(func.sum(rows.c.orders) > 0)
        .subquery("sold")
    )


def _counted_days(shape: _Shape) -> Subquery:
    """Each day's sales within the report's days: the orders' own figures, or one
    category's."""
    rows, condition = (cd, [cd.c.category_id == _CATEGORY_ID]) if shape.category else (od, [])
    per_day = (
        select(
            rows.c.day,
            func.sum(rows.c.orders).label("orders"),
            func.sum(rows.c.units).label("units"),
            func.sum(rows.c.revenue).label("revenue"),
            func.sum(rows.c.tax).label("tax"),
        )
        .where(*condition)
        .group_by(rows.c.day)
    )
    return _in_days(per_day, rows.c.day, shape).subquery("per_day")


@cache
def _over_time(shape: _Shape) -> Statement:
    per_day = _counted_days(shape)
    period = func.date_trunc(_UNIT, cast(per_day.c.day, TIMESTAMP))
    sold = (
        select(
            period.label("period"),
            func.sum(per_day.c.orders).label("orders"),
            func.sum(per_day.c.units).label("units"),
            func.sum(per_day.c.revenue).label("revenue"),
            func.sum(per_day.c.tax).label("tax"),
        )
        .where(per_day.c.orders > 0)
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
        "limit": wanted.limit,
        "unit": wanted.interval.value,
        "step": f"1 {wanted.interval.value}",
        "timezone": query.timezone,  # the rollups' zone, checked before reading them
        "first_day": wanted.first_day,
        "last_day": wanted.last_day,
        **_whole_months(wanted.first_day, wanted.last_day),
    }


def _whole_months(first: date | None, last: date | None) -> dict[str, date]:
    """The months wholly within the days: the first day of the first and the first day
    after the last (none when that is not after the first)."""
    start = date.min if first is None else first if first.day == 1 else _month_of(first, 1)
    end = date.max if last is None else _month_of(last + timedelta(days=1))
    return {"months_from": start, "months_until": end}


def _month_of(day: date, after: int = 0) -> date:
    """The first day of `day`'s month, or of the month `after` months later."""
    index = day.year * 12 + day.month - 1 + after
    return date(index // 12, index % 12 + 1, 1)


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
    def __init__(
        self,
        database: Database,
        first_walk: Callable[[int], int] = first_walk,
        last_walk: int = LAST_WALK,
    ) -> None:
        self._database = database
        # tests walk a few products, to take every way out
        self._first_walk, self._last_walk = first_walk, last_walk

    async def category(self, ref: str) -> Category | None:
        rows = await self._fetch(_named_category(ref), {}, aggregate=False)
        return Category(rows[0].id, rows[0].name, rows[0].slug) if rows else None

    async def sales_by_product(self, query: SalesQuery) -> list[ProductSales]:
        shape = _Shape.of(query)
        if shape.windowed and not shape.category:
            rows = await self._ranked(query)
        else:
            rows = await self._fetch(_by_product(shape, query.filter.sort), _values(query))
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
            for row in rows
        ]

    async def _ranked(self, query: SalesQuery) -> Sequence[Any]:
        """The whole catalog over some days: a walk of the likeliest products when it proves
        its answer (report_ranks.py), else the range summed."""
        wanted = query.filter
        async with self._database.connect() as connection:
            await _prepare(connection, query.timezone)
            days = (wanted.first_day, wanted.last_day)
            walk = self._first_walk(wanted.limit)
            rows = await ranked_within_days(
                connection, wanted.sort, days, wanted.limit, walk, self._last_walk
            )
            if rows is None:
                statement = _by_product(_Shape.of(query), wanted.sort)
                rows = (await connection.execute(statement, _values(query))).all()
            return rows

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
            # orders and units: sums of per-day sums, which PostgreSQL widens to numeric
            PeriodSales(
                row.period,
                orders=int(row.orders),
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
                await _prepare(connection, values["timezone"])
            return (await connection.execute(statement, dict(values))).all()


async def _prepare(connection: AsyncConnection, zone: str) -> None:
    """The report's settings, and the rollups cut into this zone's days: recut once when
    the shop's zone changed, after which the settings are made again for the next
    transaction. A replica can't recut them: it waits for the primary's (recut_sales_days
    when a server starts)."""
    rollups_zone, replica = (await connection.execute(_REPORT_SETTINGS)).one()[:2]
    if rollups_zone == zone:
        return
    if replica:
        raise ServiceUnavailable(
            f"The sales figures are being recut into the {zone} time zone; try again shortly."
        )
    await _recut(connection, zone)
    await connection.execute(_REPORT_SETTINGS)


async def recut_sales_days(database: Database, zone: str) -> None:
    """The rollups cut into the shop's zone's days, on the primary (at a server's start, so
    replicas get them too): nothing to do unless the shop's zone changed."""
    async with database.connect() as connection:
        if (await connection.execute(select(sales_zone.c.zone))).scalar() != zone:
            await _recut(connection, zone)


async def _recut(connection: AsyncConnection, zone: str) -> None:
    """Migration 0024_sales_days' rebuild, which makes every writer wait for it. The first
    of several servers or reports to lock the zone recuts; the others then find it done."""
    await connection.execute(text("LOCK TABLE sales_zone"))
    if (await connection.execute(select(sales_zone.c.zone))).scalar() != zone:
        await connection.execute(select(func.grocery_rebuild_sales_days(zone)))
    await connection.commit()
