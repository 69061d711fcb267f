"""Carts in PostgreSQL, and the shelf the cart prices from.

Both run on the hot path as hand-written statements (SessionSql). The shelf reads the
catalog's `products` table: prices and stock are always today's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from grocery.adapters.sql.database import SessionSql
from grocery.core.cart import (
    AddedLine,
    CartContents,
    CartEntry,
    ShelfItem,
    TakenCart,
)
from grocery.core.substitutions import NO_PREFERENCE, Substitution, SubstitutionChoice
from grocery.core.taxes import TaxRate

# --- the shelf ----------------------------------------------------------------


class SqlProductShelf:
    def __init__(self, sql: SessionSql, carts: CartSql | None = None) -> None:
        self._sql = sql
        self._in_cart = (carts or CUSTOMER_CARTS).in_cart

    async def for_cart(self, product_ids: Collection[UUID]) -> dict[UUID, ShelfItem]:
        if not product_ids:
            return {}
        rows = await self._sql.fetch(_ON_THE_SHELF, list(product_ids))
        return {row["id"]: _shelf_item(row) for row in rows}

    async def in_cart(self, user_id: UUID, *, also: UUID | None = None) -> CartContents:
        rows = await self._sql.fetch(self._in_cart, user_id, also)
        lines = [row for row in rows if row["quantity"] is not None]
        return CartContents(
            entries=[entry_of(row["id"], row) for row in lines],
            shelf={row["id"]: _shelf_item(row) for row in rows if row["id"] is not None},
            promo_id=rows[0]["promo_code_id"],
        )


_SHELF_COLUMNS = (
    "p.id, p.name, p.slug, p.price, p.stock, p.category_id, p.archived, p.step_kg,"
    " tax.tax_class, tax.tax_rate"
)
# The class a product is taxed by: its own, else its category's (none: untaxed).
TAXED_BY = """
    LEFT JOIN LATERAL (
        SELECT t.name AS tax_class, t.rate AS tax_rate FROM tax_classes t
         WHERE t.id = coalesce(p.tax_class_id,
                               (SELECT c.tax_class_id FROM categories c WHERE c.id = p.category_id))
    ) tax ON true
"""
# The ids as an InitPlan (here and in checkout's array statements): the planner then can't
# see the array, so it keeps the prepared statement's generic plan instead of planning it
# anew on every call (a custom plan for an array parameter looks cheaper, but isn't).
_ON_THE_SHELF = f"""
    SELECT {_SHELF_COLUMNS} FROM products p {TAXED_BY}
     WHERE p.id = ANY((SELECT $1::uuid[])::uuid[])
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
        taxed_by=taxed_by(row),
    )


def taxed_by(row: Mapping[str, Any]) -> TaxRate | None:
    """The class a shelf or stock row says its product is taxed by."""
    name = row["tax_class"]
    return None if name is None else TaxRate(name, row["tax_rate"])


def entry_of(product_id: UUID, row: Mapping[str, Any]) -> CartEntry:
    """A cart line with its substitution choice (most lines keep the default)."""
    substitution, preferred = row["substitution"], row["preferred_substitute_id"]
    choice = (
        NO_PREFERENCE
        if substitution == Substitution.ALLOW and preferred is None
        else SubstitutionChoice(Substitution(substitution), preferred)
    )
    return CartEntry(product_id=product_id, quantity=row["quantity"], choice=choice)


# --- carts --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CartSql:
    """The statements of one kind of cart: customers' (cart_items by user_id, the code in
    carts) or guests' (guest_cart_items by cart_id, the code in guest_carts). $1 is always
    the cart's owner: the customer's id, or the guest cart's."""

    in_cart: str
    add: str
    set_line: str
    set_choice: str
    remove: str
    take_all: str
    set_promo: str


