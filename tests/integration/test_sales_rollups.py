"""The reports' rollups (migration 0024_sales_days) stay the sums over the order lines
through random checkouts, picks, cancellations and category moves, and through checkouts
that race: bench/invariants.py's SQL sums them straight from the lines and orders. The
reports read from them answer what the counting rules, applied here to the lines and orders
themselves, say: every filter, in two time zones."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from bench import invariants

from grocery.adapters.sql.reports import SqlReportReader
from grocery.core.reports import (
    CategorySales,
    Interval,
    PeriodSales,
    ProductSales,
    over_time_filter,
    sales_filter,
)
from grocery.core.services.reports import ReportService
from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Json, add_category
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import MakeUser, SignedInUser, app_in_this_loop, make_settings
from tests.integration.picking_shop import Picker

NOTHING_OFF = {
    "product day": 0,
    "order day": 0,
    "category day": 0,
    "category month": 0,
    "product tax": 0,
    "product recent": 0,
}


@asynccontextmanager
async def _connected(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    # No statement cache: the tests also run through PgBouncer in transaction mode, where a
    # prepared statement may be gone by the next transaction.
    url = database_url.replace("+asyncpg", "")
    connection = await asyncpg.connect(url, statement_cache_size=0)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def connection(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    async with _connected(database_url) as connection:
        yield connection


async def _taxed(shop: Shop, rate: str) -> Json:
    response = await shop.client.post(
        "/api/tax-classes",
        json={"name": f"Rate {random.random()}", "rate": rate},
        headers=shop.manager.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _products(shop: Shop, picker: Picker) -> list[Json]:
    tax = await _taxed(shop, "7.5")
    products = [await shop.product(price=price, stock=500) for price in ("1.99", "0.35", "12.10")]
    products[0] = await shop.edit(products[0], tax_class_id=tax["id"])
    products.append(await picker.weighed(price="3.30", stock=500))
    return products


async def _pick_and_complete(
    picker: Picker, order: Json, products: list[Json], rng: random.Random
) -> None:
    started = await picker.start(order)
    for index, line in enumerate(started["items"]):
        picked = rng.randint(0, line["quantity"])
        body: dict[str, object] = {"picked_quantity": picked}
        if line["estimated"] and picked:
            body["picked_weight_kg"] = str(
                float(line["estimated_weight_kg"]) * picked / line["quantity"]
            )
        others = [p for p in products if p["id"] != line["product_id"] and p["sold_by"] == "each"]
        if picked < line["quantity"] and others and rng.random() < 0.5:
            body["substitute"] = {"product_id": rng.choice(others)["id"], "quantity": 1}
        await picker.pick(started, index, **body)
    await picker.complete(order)


async def _random_history(
    connection: asyncpg.Connection, shop: Shop, make_user: MakeUser, seed: int
) -> list[Json]:
    """Random checkouts, picks, cancellations and category moves on fresh products, the
    rollups checked exact after each; the products, as they end."""
    rng = random.Random(seed)
    await _recent_kept(connection)
    picker = Picker(shop)
    products = await _products(shop, picker)
    promo = await shop.promo(value="15")
    customers = [await make_user() for _ in range(3)]
    placed: list[Json] = []
    for step in range(24):
        action = rng.choice(["checkout", "checkout", "pick", "cancel", "move"])
        if action == "checkout" or not placed:
            lines = [(p, rng.randint(1, 4)) for p in rng.sample(products, rng.randint(1, 3))]
            chosen = promo if rng.random() < 0.3 else None
            placed.append(await picker.placed_by(rng.choice(customers), *lines, promo=chosen))
        elif action == "pick":
            order = placed.pop(rng.randrange(len(placed)))
            await _pick_and_complete(picker, order, products, rng)
        elif action == "cancel":
            order = placed.pop(rng.randrange(len(placed)))
            answer = await shop.client.post(
                f"/api/orders/{order['id']}/cancel", headers=shop.manager.headers
            )
            assert answer.status_code == 200, answer.text
        else:
            aisle = await add_category(shop.client, shop.manager.headers)
            moved = rng.randrange(len(products))
            products[moved] = await shop.edit(products[moved], category_id=aisle["id"])
        assert await invariants.rollups_off(connection) == NOTHING_OFF, (step, action)
    return products


async def test_random_checkouts_picks_and_cancellations_keep_the_rollups_exact(
    connection: asyncpg.Connection, shop: Shop, make_user: MakeUser
) -> None:
    await _random_history(connection, shop, make_user, seed=24)


async def test_the_least_sold_of_the_last_30_days_over_http_reads_the_counters(
    connection: asyncpg.Connection, shop: Shop, make_user: MakeUser
) -> None:
    """Asked for exactly the counters' days, the API answers from them (a counter set off
    shows), as the days' sum answers; asked to the day before, it sums."""
    await _random_history(connection, shop, make_user, seed=30)
    first, today = await connection.fetchrow(
        "SELECT recent_from, (now() AT TIME ZONE zone)::date FROM sales_zone"
    )
    window = {"sort": "least", "from": str(first), "to": str(today), "limit": "1000"}

    async def least(**asked: str) -> list[Json]:
        answer = await shop.client.get(
            "/api/reports/sales-by-product", params=asked, headers=shop.manager.headers
        )
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])

    from_counters = await least(**window)
    await connection.execute("UPDATE sales_zone SET recent_from = NULL")
    summed = await least(**window)
    await connection.execute("SELECT grocery_roll_recent_sales()")
    assert from_counters == summed
    assert any(row["units_sold"] for row in from_counters)

    sold = next(row for row in from_counters if row["units_sold"])
    set_off = "UPDATE products SET recent_units = recent_units + $2 WHERE id = $1"
    await connection.execute(set_off, sold["product_id"], 1000)
    try:
        shown = {row["product_id"]: row["units_sold"] for row in await least(**window)}
        assert shown[sold["product_id"]] == sold["units_sold"] + 1000
        before = {**window, "to": str(today - timedelta(days=1))}  # the history is today's
        summed_before = {row["product_id"]: row["units_sold"] for row in await least(**before)}
        assert summed_before.get(sold["product_id"], 0) == 0
    finally:
        await connection.execute(set_off, sold["product_id"], -1000)


