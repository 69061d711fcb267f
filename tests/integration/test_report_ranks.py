"""The whole catalog's best and worst sellers within some days, found by walking the likeliest
products (adapters/sql/report_ranks.py), rank exactly as the days' full sum ranks them.

A random history in a database of its own (its rows written straight into the rollups, so
the shared database's invariants are untouched): best sellers of the past that sell nothing
now, archived products, products that sold nothing or orders that came to no units, names
shared by several products. First walks from one product up, every way out taken: proved
by the first walk, by the second, by walking the whole catalog, and left to the full sum.
The least sold of the last 30 days read from the products' recent counters, rolled along
the history day by day, a month on and back, ranks as the walks and the sum do, and only
when the counters are of exactly the days asked."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from grocery.adapters.sql import migrate
from grocery.adapters.sql.database import Database
from grocery.adapters.sql.report_ranks import (
    FIRST_WALK,
    LAST_WALK,
    first_walk,
    ranked_within_days,
)
from grocery.adapters.sql.reports import SqlReportReader
from grocery.core.reports import sales_filter
from grocery.core.services.reports import ReportService
from tests.integration.database import fresh_database

FIRST = date(2026, 3, 1)
DAYS = 92
PRODUCTS = 240
NAMES = [f"{fruit} {size}" for fruit in ("Apple", "Pear", "Plum", "Fig") for size in "SML"]
# The best sellers of all time, sold alike (two of them named alike): a walk that stops
# among them must not take a tie for a proof.
TWINS = ("Fig L", "Fig L", "Apple M", "Pear S")
# First by name, they sell a unit every day: a walk by name that meets only them must not
# take their one unit a day for the least sold while others sold nothing.
STEADY = ("Acorn",) * 8
WINDOWS = [
    ("2026-03-01", "2026-05-31"),  # all the twins sold: they sold no more ever
    ("2026-05-02", "2026-05-31"),  # after the past's best sellers stopped selling
    ("2026-04-10", "2026-04-10"),  # a unit each for the steady, nought for most
    ("2026-03-20", None),
    (None, "2026-03-05"),
    ("2026-07-01", "2026-07-30"),  # nothing sold: every product ties at nought
]
# The first walk for a limit, and the most the second may walk.
WALKS: list[tuple[Callable[[int], int], int]] = [
    (lambda limit: 1, LAST_WALK),
    (lambda limit: 2, 3),
    (lambda limit: limit + 1, LAST_WALK),
    (lambda limit: 3 * limit, 40),
    (first_walk, LAST_WALK),
]


@pytest.fixture(scope="module")
def history_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("ranks")) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="module")
async def database(history_url: str) -> AsyncIterator[Database]:
    connection = await asyncpg.connect(history_url.replace("+asyncpg", ""))
    try:
        await _history(connection, random.Random(21))
    finally:
        await connection.close()
    database = Database(history_url, pool_size=2)
    yield database
    await database.dispose()


async def test_every_walk_ranks_as_the_full_sum(database: Database) -> None:
    summed = _reports(database, lambda limit: 0, 0)  # nothing walked proves nothing: summed
    ways_out = {"first walk": 0, "second walk": 0, "whole catalog": 0, "summed": 0}
    for first_day, last_day in WINDOWS:
        for sort in ("most", "least"):
            for limit in (1, 2, 5, 20, 1000):
                wanted = sales_filter(
                    sort=sort, first_day=first_day, last_day=last_day, limit=str(limit)
                )
                expected = (await summed.sales_by_product(wanted)).rows
                assert expected
                for walk, last_walk in WALKS:
                    reports = _reports(database, walk, last_walk)
                    got = (await reports.sales_by_product(wanted)).rows
                    assert got == expected, (first_day, last_day, sort, limit, walk(limit))
                    ways_out[await _way_out(database, wanted, walk(limit), last_walk)] += 1
    assert all(ways_out.values()), ways_out


async def test_past_best_sellers_that_sell_nothing_now_are_walked_past(
    database: Database,
) -> None:
    wanted = sales_filter(first_day="2026-05-02", last_day="2026-05-31", limit="5")
    past = await database.fetch(
        "SELECT id FROM products ORDER BY units_sold DESC OFFSET $1 LIMIT 3", len(TWINS)
    )
    rows = (await _reports(database, first_walk, LAST_WALK).sales_by_product(wanted)).rows
    assert [row.product_name for row in rows[:4]] == sorted(TWINS)
    assert rows[0].units_sold == 30 * 1000
    assert not {row.product_id for row in rows} & {found[0] for found in past}


# Moments the counters of the last 30 days are rolled to, one after the other: from not kept
# (summed), a day on, a month on, past the history's end, after it, and back (summed again).
ROLLS = ["2026-04-15", "2026-04-16", "2026-05-20", "2026-06-10", "2026-07-15", "2026-04-01"]
LAST_SALE = "2026-05-31"


async def test_the_last_30_days_counters_rank_as_the_full_sum(
    database: Database, history_url: str
) -> None:
    connection = await asyncpg.connect(history_url.replace("+asyncpg", ""))
    ways_out: dict[str, int] = {"recent counters": 0, "summed": 0}
    try:
        for moment in ROLLS:
            await connection.execute(
                "SELECT grocery_roll_recent_sales($1)", datetime.fromisoformat(f"{moment}T12:00Z")
            )
            first_day = date.fromisoformat(moment) - timedelta(days=29)
            assert await connection.fetchval("SELECT recent_from FROM sales_zone") == first_day
            assert await connection.fetchval(_RECENT_OFF) == 0, moment
            for last_day in {None, *(day for day in (LAST_SALE, moment) if day >= str(first_day))}:
                for limit in (1, 5, 20, 1000):
                    wanted = sales_filter(
                        sort="least", first_day=str(first_day), last_day=last_day, limit=str(limit)
                    )
                    expected = await _without_counters(connection, database, wanted)
                    got = (
                        await _reports(database, first_walk, LAST_WALK).sales_by_product(wanted)
                    ).rows
                    assert got == expected, (moment, last_day, limit)
                    way = await _way_out(database, wanted, first_walk(limit), LAST_WALK)
                    ways_out[way if way == "recent counters" else "summed"] += 1
                    assert (way == "recent counters") == (last_day is None or last_day >= LAST_SALE)
    finally:
        await connection.execute("UPDATE sales_zone SET recent_from = NULL")
        await connection.close()
    assert all(ways_out.values()), ways_out


# Products whose counters are not the sum of their days from recent_from on.
_RECENT_OFF = """
    SELECT count(*) FROM products p
      LEFT JOIN (SELECT product_id, sum(units) AS units, sum(orders) AS orders
                   FROM product_sales_days
                  WHERE day >= (SELECT recent_from FROM sales_zone) GROUP BY product_id) s
        ON s.product_id = p.id
     WHERE (p.recent_units, p.recent_orders)
           IS DISTINCT FROM (coalesce(s.units, 0), coalesce(s.orders, 0))