def _cart_sql(
    lines: str, owner: str, carts: str, cart_key: str, *, take_promo: str, set_promo: str
) -> CartSql:
    """`lines` keyed by (`owner`, product_id); `carts` by `cart_key`. `take_promo`: a CTE
    body that clears the cart's code and returns the one it had, as `promo_code_id`;
    `set_promo` sets it ($2)."""
    return CartSql(
        # At least one row first, with the applied code (if any); a row without a line has
        # no product. A line's product can't be missing: deleting a product deletes its cart
        # lines. Then the product $2 names, if any, as a row without a line.
        in_cart=f"""
    SELECT {_SHELF_COLUMNS}, line.quantity, line.substitution, line.preferred_substitute_id,
           cart.promo_code_id, 0 AS part, line.added_at
      FROM (SELECT $1::uuid AS owner_id) customer
      LEFT JOIN {carts} cart ON cart.{cart_key} = customer.owner_id
      LEFT JOIN ({lines} line JOIN products p ON p.id = line.product_id)
             ON line.{owner} = customer.owner_id
      {TAXED_BY}
    UNION ALL
    SELECT {_SHELF_COLUMNS}, NULL, NULL, NULL, NULL, 1, NULL FROM products p {TAXED_BY}
     WHERE p.id = $2::uuid
     ORDER BY part, added_at, id
""",  # noqa: S608 - constant names
        # Adding to a line is one statement: a concurrent add of the same product waits on
        # the row, then adds to the quantity it committed, so no increment is lost and
        # `room` ($5) still holds. xmax is 0 on a row this statement inserted, set on one it
        # updated.
        add=f"""
    INSERT INTO {lines} ({owner}, product_id, quantity, added_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT ({owner}, product_id) DO UPDATE
       SET quantity = {lines}.quantity + excluded.quantity
     WHERE {lines}.quantity + excluded.quantity <= $5
    RETURNING quantity, xmax = 0 AS created
""",  # noqa: S608 - constant names
        set_line=f"""
    UPDATE {lines} SET quantity = $3 WHERE {owner} = $1 AND product_id = $2
    RETURNING product_id
""",  # noqa: S608 - constant names
        set_choice=f"""
    UPDATE {lines} SET substitution = $3, preferred_substitute_id = $4
     WHERE {owner} = $1 AND product_id = $2
    RETURNING product_id
""",  # noqa: S608 - constant names
        remove=f"DELETE FROM {lines} WHERE {owner} = $1 AND product_id = $2 RETURNING product_id",  # noqa: S608
        # Deleting is what locks: a concurrent checkout of the same cart waits here, then
        # finds nothing; a line added after this statement is not taken, and stays in it.
        take_all=f"""
    WITH cart AS ({take_promo}), taken AS (
        DELETE FROM {lines} WHERE {owner} = $1
        RETURNING product_id, quantity, added_at, substitution, preferred_substitute_id
    )
    SELECT taken.product_id, taken.quantity, taken.substitution, taken.preferred_substitute_id,
           (SELECT promo_code_id FROM cart)
      FROM taken
     ORDER BY taken.added_at, taken.product_id
""",  # noqa: S608 - constant names
        set_promo=set_promo,
    )


CUSTOMER_CARTS = _cart_sql(
    "cart_items",
    "user_id",
    "carts",
    "user_id",
    take_promo="DELETE FROM carts WHERE user_id = $1 RETURNING promo_code_id",
    set_promo="""
    INSERT INTO carts (user_id, promo_code_id) VALUES ($1, $2)
    ON CONFLICT (user_id) DO UPDATE SET promo_code_id = excluded.promo_code_id
""",
)
# A guest cart's row is its identity: taking its lines clears its code but keeps the row.
GUEST_CARTS = _cart_sql(
    "guest_cart_items",
    "cart_id",
    "guest_carts",
    "id",
    take_promo="""UPDATE guest_carts cart SET promo_code_id = NULL FROM guest_carts had
        WHERE cart.id = $1 AND had.id = cart.id RETURNING had.promo_code_id""",
    set_promo="UPDATE guest_carts SET promo_code_id = $2 WHERE id = $1",
)


class SqlCartRepository:
    def __init__(self, sql: SessionSql, carts: CartSql | None = None) -> None:
        self._sql = sql
        self._statements = carts or CUSTOMER_CARTS

    async def add(
        self, user_id: UUID, product_id: UUID, quantity: int, *, at: datetime, room: int
    ) -> AddedLine | None:
        if quantity > room:
            return None
        row = await self._sql.fetchrow(
            self._statements.add, user_id, product_id, quantity, at, room
        )
        return None if row is None else AddedLine(quantity=row["quantity"], created=row["created"])

    async def set_quantity(self, user_id: UUID, product_id: UUID, quantity: int) -> bool:
        row = await self._sql.fetchrow(self._statements.set_line, user_id, product_id, quantity)
        return row is not None

    async def set_choice(self, user_id: UUID, product_id: UUID, choice: SubstitutionChoice) -> bool:
        row = await self._sql.fetchrow(
            self._statements.set_choice,
            user_id,
            product_id,
            choice.substitution.value,
            choice.preferred_substitute_id,
        )
        return row is not None

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        return await self._sql.fetchrow(self._statements.remove, user_id, product_id) is not None

    async def empty(self, user_id: UUID) -> None:
        # The very statement checkout takes the cart with: the same rows locked in the same
        # order, so emptying a cart while it is checked out waits instead of deadlocking.
        await self._sql.execute_sql(self._statements.take_all, user_id)

    async def take_all(self, user_id: UUID) -> TakenCart:
        rows = await self._sql.fetch(self._statements.take_all, user_id)
        return TakenCart(
            entries=[entry_of(row["product_id"], row) for row in rows],
            promo_id=rows[0]["promo_code_id"] if rows else None,
        )

    async def set_promo(self, user_id: UUID, promo_id: UUID | None) -> None:
        await self._sql.execute_sql(self._statements.set_promo, user_id, promo_id)
