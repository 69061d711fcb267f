"""Carts in PostgreSQL, and the shelf the cart prices from.

Both run on the hot path as hand-written statements (SessionSql). The shelf reads the
catalog's `products` table: prices and stock are always today's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert as pg_insert

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.carts import carts
from grocery.core.cart import (
    AddedLine,
    CartContents,
    CartEntry,
    ShelfItem,
    TakenCart,
)
from grocery.core.substitutions import NO_PREFERENCE, Substitution, SubstitutionChoice

# --- the shelf ----------------------------------------------------------------


class SqlProductShelf:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def for_cart(self, product_ids: Collection[UUID]) -> dict[UUID, ShelfItem]:
        if not product_ids:
            return {}
        rows = await self._sql.fetch(_ON_THE_SHELF, list(product_ids))
        return {row["id"]: _shelf_item(row) for row in rows}

    async def in_cart(self, user_id: UUID, *, also: UUID | None = None) -> CartContents:
        rows = await self._sql.fetch(_IN_THE_CART, user_id, also)
        lines = [row for row in rows if row["quantity"] is not None]
        return CartContents(
            entries=[_entry(row["id"], row) for row in lines],
            shelf={row["id"]: _shelf_item(row) for row in rows if row["id"] is not None},
            promo_id=rows[0]["promo_code_id"],
        )


_SHELF_COLUMNS = "p.id, p.name, p.slug, p.price, p.stock, p.category_id, p.archived, p.step_kg"
# The ids as an InitPlan (here and in checkout's array statements): the planner then can't
# see the array, so it keeps the prepared statement's generic plan instead of planning it
# anew on every call (a custom plan for an array parameter looks cheaper, but isn't).
_ON_THE_SHELF = f"""
    SELECT {_SHELF_COLUMNS} FROM products p WHERE p.id = ANY((SELECT $1::uuid[])::uuid[])
"""  # noqa: S608 - constant columns
# At least one row first, with the applied code (if any); a row without a line has no
# product. A line's product can't be missing: deleting a product deletes its cart lines.
# Then the product $2 names, if any, as a row without a line.
_IN_THE_CART = f"""
    SELECT {_SHELF_COLUMNS}, line.quantity, line.substitution, line.preferred_substitute_id,
           cart.promo_code_id, 0 AS part, line.added_at
      FROM (SELECT $1::uuid AS user_id) customer
      LEFT JOIN carts cart ON cart.user_id = customer.user_id
      LEFT JOIN (cart_items line JOIN products p ON p.id = line.product_id)
             ON line.user_id = customer.user_id
    UNION ALL
    SELECT {_SHELF_COLUMNS}, NULL, NULL, NULL, NULL, 1, NULL FROM products p WHERE p.id = $2::uuid
     ORDER BY part, added_at, id
"""  # noqa: S608 - constant columns


def _shelf_item(row: Mapping[str, Any]) -> ShelfItem:
    return ShelfItem(
        product_id=row["id"],
        name=row["name"],
        slug=row["slug"],
        unit_price=row["price"],
        stock=row["stock"],
        category_id=row["category_id"],
        available=not row["archived"],
        step_kg=row["step_kg"],
    )


def _entry(product_id: UUID, row: Mapping[str, Any]) -> CartEntry:
    """A cart line with its substitution choice (most lines keep the default)."""
    substitution, preferred = row["substitution"], row["preferred_substitute_id"]
    choice = (
        NO_PREFERENCE
        if substitution == Substitution.ALLOW and preferred is None
        else SubstitutionChoice(Substitution(substitution), preferred)
    )
    return CartEntry(product_id=product_id, quantity=row["quantity"], choice=choice)


# --- carts --------------------------------------------------------------------


# Adding to a line is one statement: a concurrent add of the same product waits on the
# row, then adds to the quantity it committed, so no increment is lost and `room` ($5)
# still holds. xmax is 0 on a row this statement inserted, set on one it updated.
_ADD_TO_LINE = """
    INSERT INTO cart_items (user_id, product_id, quantity, added_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (user_id, product_id) DO UPDATE
       SET quantity = cart_items.quantity + excluded.quantity
     WHERE cart_items.quantity + excluded.quantity <= $5
    RETURNING quantity, xmax = 0 AS created
"""
_SET_LINE = """
    UPDATE cart_items SET quantity = $3 WHERE user_id = $1 AND product_id = $2
    RETURNING product_id
"""
_SET_CHOICE = """
    UPDATE cart_items SET substitution = $3, preferred_substitute_id = $4
     WHERE user_id = $1 AND product_id = $2
    RETURNING product_id
"""
_REMOVE_LINE = "DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2 RETURNING product_id"
# Deleting is what locks: a concurrent checkout of the same cart waits here, then finds
# nothing; a line added after this statement is not taken, and stays in the cart.
_TAKE_ALL = """
    WITH cart AS (
        DELETE FROM carts WHERE user_id = $1 RETURNING promo_code_id
    ), taken AS (
        DELETE FROM cart_items WHERE user_id = $1
        RETURNING product_id, quantity, added_at, substitution, preferred_substitute_id
    )
    SELECT taken.product_id, taken.quantity, taken.substitution, taken.preferred_substitute_id,
           (SELECT promo_code_id FROM cart)
      FROM taken
     ORDER BY taken.added_at, taken.product_id
"""


class SqlCartRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(
        self, user_id: UUID, product_id: UUID, quantity: int, *, at: datetime, room: int
    ) -> AddedLine | None:
        if quantity > room:
            return None
        row = await self._sql.fetchrow(_ADD_TO_LINE, user_id, product_id, quantity, at, room)
        return None if row is None else AddedLine(quantity=row["quantity"], created=row["created"])

    async def set_quantity(self, user_id: UUID, product_id: UUID, quantity: int) -> bool:
        return await self._sql.fetchrow(_SET_LINE, user_id, product_id, quantity) is not None

    async def set_choice(self, user_id: UUID, product_id: UUID, choice: SubstitutionChoice) -> bool:
        row = await self._sql.fetchrow(
            _SET_CHOICE,
            user_id,
            product_id,
            choice.substitution.value,
            choice.preferred_substitute_id,
        )
        return row is not None

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        return await self._sql.fetchrow(_REMOVE_LINE, user_id, product_id) is not None

    async def empty(self, user_id: UUID) -> None:
        # The very statement checkout takes the cart with: the same rows locked in the same
        # order, so emptying a cart while it is checked out waits instead of deadlocking.
        await self._sql.execute_sql(_TAKE_ALL, user_id)

    async def take_all(self, user_id: UUID) -> TakenCart:
        rows = await self._sql.fetch(_TAKE_ALL, user_id)
        return TakenCart(
            entries=[_entry(row["product_id"], row) for row in rows],
            promo_id=rows[0]["promo_code_id"] if rows else None,
        )

    async def set_promo(self, user_id: UUID, promo_id: UUID | None) -> None:
        statement = pg_insert(carts).values(user_id=user_id, promo_code_id=promo_id)
        await self._sql.execute(
            statement.on_conflict_do_update(
                index_elements=[carts.c.user_id],
                set_={"promo_code_id": statement.excluded.promo_code_id},
            )
        )
