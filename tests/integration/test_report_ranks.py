"""The whole catalog's best and worst sellers within some days, found by walking the likeliest
products (adapters/sql/report_ranks.py), rank exactly as the days' full sum ranks them.

A random history in a database of its own (its rows written straight into the rollups, so
the shared database's invariants are untouched): best sellers of the past that sell nothing
now, archived products, products that sold nothing or orders that came to no units, names
shared by several products. Every walk, from one product up, every way out taken: proved
early, proved by walking the whole catalog, and given up for the full sum."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from grocery.adapters.sql import migrate
from grocery.adapters.sql.database import Database
from grocery.adapters.sql.report_ranks import LAST_WALK, ranked_within_days, walks
from grocery.adapters.sql.reports import SqlReportReader
from grocery.core.reports import SalesSort, sales_filter
from grocery.core.services.reports import ReportService
from tests.integration.database import fresh_database

FIRST = date(2026, 3, 1)
DAYS = 92
PRODUCTS = 240
NAMES = [f"{fruit} {size}" for fruit in ("Apple", "Pear", "Plum", "Fig") for size in "SML"]
WINDOWS = [
    ("2026-03-01", "2026-05-31"),
    ("2026-05-02", "2026-05-31"),  # after the past's best sellers stopped selling
    ("2026-04-10", "2026-04-10"),
    ("2026-03-20", None),
    (None, "2026-03-05"),
    ("2026-07-01", "2026-07-30"),  # nothing sold: every product ties at nought
]
TRIES: list[Callable[[int], Sequence[int]]] = [
    lambda limit: (1,),
    lambda limit: (2,),
    lambda limit: (limit + 1, 8 * (limit + 1)),
    lambda limit: (3, 24, 192),
    walks,
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
    summed = _reports(database, lambda limit: ())  # no walk: the range summed
    ways_out = {"early": 0, "whole catalog": 0, "summed": 0}
    for first_day, last_day in WINDOWS:
        for sort in ("most", "least"):
            for limit in (1, 2, 5, 20, 1000):
                wanted = sales_filter(
                    sort=sort, first_day=first_day, last_day=last_day, limit=str(limit)
                )
                expected = (await summed.sales_by_product(wanted)).rows
                assert expected
                for tries in TRIES:
                    got = (await _reports(database, tries).sales_by_product(wanted)).rows
                    assert got == expected, (first_day, last_day, sort, limit, tries(limit))
                    ways_out[await _way_out(database, wanted.sort, wanted, tries)] += 1
    assert all(ways_out.values()), ways_out


async def test_a_past_best_seller_that_sells_nothing_now_is_walked_past(
    database: Database,
) -> None:
    wanted = sales_filter(first_day="2026-05-02", last_day="2026-05-31", limit="3")
    best_ever = await database.fetch("SELECT id FROM products ORDER BY units_sold DESC LIMIT 3")
    rows = (await _reports(database, walks).sales_by_product(wanted)).rows
    assert not {row.product_id for row in rows} & {found[0] for found in best_ever}
    assert rows[0].units_sold >= rows[1].units_sold >= rows[2].units_sold > 0


def test_walks_grow_to_the_last_and_start_past_the_limit() -> None:
    assert walks(20) == (512, 4096, LAST_WALK)
    assert walks(1000)[0] == 8000
    assert walks(1) == (512, 4096, LAST_WALK)


def _reports(database: Database, tries: Callable[[int], Sequence[int]]) -> ReportService:
    reader = SqlReportReader(database, walks=tries)
    return ReportService(reader=reader, timezone="UTC", currency="USD")


async def _way_out(
    database: Database, sort: SalesSort, wanted: Any, tries: Callable[[int], Sequence[int]]
) -> str:
    async with database.connect() as connection:
        days = (wanted.first_day, wanted.last_day)
        rows = await ranked_within_days(connection, sort, days, wanted.limit, tries(wanted.limit))
    if rows is None:
        return "summed"
    return "whole catalog" if rows[0].walked == PRODUCTS else "early"


async def _history(connection: asyncpg.Connection, rng: random.Random) -> None:
    """Products with the days they sold on, their all-time counters the sum of those days
    (and, for some, of sales before them), as checkout and picking keep them."""
    await connection.execute("UPDATE sales_zone SET zone = 'UTC'")
    category = await connection.fetchval(
        "INSERT INTO categories (id, name, slug) VALUES (gen_random_uuid(), 'Fruit', 'fruit')"
        " RETURNING id"
    )
    for n in range(PRODUCTS):
        archived = n % 10 == 9
        days = _sales_days(rng, past_best_seller=n % 12 == 0)
        if archived:  # shown only for what it sold: make it sell once, on the first day
            days.setdefault(FIRST, (1, 1))
        units_sold = sum(units for units, _ in days.values()) + rng.choice((0, 0, 0, 40))
        product = await connection.fetchval(
            "INSERT INTO products (id, category_id, name, slug, price, stock, unit,"
            " low_stock_threshold, units_sold, archived, created_at)"
            " VALUES (gen_random_uuid(), $1, $2, $3, 1.50, 10, 'piece', 1, $4, $5, now())"
            " RETURNING id",
            category,
            rng.choice(NAMES),
            f"fruit-{n}",
            units_sold,
            archived,
        )
        await connection.executemany(
            "INSERT INTO product_sales_days (product_id, day, units, revenue, tax, orders)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            [
                (product, day, units, Decimal(units) * Decimal("1.35"), Decimal("0.10"), orders)
                for day, (units, orders) in days.items()
            ],
        )


def _sales_days(rng: random.Random, *, past_best_seller: bool) -> dict[date, tuple[int, int]]:
    """Some days with their units and orders: a few of them no units (picked short) or no
    orders left (cancelled); a past best seller sells much, and only in March."""
    last = 31 if past_best_seller else DAYS
    days: dict[date, tuple[int, int]] = {}
    for _ in range(rng.choice((0, 2, 5, 20, 40, 60))):
        day = FIRST + timedelta(days=rng.randrange(last))
        units = rng.randrange(200, 400) if past_best_seller else rng.choice((0, 1, 1, 2, 5))
        days[day] = (units, 0 if rng.random() < 0.03 else 1 + units // 3)
    return days