async def test_reports_read_from_the_rollups_answer_as_the_lines_say(
    connection: asyncpg.Connection, shop: Shop, make_user: MakeUser, adapters: Adapters
) -> None:
    products = await _random_history(connection, shop, make_user, seed=7)
    # Spread the history over days either side of midnight in both zones (checkout only
    # places orders now), then rebuild the rollups as had they been placed then.
    rng = random.Random(7)
    orders = await connection.fetch(
        "SELECT DISTINCT order_id FROM order_lines WHERE product_id = ANY($1::uuid[])",
        [product["id"] for product in products],
    )
    start = datetime(2026, 3, 7, 23, 30, tzinfo=UTC)  # New York's clocks move on 8 March
    for row in orders:
        moment = start + timedelta(hours=rng.choice([0, 1, 5, 26, 49, 170, 800]))
        await connection.execute(
            "UPDATE orders SET created_at = $2 WHERE id = $1", row["order_id"], moment
        )
    await connection.execute("SELECT grocery_rebuild_sales_days('UTC')")
    assert await invariants.rollups_off(connection) == NOTHING_OFF  # as migrations backfill
    categories = {product["category"]["id"] for product in products}
    windows_that_sold = 0
    for zone in ("UTC", "America/New_York"):
        reports = ReportService(
            reader=SqlReportReader(adapters.database), timezone=zone, currency="USD"
        )
        expected = Expected(await _counted(connection, categories, zone), zone)
        for category, from_, to in _filters(categories):
            dates = {"first_day": from_, "last_day": to}
            first, last = (None if day is None else date.fromisoformat(day) for day in (from_, to))
            wanted = sales_filter(category=category, limit="1000", **dates)
            by_product = await reports.sales_by_product(wanted)
            sold = expected.by_product(category, first, last)
            assert _mine(by_product.rows, products) == sold
            windows_that_sold += bool(sold)
            by_category = await reports.sales_by_category(wanted)
            assert _categories(by_category.rows, categories) == expected.by_category(
                category, first, last
            )
            for interval in ("day", "week", "month"):
                periods = await reports.sales_over_time(
                    over_time_filter(category=category, interval=interval, **dates)
                )
                assert _sold_periods(periods.rows) == expected.over_time(
                    category, first, last, interval
                ), (zone, category, first, last, interval)
    assert len(categories) > 1
    assert windows_that_sold > len(categories) * 4  # most filters see sales, in both zones


