"""Idempotency keys in PostgreSQL: a repeated checkout gets the answer the first one got."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.idempotency import idempotency_keys
from grocery.core.orders import Answer, KeptAnswer

_CLAIM_KEY = """
    INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT DO NOTHING RETURNING key
"""
# The body goes as JSON text and comes back as it went (json keeps its text as it was given).
_ANSWER_KEY = """
    UPDATE idempotency_keys SET response_status = $3, response_body = $4::json, order_id = $5
     WHERE user_id = $1 AND key = $2
"""
_KEPT = """
    SELECT request_hash, response_status, response_body::text AS response_body
      FROM idempotency_keys WHERE user_id = $1 AND key = $2
"""


class SqlIdempotencyKeyRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def claim(
        self, user_id: UUID, key: str, request_hash: str, at: datetime
    ) -> KeptAnswer | None:
        # The insert waits while a concurrent request holds the same key, then either takes
        # it (that one rolled back) or finds it answered (that one committed).
        if await self._sql.fetchrow(_CLAIM_KEY, user_id, key, request_hash, at) is not None:
            return None
        return await kept_under(self._sql, user_id, key)

    async def answer(self, user_id: UUID, key: str, answer: Answer, order_id: UUID) -> None:
        body = answer.body.decode()
        await self._sql.execute_sql(_ANSWER_KEY, user_id, key, answer.status, body, order_id)

    async def release(self, user_id: UUID, key: str) -> None:
        await self._sql.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key
            )
        )


async def kept_under(sql: SessionSql, user_id: UUID, key: str) -> KeptAnswer:
    """The request a key was used for, and its answer; read by a statement of its own, after
    the claim that found the key taken, so it sees the request that took it committed."""
    row = await sql.fetchrow(_KEPT, user_id, key)
    assert row is not None  # the claim has just found it
    status, body = row["response_status"], row["response_body"]
    answer = None if status is None else Answer(status=status, body=body.encode())
    return KeptAnswer(request_hash=row["request_hash"], answer=answer)
