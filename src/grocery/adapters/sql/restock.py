"""Notify-me requests in PostgreSQL, and who is waiting when a product comes back."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.restock import restock_requests
from grocery.core.restock import Waiting

# The requests end in the same statement that names their customers: a second taker (a
# stock change waiting on the product's row lock) finds them gone. Wishlisters are read
# as they are; each customer comes once, whichever way they wait.
_TAKE_WAITING = """
    WITH ended AS (
        DELETE FROM restock_requests WHERE product_id = $1 RETURNING user_id
    ), waiting AS (
        SELECT user_id FROM ended
        UNION
        SELECT user_id FROM wishlist_items WHERE product_id = $1
    )
    SELECT u.id, u.email, u.username
      FROM waiting JOIN users u ON u.id = waiting.user_id
     WHERE u.is_active
     ORDER BY u.id
"""


class SqlRestockNotices:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def ask(self, user_id: UUID, product_id: UUID, at: datetime) -> bool:
        added = await self._sql.execute(
            pg_insert(restock_requests)
            .values(user_id=user_id, product_id=product_id, asked_at=at)
            .on_conflict_do_nothing()
            .returning(restock_requests.c.user_id)
        )
        return added.first() is not None

    async def withdraw(self, user_id: UUID, product_id: UUID) -> bool:
        removed = await self._sql.execute(
            delete(restock_requests)
            .where(
                restock_requests.c.user_id == user_id, restock_requests.c.product_id == product_id
            )
            .returning(restock_requests.c.user_id)
        )
        return removed.first() is not None

    async def take_waiting(self, product_id: UUID) -> list[Waiting]:
        rows = await self._sql.fetch(_TAKE_WAITING, product_id)
        return [
            Waiting(user_id=row["id"], email=row["email"], username=row["username"]) for row in rows
        ]