async def test_a_broken_rollup_is_caught(
    connection: asyncpg.Connection, shop: Shop, ann: SignedInUser
) -> None:
    product = await shop.product(stock=5)
    await shop.placed(ann, (product, 2))
    await connection.execute(
        "UPDATE product_sales_days SET units = units + 1 WHERE product_id = $1", product["id"]
    )
    try:
        assert (await invariants.rollups_off(connection))["product day"] == 1
    finally:
        await connection.execute(
            "UPDATE product_sales_days SET units = units - 1 WHERE product_id = $1", product["id"]
        )


async def test_racing_checkouts_and_cancellations_keep_the_rollups_exact(
    connection: asyncpg.Connection, shop: Shop, make_user: MakeUser, database_url: str
) -> None:
    """Sixteen customers check out the same few products at once (the same product and
    category rows of today), while earlier orders are cancelled: nobody deadlocks, nothing
    is lost."""
    products = [await shop.product(stock=1000) for _ in range(4)]
    customers = [await make_user() for _ in range(16)]
    first = [await shop.placed(customer, (products[0], 1)) for customer in customers[:4]]
    for index, customer in enumerate(customers):
        # Each takes the products in its own order: rows must still be locked in one order.
        mine = products[index % 4 :] + products[: index % 4]
        await shop.fill(customer, *[(product, 1 + index % 3) for product in mine])

    async def cancel(client: httpx.AsyncClient, order: Json) -> int:
        answer = await client.post(
            f"/api/orders/{order['id']}/cancel", headers=shop.manager.headers
        )
        return answer.status_code

    # Through an app in this loop: the shared test client serves one request at a time.
    async with app_in_this_loop(make_settings(database_url)) as client:
        answers = await asyncio.gather(
            *[checkout(client, customer) for customer in customers],
            *[cancel(client, order) for order in first],
        )
    assert [a.status_code for a in answers[:16]] == [201] * 16
    assert answers[16:] == [200] * 4
    assert await invariants.rollups_off(connection) == NOTHING_OFF