"""


async def _without_counters(
    connection: asyncpg.Connection, database: Database, wanted: Any
) -> list[Any]:
    """The report as the walks and the sum answer it, the counters left aside a moment."""
    kept_from = await connection.fetchval("SELECT recent_from FROM sales_zone")
    await connection.execute("UPDATE sales_zone SET recent_from = NULL")
    try:
        return (await _reports(database, first_walk, LAST_WALK).sales_by_product(wanted)).rows
    finally:
        await connection.execute("UPDATE sales_zone SET recent_from = $1", kept_from)


def test_the_first_walk_goes_well_past_the_limit() -> None:
    assert first_walk(20) == FIRST_WALK
    assert first_walk(1000) == 8000


def _reports(database: Database, walk: Callable[[int], int], last_walk: int) -> ReportService:
    reader = SqlReportReader(database, first_walk=walk, last_walk=last_walk)
    return ReportService(reader=reader, timezone="UTC", currency="USD")


async def _way_out(database: Database, wanted: Any, walk: int, last_walk: int) -> str:
    async with database.connect() as connection:
        days = (wanted.first_day, wanted.last_day)
        rows = await ranked_within_days(
            connection, wanted.sort, days, wanted.limit, walk, last_walk
        )
    if rows is None:
        return "summed"
    if rows[0].walked is None:
        return "recent counters"
    if rows[0].walked == PRODUCTS:
        return "whole catalog"
    return "first walk" if rows[0].walked == walk else "second walk"


async def _history(connection: asyncpg.Connection, rng: random.Random) -> None:
    """Products with the days they sold on, their all-time counters the sum of those days
    (and, for some, of sales before them), as checkout and picking keep them."""
    await connection.execute("UPDATE sales_zone SET zone = 'UTC'")
    category = await connection.fetchval(
        "INSERT INTO categories (id, name, slug) VALUES (gen_random_uuid(), 'Fruit', 'fruit')"
        " RETURNING id"
    )
    for n in range(PRODUCTS - len(TWINS) - len(STEADY)):
        archived = n % 10 == 9
        days = _sales_days(rng, past_best_seller=n % 12 == 0)
        if archived:  # shown only for what it sold: make it sell once, on the first day
            days.setdefault(FIRST, (1, 1))
        extra = rng.choice((0, 0, 0, 40))
        await _product(connection, category, rng.choice(NAMES), days, extra, archived=archived)
    twins_days = {FIRST + timedelta(days=day): (1000, 300) for day in range(40, DAYS)}
    for name in TWINS:
        await _product(connection, category, name, twins_days, 0, archived=False)
    steady_days = {FIRST + timedelta(days=day): (1, 1) for day in range(DAYS)}
    for name in STEADY:
        await _product(connection, category, name, steady_days, 0, archived=False)


async def _product(
    connection: asyncpg.Connection,
    category: Any,
    name: str,
    days: dict[date, tuple[int, int]],
    sold_before: int,
    *,
    archived: bool,
) -> None:
    units_sold = sum(units for units, _ in days.values()) + sold_before
    product = await connection.fetchval(
        "INSERT INTO products (id, category_id, name, slug, price, stock, unit,"
        " low_stock_threshold, units_sold, archived, created_at)"
        " VALUES (gen_random_uuid(), $1, $2, 'fruit-' || gen_random_uuid(), 1.50, 10,"
        " 'piece', 1, $3, $4, now())"
        " RETURNING id",
        category,
        name,
        units_sold,
        archived,
    )
    await connection.executemany(
        "INSERT INTO product_sales_days (product_id, day, units, revenue, tax, orders)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        [
            (product, day, units, Decimal(units) * Decimal("1.35"), Decimal(orders) / 10, orders)
            for day, (units, orders) in days.items()
        ],
    )


def _sales_days(rng: random.Random, *, past_best_seller: bool) -> dict[date, tuple[int, int]]:
    """Some days with their units and orders: a few of them no units (picked short) or
    nothing left (cancelled); a past best seller sells much, and only in March."""
    last = 31 if past_best_seller else DAYS
    days: dict[date, tuple[int, int]] = {}
    for _ in range(rng.choice((0, 2, 5, 20, 40, 60))):
        day = FIRST + timedelta(days=rng.randrange(last))
        units = rng.randrange(200, 400) if past_best_seller else rng.choice((0, 1, 1, 2, 5))
        days[day] = (0, 0) if rng.random() < 0.03 else (units, 1 + units // 3)
    return days
