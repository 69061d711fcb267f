"""Guest carts in PostgreSQL: the carts themselves (their lines are SqlCartRepository's with
GUEST_CARTS' statements)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from grocery.adapters.sql.carts import entry_of
from grocery.adapters.sql.database import SessionSql
from grocery.core.cart import TakenCart

_OPEN = """
    INSERT INTO guest_carts (id, token_hash, created_at, last_used_at) VALUES ($1, $2, $3, $3)
"""
_FIND = """
    UPDATE guest_carts SET last_used_at = greatest(last_used_at, $2)
     WHERE token_hash = $1 AND last_used_at > $3
    RETURNING id
"""
# Locking the cart first makes a second merge of it wait, then find it gone.
_LIVE_FOR_TAKING = """
    SELECT id, promo_code_id FROM guest_carts WHERE token_hash = $1 AND last_used_at > $2
       FOR UPDATE
"""
_TAKE_LINES = """
    DELETE FROM guest_cart_items WHERE cart_id = $1
    RETURNING product_id, quantity, added_at, substitution, preferred_substitute_id
"""
_DELETE = "DELETE FROM guest_carts WHERE id = $1"


class SqlGuestCartRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def open(self, cart_id: UUID, token_hash: str, at: datetime) -> None:
        await self._sql.execute_sql(_OPEN, cart_id, token_hash, at)

    async def find(self, token_hash: str, *, at: datetime, idle_since: datetime) -> UUID | None:
        row = await self._sql.fetchrow(_FIND, token_hash, at, idle_since)
        return None if row is None else row["id"]

    async def take(self, token_hash: str, *, idle_since: datetime) -> TakenCart | None:
        cart = await self._sql.fetchrow(_LIVE_FOR_TAKING, token_hash, idle_since)
        if cart is None:
            return None
        lines = sorted(
            await self._sql.fetch(_TAKE_LINES, cart["id"]),
            key=lambda row: (row["added_at"], row["product_id"]),
        )
        await self._sql.execute_sql(_DELETE, cart["id"])
        return TakenCart(
            entries=[entry_of(row["product_id"], row) for row in lines],
            promo_id=cart["promo_code_id"],
        )