async def test_a_day_leaving_the_last_30_races_cancelling_and_picking(
    connection: asyncpg.Connection, shop: Shop, make_user: MakeUser, database_url: str
) -> None:
    """Orders of the first of the last 30 days are cancelled and picked while the day turns
    and the roll takes that day off the products' recent counters (0030_recent_sales): all
    wait for a lock on their products, then go at once. Whichever goes first, the counters
    end without those orders, and the other rollups still add up."""
    now = await connection.fetchval("SELECT now()")
    products = [await shop.product(stock=100) for _ in range(3)]
    picker = Picker(shop)
    customers = [await make_user() for _ in range(6)]
    orders = [
        await picker.placed_by(c, (products[0], 2), (products[n % 2 + 1], 1))
        for n, c in enumerate(customers)
    ]
    picked = orders[:3]
    for order in picked:  # picked up to their completion, which races
        started = await picker.start(order)
        await picker.pick(started, 0, picked_quantity=1)
        await picker.pick(started, 1, picked_quantity=1)
    await connection.execute(
        "UPDATE orders SET created_at = $2 WHERE id = ANY($1::uuid[])",
        [order["id"] for order in orders],
        now - timedelta(days=29),
    )
    await connection.execute("SELECT grocery_rebuild_sales_days((SELECT zone FROM sales_zone))")
    await connection.execute("SELECT grocery_roll_recent_sales($1)", now)
    ids = [product["id"] for product in products]
    assert await _recent_units(connection, ids) == [12, 3, 3]
    assert await invariants.rollups_off(connection) == NOTHING_OFF

    async def step(client: httpx.AsyncClient, order: Json, path: str) -> int:
        answer = await client.post(f"/api/orders/{order['id']}/{path}", headers=picker.headers)
        return answer.status_code

    async def roll() -> None:
        async with _connected(database_url) as rolling:
            await rolling.execute("SELECT grocery_roll_recent_sales($1)", now + timedelta(days=1))

    # Requests through an app in this loop: the shared test client serves one at a time.
    async with (
        _connected(database_url) as blocker,
        app_in_this_loop(make_settings(database_url)) as client,
    ):
        held = blocker.transaction()
        await held.start()
        await blocker.execute("SELECT FROM products WHERE id = ANY($1::uuid[]) FOR UPDATE", ids)
        racing = asyncio.gather(
            *[step(client, order, "picking/complete") for order in picked],
            *[step(client, order, "cancel") for order in orders[3:]],
            roll(),
        )
        await asyncio.sleep(0.5)  # every one waits for the products
        await held.commit()
        answers = await racing
    assert answers[:6] == [200] * 6
    assert await _recent_units(connection, ids) == [0, 0, 0]
    assert await invariants.rollups_off(connection) == NOTHING_OFF


async def _recent_kept(connection: asyncpg.Connection) -> None:
    """The last 30 days' counters kept (a rebuild by an earlier test leaves them not)."""
    await connection.execute("SELECT grocery_roll_recent_sales()")
    assert await connection.fetchval("SELECT recent_from FROM sales_zone") is not None


async def _recent_units(connection: asyncpg.Connection, ids: list[str]) -> list[int]:
    rows = await connection.fetch(
        "SELECT recent_units FROM products WHERE id = ANY($1::uuid[])"
        " ORDER BY array_position($1::uuid[], id)",
        ids,
    )
    return [row["recent_units"] for row in rows]


# --- the counting rules, applied to the lines and orders themselves ------------------------


@dataclass(frozen=True)
class Counted:
    lines: list[Any]  # the lines that count, with their product's category now
    orders: list[Any]  # the orders that count, with their own figures


async def _counted(connection: asyncpg.Connection, categories: set[str], zone: str) -> Counted:
    lines = await connection.fetch(
        """
        SELECT l.product_id, p.category_id, l.order_id, o.created_at, l.sold_units AS units,
               l.sold_revenue AS revenue, coalesce(l.final_tax, l.tax) AS tax
          FROM orders o JOIN order_lines l ON l.order_id = o.id
          JOIN products p ON p.id = l.product_id
         WHERE o.status <> 'cancelled' AND l.sold_units > 0 AND p.category_id = ANY($1::uuid[])
        """,
        list(categories),
    )
    orders = await connection.fetch(
        """
        SELECT created_at, units, coalesce(final_total, total) - delivery_fee AS revenue,
               coalesce(final_tax, tax) AS tax
          FROM orders WHERE status <> 'cancelled' AND units > 0
        """
    )
    return Counted(list(lines), list(orders))


Figures = tuple[int, Decimal, Decimal, int]  # units, revenue, tax, orders


