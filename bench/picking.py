"""The picking scenario's orders: every measured request completes one of them.

One order of 20 lines is placed and picked through the API, as a customer and a manager
would: its 4 weighed lines weighed (5% over the estimate), 3 lines short by a unit, the rest
picked in full, no substitute (a substitute's stock is taken at the pick, before the run,
which bench/invariants.py doesn't follow). Then that order, its picks included, is copied in
SQL as often as the run can complete orders, each copy selling its units as checkout would
(stock, sales counters, `sale` movements), so completing any copy is completing the original.
The copies are whole rows copied, so a column added to orders or their lines comes along.
"""

# ruff: noqa: S608
# (the SQL here is put together from the server's id function's name)

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from bench import dataset

LINES = 20
WEIGHED = 4  # the first lines: loose produce weighed at the counter
SHORT = (5, 9, 13)  # lines short by a unit (ordered 2 or more)
STEP_KG = "0.250"
OVERWEIGHT = Decimal("1.05")
STOCK = 1_000_000  # never short, however many copies sell


async def products(connection: asyncpg.Connection) -> list[UUID]:
    """20 products no other scenario uses, the first 4 sold by weight, all stocked up."""
    chosen = [r["id"] for r in await connection.fetch(
        "SELECT id FROM products WHERE NOT archived ORDER BY id LIMIT $1 OFFSET 1000", LINES
    )]  # fmt: skip
    await connection.execute(
        "UPDATE products SET sold_by = 'weight', step_kg = $2::numeric, unit = 'kg'"
        " WHERE id = ANY($1::uuid[])",
        chosen[:WEIGHED],
        STEP_KG,
    )
    await dataset.stock_up(connection, chosen, STOCK)
    return chosen


def place_and_pick(base_url: str, customer: str, manager: str, chosen: Sequence[UUID]) -> UUID:
    """The original order, placed and picked over HTTP; its id."""
    shopper = _Api(base_url, customer)
    for number, product_id in enumerate(chosen):
        shopper.send(
            "POST", "/api/cart/items", {"product_id": str(product_id), "quantity": 1 + number % 4}
        )
    order = shopper.send(
        "POST", "/api/checkout", {}, {"Idempotency-Key": f"bench-picking-{secrets.token_hex(8)}"}
    )
    picker = _Api(base_url, manager)
    picker.send("POST", f"/api/orders/{order['id']}/picking")
    for number, line in enumerate(order["items"]):
        picker.send("PUT", f"/api/orders/{order['id']}/picks/{line['id']}", pick(number, line))
    return UUID(order["id"])


def pick(number: int, line: dict[str, Any]) -> dict[str, Any]:
    quantity = line["quantity"] - (1 if number in SHORT and line["quantity"] > 1 else 0)
    body: dict[str, Any] = {"picked_quantity": quantity}
    if line.get("estimated_weight_kg"):
        weight = Decimal(line["estimated_weight_kg"]) * OVERWEIGHT * quantity / line["quantity"]
        body["picked_weight_kg"] = str(weight.quantize(Decimal("0.001")))
    return body


async def copies(connection: asyncpg.Connection, original: UUID, count: int) -> list[UUID]:
    """`count` copies of the picked order, as if `count` customers had placed it; their ids."""
    new_id = await dataset.new_id_sql(connection)
    async with connection.transaction():
        await connection.execute(
            f"""
            CREATE TEMP TABLE bench_copy ON COMMIT DROP AS
                SELECT n, {new_id} AS id FROM generate_series(1, {int(count)}) AS n ORDER BY n
            """
        )
        for table in ("orders", "order_lines", "order_categories"):
            await connection.execute(_COPY[table].format(new_id=new_id), original)
        await connection.execute(_SELL.format(new_id=new_id), original, count)
        # The reports' rollups, as checkout keeps them (order_categories' copies did the
        # categories').
        await connection.execute(
            "SELECT grocery_count_sales(id, 1) FROM (SELECT id FROM bench_copy ORDER BY n) c"
        )
        return [r["id"] for r in await connection.fetch("SELECT id FROM bench_copy ORDER BY n")]


# Whole rows copied through jsonb, with the ids that must differ replaced.
_COPY = {
    "orders": """
        INSERT INTO orders
        SELECT r.* FROM orders o CROSS JOIN bench_copy c
         CROSS JOIN LATERAL jsonb_populate_record(
               NULL::orders, to_jsonb(o) || jsonb_build_object('id', c.id)) r
         WHERE o.id = $1 ORDER BY c.n
    """,
    "order_lines": """
        INSERT INTO order_lines
        SELECT r.* FROM order_lines l CROSS JOIN bench_copy c
         CROSS JOIN LATERAL jsonb_populate_record(
               NULL::order_lines,
               to_jsonb(l) || jsonb_build_object('id', {new_id}, 'order_id', c.id)) r
         WHERE l.order_id = $1 ORDER BY c.n, l.id
    """,
    "order_categories": """
        INSERT INTO order_categories
        SELECT r.* FROM order_categories f CROSS JOIN bench_copy c
         CROSS JOIN LATERAL jsonb_populate_record(
               NULL::order_categories, to_jsonb(f) || jsonb_build_object('order_id', c.id)) r
         WHERE f.order_id = $1
    """,
}
# What checkout did for the original, once per copy: the units off the shelf, the sales
# counters up, and each copy's `sale` movements (stock_after as if placed one after another).
_SELL = """
    WITH sold AS (
        SELECT product_id, sum(quantity) AS units, sum(sold_revenue) AS revenue
          FROM order_lines WHERE order_id = $1 GROUP BY product_id
    ), moved AS (
        UPDATE products p
           SET stock = p.stock - s.units * $2, units_sold = p.units_sold + s.units * $2,
               revenue_sold = p.revenue_sold + s.revenue * $2, orders_sold = p.orders_sold + $2
          FROM sold s WHERE p.id = s.product_id
        RETURNING p.id, p.stock, s.units
    )
    INSERT INTO stock_movements (id, product_id, kind, quantity, stock_after, order_id, user_id,
                                 created_at)
    SELECT {new_id}, m.id, 'sale', -m.units, m.stock + m.units * ($2 - c.n), c.id, o.user_id, now()
      FROM moved m CROSS JOIN bench_copy c CROSS JOIN orders o
     WHERE o.id = $1
     ORDER BY c.n, m.id
"""


class _Api:
    """JSON requests with a bearer token; any answer but a 2xx stops the bench."""

    def __init__(self, base_url: str, token: str) -> None:
        self._base_url = base_url
        self._token = token

    def send(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> Any:
        data = None if body is None else msgspec.json.encode(body)
        request = urllib.request.Request(  # noqa: S310 - loopback
            self._base_url + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/json",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                return msgspec.json.decode(answer.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise RuntimeError(
                f"bench picking: {method} {path} -> {error.code}: {detail}"
            ) from error
