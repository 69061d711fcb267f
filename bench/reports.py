"""Sales reports at scale: BENCH_ORDER_LINES order lines (1,000,000 by default) over the
bench shop, then every report timed.

    uv run python -m bench.reports                  # a scratch embedded PostgreSQL
    uv run python -m bench.reports --dsn postgresql://postgres@127.0.0.1:5432/postgres
    BENCH_ORDER_LINES=10000000 uv run python -m bench.reports

The shop is bench/dataset.py's (100,000 products in 50 categories, 10,000 customers); on it
one order of 5 lines per 5 lines asked for (200,000 by default), spread over the last 365
days, one in 20 cancelled, one in 10 with a 10% discount, products skewed towards a few
best sellers. All set-based SQL: a few minutes per million lines on a busy machine; the
reports' rollups are then rebuilt from them, as migration 0024_sales_days does. With --dsn
the script makes its own `grocery_bench_reports` database there and drops it afterwards;
--keep leaves it, and a kept one is reused. Without --dsn, BENCH_DIR keeps the embedded
server's directory the same way (built once, migrated and reused by every later run).

Each report is timed through the service and SQL adapter the API uses (category lookup
included), --runs times after one warm-up, with and without a category and a date range.
bench/run builds its order history with `generate_order_lines` too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from bench import dataset

from grocery.adapters.embedded_pg import EmbeddedPostgres
from grocery.adapters.sql import migrate
from grocery.adapters.sql.database import Database
from grocery.adapters.sql.reports import SqlReportReader
from grocery.config import normalise_database_url
from grocery.core.reports import over_time_filter, sales_filter
from grocery.core.services.reports import ReportService

DATABASE = "grocery_bench_reports"
ORDER_LINES = int(os.environ.get("BENCH_ORDER_LINES") or 1_000_000)
LINES_PER_ORDER = 5
ORDERS = ORDER_LINES // LINES_PER_ORDER
STRIDE = 20_011  # coprime with 100,000: an order's 5 products are always distinct
GOAL_MS = 50  # every report's p50 (issue 21)


async def generate_order_lines(connection: asyncpg.Connection) -> None:
    """Orders and their lines on the catalog and customers of bench/dataset.py.

    Order n: customer n % 10,000; placed u(n) * 365 days ago; cancelled when n % 20 = 0;
    10% off each line when n % 10 = 3. Its lines are products base(n) + k * STRIDE for
    k = 0..4, with base(n) ~ 100,000 * u^3 (a few best sellers, a long tail). Totals add
    up as checkout's do: line_total = price * quantity - discount, total = sum(line_total).
    The products' sales counters (units_sold too: the catalog's popularity) and
    order_categories then say what checkout would have made them say.
    """
    new_id = await dataset.new_id_sql(connection)
    async with connection.transaction():  # the scratch tables go at its end
        await _fill_orders(connection, new_id)
        await _count_sales(connection)


async def _fill_orders(connection: asyncpg.Connection, new_id: str) -> None:
    await connection.execute(
        f"""
        CREATE TEMP TABLE bench_product ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, name, price FROM products;
        CREATE TEMP TABLE bench_customer ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) - 1 AS n, id
              FROM users WHERE role = 'customer';
        CREATE TEMP TABLE bench_order ON COMMIT DROP AS
            SELECT g.n, {new_id} AS id, c.id AS user_id,
                   now() - interval '365 days' * (((g.n * 2654435761) % 1000003) / 1000003.0)
                       AS placed_at,
                   CASE WHEN g.n % 20 = 0 THEN 'cancelled'
                        ELSE (ARRAY['placed', 'processing', 'shipped', 'delivered'])[1 + g.n % 4]
                   END AS status,
                   floor((SELECT count(*) FROM bench_product)
                         * power(((g.n * 40503) % 999983) / 999983.0, 3))::bigint AS base
              FROM generate_series(1::bigint, {ORDERS}) AS g(n)
              JOIN bench_customer c ON c.n = g.n % (SELECT count(*) FROM bench_customer);
        CREATE TEMP TABLE bench_line ON COMMIT DROP AS
            SELECT o.n, {new_id} AS id, o.id AS order_id, p.id AS product_id,
                   p.name AS product_name, q.quantity, p.price,
                   CASE WHEN o.n % 10 = 3 THEN round(p.price * q.quantity * 0.10, 2) ELSE 0 END
                       AS discount
              FROM bench_order o
             CROSS JOIN generate_series(0, {LINES_PER_ORDER - 1}) AS k
             CROSS JOIN LATERAL (SELECT 1 + (o.n * 7 + k * 3) % 4 AS quantity) q
              JOIN bench_product p
                ON p.n = (o.base + k * {STRIDE}) % (SELECT count(*) FROM bench_product);
        """  # noqa: S608 - module constants and the id function's name
    )
    await connection.execute(
        """
        INSERT INTO orders (id, user_id, status, subtotal, discount, total, units, currency,
                            created_at, updated_at, cancelled_at)
        SELECT o.id, o.user_id, o.status, t.subtotal, t.discount, t.subtotal - t.discount,
               t.units, 'USD', o.placed_at, o.placed_at,
               CASE WHEN o.status = 'cancelled' THEN o.placed_at + interval '1 hour' END
          FROM bench_order o
          JOIN (SELECT n, sum(price * quantity) AS subtotal, sum(discount) AS discount,
                       sum(quantity) AS units
                  FROM bench_line GROUP BY n) t USING (n)
         ORDER BY o.placed_at;
        INSERT INTO order_lines (id, order_id, product_id, product_name, quantity,
                                 price_at_purchase, discount, line_total,
                                 sold_units, sold_revenue)
        SELECT id, order_id, product_id, product_name, quantity, price, discount,
               price * quantity - discount, quantity, price * quantity - discount
          FROM bench_line ORDER BY n;
        """
    )


async def _count_sales(connection: asyncpg.Connection) -> None:
    """Every product's counters from the lines of orders not cancelled (zeros for products
    nobody bought; no tax: the lines have none), each such order's categories, and the
    reports' rollups."""
    await connection.execute(
        """
        UPDATE products p
           SET units_sold = coalesce(s.units, 0),
               revenue_sold = coalesce(s.revenue, 0),
               orders_sold = coalesce(s.orders, 0)
          FROM bench_product b
          LEFT JOIN (SELECT l.product_id, sum(l.quantity) AS units,
                            sum(l.price * l.quantity - l.discount) AS revenue,
                            count(*) AS orders  -- an order's products are distinct (STRIDE)
                       FROM bench_line l JOIN bench_order o USING (n)
                      WHERE o.status <> 'cancelled'
                      GROUP BY l.product_id) s ON s.product_id = b.id
         WHERE p.id = b.id;
        INSERT INTO order_categories (order_id, category_id)
        SELECT DISTINCT l.order_id, p.category_id
          FROM bench_line l
          JOIN bench_order o USING (n)
          JOIN products p ON p.id = l.product_id
         WHERE o.status <> 'cancelled';
        SELECT grocery_rebuild_sales_days((SELECT zone FROM sales_zone));
        """
    )