class Expected:
    def __init__(self, counted: Counted, zone: str) -> None:
        self.counted, self.zone = counted, ZoneInfo(zone)

    def day(self, row: Any) -> date:
        return row["created_at"].astimezone(self.zone).date()

    def lines(self, category: str | None, first: date | None, last: date | None) -> Iterator[Any]:
        for line in self.counted.lines:
            day = self.day(line)
            if category is not None and str(line["category_id"]) != category:
                continue
            if (first is None or day >= first) and (last is None or day <= last):
                yield line

    def by_product(
        self, category: str | None, first: date | None, last: date | None
    ) -> dict[UUID, Figures]:
        return _summed(self.lines(category, first, last), "product_id")

    def by_category(
        self, category: str | None, first: date | None, last: date | None
    ) -> dict[UUID, Figures]:
        return _summed(self.lines(category, first, last), "category_id")

    def over_time(
        self, category: str | None, first: date | None, last: date | None, interval: str
    ) -> dict[date, Figures]:
        if category is not None:
            per_order = defaultdict(list)
            for line in self.lines(category, first, last):
                per_order[line["order_id"]].append(line)
            rows = [
                {
                    "created_at": lines[0]["created_at"],
                    "units": sum(line["units"] for line in lines),
                    "revenue": sum(line["revenue"] for line in lines),
                    "tax": sum(line["tax"] for line in lines),
                }
                for lines in per_order.values()
            ]
        else:
            rows = [
                row
                for row in self.counted.orders
                if (first is None or self.day(row) >= first)
                and (last is None or self.day(row) <= last)
            ]
        periods: dict[date, Figures] = {}
        for row in rows:
            start = _period(self.day(row), Interval(interval))
            units, revenue, tax, orders = periods.get(start, (0, Decimal(0), Decimal(0), 0))
            periods[start] = (
                units + row["units"],
                revenue + row["revenue"],
                tax + row["tax"],
                orders + 1,
            )
        return periods


def _summed(lines: Iterator[Any], key: str) -> dict[UUID, Figures]:
    units: dict[UUID, int] = defaultdict(int)
    revenue: dict[UUID, Decimal] = defaultdict(Decimal)
    tax: dict[UUID, Decimal] = defaultdict(Decimal)
    orders: dict[UUID, set[UUID]] = defaultdict(set)
    for line in lines:
        units[line[key]] += line["units"]
        revenue[line[key]] += line["revenue"]
        tax[line[key]] += line["tax"]
        orders[line[key]].add(line["order_id"])
    return {k: (units[k], revenue[k], tax[k], len(orders[k])) for k in units}


def _period(day: date, interval: Interval) -> date:
    if interval is Interval.MONTH:
        return day.replace(day=1)
    if interval is Interval.WEEK:
        return day - timedelta(days=day.weekday())
    return day


def _filters(categories: set[str]) -> Iterator[tuple[str | None, str | None, str | None]]:
    for category in (None, *sorted(categories)):
        for first, last in (
            (None, None),
            ("2026-03-08", None),
            (None, "2026-03-09"),
            ("2026-03-08", "2026-03-10"),
            ("2026-03-15", "2026-03-15"),
            ("2026-03-01", "2026-03-31"),  # a whole month: read from the months' rollup
            ("2026-02-27", "2026-04-02"),  # a whole month and days either side of it
            (None, "2026-03-31"),
        ):
            yield category, first, last


def _mine(rows: list[ProductSales], products: list[Json]) -> dict[UUID, Figures]:
    """The rows that sold, of this test's products (other tests' share the database)."""
    ours = {UUID(product["id"]) for product in products}
    return {
        row.product_id: (row.units_sold, row.revenue, row.tax, row.orders)
        for row in rows
        if row.product_id in ours and row.orders
    }


def _categories(rows: list[CategorySales], categories: set[str]) -> dict[UUID, Figures]:
    return {
        row.category.id: (row.units_sold, row.revenue, row.tax, row.orders)
        for row in rows
        if str(row.category.id) in categories and row.orders
    }


def _sold_periods(rows: list[PeriodSales]) -> dict[date, Figures]:
    return {row.period: (row.units, row.revenue, row.tax, row.orders) for row in rows if row.orders}
