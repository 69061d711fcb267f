"""The stock room in PostgreSQL: checkout takes stock, a cancellation puts it back, a manager
receives or adjusts it.

Each moves every line in one conditional statement, relative to the stock it finds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import select

from grocery.adapters.sql.carts import TAXED_BY, taxed_by
from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.stock import stock_movements
from grocery.core.alerts import StockMove
from grocery.core.orders import TakenStock
from grocery.core.pricing import CartLine
from grocery.core.stock import MovementKind, StockMovement
from grocery.core.weights import Weighing, price_of_one

# One statement for every line: the rows are locked in id order first, so two checkouts,
# or a checkout and a cancellation, never wait on each other in a circle; then each sees
# the stock the previous one left, so the shelf can't go below zero. A short product's row
# is locked but not changed. Arrays as InitPlans keep the generic plan (adapters/sql/carts.py,
# _ON_THE_SHELF). Each line's tax class is read with its row, in the same statement.
_TAKE = f"""
    WITH wanted AS (
        SELECT * FROM unnest((SELECT $1::uuid[]), (SELECT $2::int[])) AS wanted (id, quantity)
    ), locked AS MATERIALIZED (
        SELECT p.id FROM wanted JOIN products p USING (id) ORDER BY p.id FOR UPDATE OF p
    ), taken AS (
        UPDATE products p SET stock = p.stock - wanted.quantity
          FROM locked JOIN wanted USING (id)
         WHERE p.id = locked.id AND p.stock >= wanted.quantity AND NOT p.archived
        RETURNING p.id, p.name, p.price, p.category_id, p.tax_class_id, p.stock,
                  p.low_stock_threshold, p.step_kg, wanted.quantity
    )
    SELECT p.*, tax.tax_class, tax.tax_rate FROM taken p {TAXED_BY}
"""  # noqa: S608 - a constant join
# A cancelled order's units back on the shelf, locking as _TAKE does. An ordered product
# is never deleted (only archived), so every one is there.
_PUT_BACK = """
    WITH back AS (
        SELECT * FROM unnest((SELECT $1::uuid[]), (SELECT $2::int[])) AS back (id, quantity)
    ), locked AS MATERIALIZED (
        SELECT p.id FROM back JOIN products p USING (id) ORDER BY p.id FOR UPDATE OF p
    )
    UPDATE products p SET stock = p.stock + back.quantity
      FROM locked JOIN back USING (id)
     WHERE p.id = locked.id
    RETURNING p.id, p.name, p.stock, p.low_stock_threshold, back.quantity
"""
# A substitute swapped at a pick: the old one's units back, the new one's taken, locking as
# _TAKE does (a give-back locked alone first would make two opposite swaps wait on each other
# in a circle). A take short of stock, or of an archived product, changes nothing of it.
_EXCHANGE = """
    WITH change AS (
        SELECT * FROM unnest((SELECT $1::uuid[]), (SELECT $2::int[])) AS change (id, quantity)
    ), locked AS MATERIALIZED (
        SELECT p.id FROM change JOIN products p USING (id) ORDER BY p.id FOR UPDATE OF p
    )
    UPDATE products p SET stock = p.stock - change.quantity
      FROM locked JOIN change USING (id)
     WHERE p.id = locked.id
       AND (change.quantity < 0 OR (p.stock >= change.quantity AND NOT p.archived))
    RETURNING p.id, p.name, p.stock, p.low_stock_threshold, change.quantity
"""
# A manager's receipt or adjustment: conditional, so the shelf never goes below zero.
_ADJUST = """
    UPDATE products SET stock = stock + $2
     WHERE id = $1 AND stock + $2 >= 0
    RETURNING id, name, stock, low_stock_threshold
"""


class SqlStockRoom:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def take(self, wanted: Mapping[UUID, int]) -> dict[UUID, TakenStock]:
        rows = await self._sql.fetch(_TAKE, list(wanted), list(wanted.values()))
        return {row["id"]: _taken(row) for row in rows}

    async def put_back(self, quantities: Mapping[UUID, int]) -> list[StockMove]:
        rows = await self._sql.fetch(_PUT_BACK, list(quantities), list(quantities.values()))
        moved = {row["id"]: _move(row, stock_before=row["stock"] - row["quantity"]) for row in rows}
        return [moved[product_id] for product_id in quantities]

    async def exchange(self, changes: Mapping[UUID, int]) -> dict[UUID, StockMove]:
        rows = await self._sql.fetch(_EXCHANGE, list(changes), list(changes.values()))
        moved = {row["id"]: _move(row, stock_before=row["stock"] + row["quantity"]) for row in rows}
        return {product_id: moved[product_id] for product_id in sorted(moved)}

    async def adjust(self, product_id: UUID, quantity: int) -> StockMove | None:
        row = await self._sql.fetchrow(_ADJUST, product_id, quantity)
        return None if row is None else _move(row, stock_before=row["stock"] - quantity)


def _taken(row: Mapping[str, Any]) -> TakenStock:
    quantity, step_kg = row["quantity"], row["step_kg"]
    weighing = None if step_kg is None else Weighing(row["price"], step_kg)
    line = CartLine(
        product_id=row["id"],
        name=row["name"],
        category_id=row["category_id"],
        unit_price=price_of_one(row["price"], weighing),
        quantity=quantity,
        weighing=weighing,
        taxed_by=taxed_by(row),
    )
    return TakenStock(line=line, move=_move(row, stock_before=row["stock"] + quantity))


def _move(row: Mapping[Any, Any], *, stock_before: int) -> StockMove:
    return StockMove(
        product_id=row["id"],
        product_name=row["name"],
        stock_before=stock_before,
        stock_after=row["stock"],
        threshold=row["low_stock_threshold"],
    )


# --- the ledger ---------------------------------------------------------------

# Every movement of a use case in one statement, however many products it moved.
_RECORD = """
    INSERT INTO stock_movements (id, product_id, kind, quantity, stock_after, order_id,
                                 user_id, note, created_at)
    SELECT * FROM unnest((SELECT $1::uuid[]), (SELECT $2::uuid[]), (SELECT $3::text[]),
                         (SELECT $4::int[]), (SELECT $5::int[]), (SELECT $6::uuid[]),
                         (SELECT $7::uuid[]), (SELECT $8::text[]),
                         (SELECT $9::timestamptz[]))
"""


class SqlStockLedger:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def record(self, movements: Sequence[StockMovement]) -> None:
        if not movements:
            return
        await self._sql.execute_sql(_RECORD, *movement_columns(movements))

    async def page(
        self, product_id: UUID, *, before: UUID | None, limit: int
    ) -> list[StockMovement]:
        query = (
            select(stock_movements)
            .where(stock_movements.c.product_id == product_id)
            .order_by(stock_movements.c.id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(stock_movements.c.id < before)
        rows = (await self._sql.execute(query)).mappings()
        return [StockMovement(**{**row, "kind": MovementKind(row["kind"])}) for row in rows]


def movement_columns(movements: Sequence[StockMovement]) -> list[list[Any]]:
    """The movements as one array per column, in stock_movements' insert order (the ledger's
    insert, and checkout's placement statement, unnest them)."""
    return [
        [m.id for m in movements],
        [m.product_id for m in movements],
        [m.kind.value for m in movements],
        [m.quantity for m in movements],
        [m.stock_after for m in movements],
        [m.order_id for m in movements],
        [m.user_id for m in movements],
        [m.note for m in movements],
        [m.created_at for m in movements],
    ]