# --- the database ---------------------------------------------------------------------


@contextmanager
def bench_database(dsn: str | None, keep: bool) -> Iterator[str]:
    """An asyncpg SQLAlchemy URL of the bench database, made (and dropped) here.

    Without a DSN: a scratch embedded server, or with BENCH_DIR one kept in that directory
    (its data set is reused by the next run)."""
    if dsn is None:
        if kept := os.environ.get("BENCH_DIR"):
            yield from _embedded(Path(kept))
            return
        with tempfile.TemporaryDirectory(prefix="grocery-bench-reports-") as scratch:
            yield from _embedded(Path(scratch))
        return
    plain = normalise_database_url(dsn, "--dsn").replace("+asyncpg", "")
    drop = f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'
    if not (keep and asyncio.run(_exists(plain))):
        asyncio.run(_admin(plain, drop, f'CREATE DATABASE "{DATABASE}"'))
    try:
        yield normalise_database_url(
            urlunsplit(urlsplit(plain)._replace(path=f"/{DATABASE}")), "--dsn"
        )
    finally:
        if not keep:
            asyncio.run(_admin(plain, drop))


def _embedded(directory: Path) -> Iterator[str]:
    server = EmbeddedPostgres(directory)
    try:
        yield server.url(DATABASE)
    finally:
        server.stop()


async def _exists(plain: str) -> bool:
    connection = await asyncpg.connect(plain)
    try:
        found = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
    finally:
        await connection.close()
    return found is not None


async def _admin(plain: str, *statements: str) -> None:
    connection = await asyncpg.connect(plain)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def build(url: str) -> str:
    """The shop and its order history, unless already there; the server's version."""
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        if not await connection.fetchval("SELECT count(*) > 0 FROM order_lines"):
            started = time.monotonic()
            await dataset.build_catalog(connection)
            await dataset.build_customers(connection, "!")  # nobody signs in here
            catalog = time.monotonic()
            await generate_order_lines(connection)
            print(
                f"built: catalog and customers {catalog - started:.0f} s,"
                f" {ORDERS * LINES_PER_ORDER:,} order lines {time.monotonic() - catalog:.0f} s"
            )
        # The last 30 days' counters of a new or kept history moved on to today, as a
        # server's housekeeping does.
        await connection.execute("SELECT grocery_roll_recent_sales()")
        await connection.execute("VACUUM ANALYZE")
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


# --- timing ---------------------------------------------------------------------------


async def time_reports(
    url: str, runs: int, only: tuple[str, ...] = ()
) -> list[tuple[str, str, float, float, int]]:
    database = Database(url, pool_size=2)
    reports = ReportService(reader=SqlReportReader(database), timezone="UTC", currency="USD")
    async with database.connect() as connection:
        category = (await connection.exec_driver_sql("SELECT min(name) FROM categories")).scalar()
    today = datetime.now(UTC).date()
    month = {"first_day": str(today - timedelta(days=29)), "last_day": str(today)}
    variants: dict[str, dict[str, Any]] = {
        "all time": {},
        f"category {category}": {"category": category},
        "last 30 days": month,
        f"category {category}, last 30 days": {"category": category, **month},
    }
    reads: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
        "sales-by-product most": lambda f: reports.sales_by_product(sales_filter(**f)),
        "sales-by-product least": lambda f: reports.sales_by_product(
            sales_filter(sort="least", **f)
        ),
        "sales-by-category": lambda f: reports.sales_by_category(sales_filter(**f)),
        "sales-over-time day": lambda f: reports.sales_over_time(over_time_filter(**f)),
        "sales-over-time month": lambda f: reports.sales_over_time(
            over_time_filter(interval="month", **f)
        ),
    }
    results = []
    try:
        for name, read in reads.items():
            for variant, filters in variants.items():
                if only and not f"{name} {variant}".startswith(only):
                    continue
                await read(filters)  # warm-up: caches, prepared statement
                took = []
                for _ in range(runs):
                    started = time.perf_counter()
                    report = await read(filters)
                    took.append((time.perf_counter() - started) * 1000)
                p95 = statistics.quantiles(took, n=20)[-1] if runs > 1 else took[0]
                results.append((name, variant, statistics.median(took), p95, len(report.rows)))
                print(f"  {name:24} {variant:36} p50 {results[-1][2]:7.1f} ms  p95 {p95:7.1f} ms")
    finally:
        await database.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dsn", help="a PostgreSQL server to use instead of a scratch embedded one"
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated prefixes of the reports to time, e.g. 'sales-by-category'",
    )
    parser.add_argument(
        "--keep", action="store_true", help="with --dsn: keep the database, and reuse a kept one"
    )
    args = parser.parse_args()
    with bench_database(args.dsn, args.keep) as url:
        migrate.upgrade(url)
        version = asyncio.run(build(url))
        print(f"PostgreSQL {version}; {args.runs} runs each, after one warm-up:")
        only = tuple(prefix.strip() for prefix in args.only.split(",") if prefix.strip())
        results = asyncio.run(time_reports(url, args.runs, only))
    name, variant, worst = max(((r[0], r[1], r[2]) for r in results), key=lambda r: r[2])
    print(
        f"every report p50: worst {worst:.0f} ms, {name} {variant}"
        f" (goal at most {GOAL_MS} ms at 10,000,000 lines)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
