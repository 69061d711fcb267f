"""The outbox in PostgreSQL: messages claimed with SKIP LOCKED, so workers never share one."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select, text, update

from grocery.adapters.sql.database import Database, SessionSql
from grocery.adapters.sql.schema.outbox import PENDING, outbox
from grocery.core.outbox import OutboxMessage

_LAST_ERROR_MAX_LENGTH = 1000


class SqlOutbox:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, message: OutboxMessage) -> None:
        await self._sql.execute(
            insert(outbox).values(
                id=message.id,
                kind=message.kind,
                payload=dict(message.payload),
                idempotency_key=message.idempotency_key,
                created_at=message.created_at,
                attempts=message.attempts,
                next_attempt_at=message.next_attempt_at,
            )
        )

    async def claim_due(
        self, now: datetime, limit: int, *, kinds: Collection[str]
    ) -> list[OutboxMessage]:
        query = (
            select(outbox)
            .where(PENDING, outbox.c.next_attempt_at <= now, outbox.c.kind.in_(list(kinds)))
            .order_by(outbox.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [
            OutboxMessage(
                id=row["id"],
                kind=row["kind"],
                payload=row["payload"],
                idempotency_key=row["idempotency_key"],
                created_at=row["created_at"],
                next_attempt_at=row["next_attempt_at"],
                attempts=row["attempts"],
            )
            for row in (await self._sql.execute(query)).mappings()
        ]

    async def delivered(self, message_id: UUID, at: datetime) -> None:
        await self._sql.execute(
            update(outbox)
            .where(outbox.c.id == message_id)
            .values(delivered_at=at, attempts=outbox.c.attempts + 1, last_error=None)
        )

    async def retry_later(self, message_id: UUID, *, at: datetime, error: str) -> None:
        await self._failed(message_id, error, next_attempt_at=at)

    async def given_up(self, message_id: UUID, *, at: datetime, error: str) -> None:
        await self._failed(message_id, error, given_up_at=at)

    async def _failed(self, message_id: UUID, error: str, **when: datetime) -> None:
        await self._sql.execute(
            update(outbox)
            .where(outbox.c.id == message_id)
            .values(
                attempts=outbox.c.attempts + 1, last_error=error[:_LAST_ERROR_MAX_LENGTH], **when
            )
        )


_BACKLOG = text(
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)"
    " FROM outbox WHERE delivered_at IS NULL AND given_up_at IS NULL"
)


async def outbox_backlog(database: Database) -> tuple[int, float]:
    """How many messages wait for delivery, and the oldest one's age in seconds."""
    async with database.connect() as connection:
        pending, oldest = (await connection.execute(_BACKLOG)).one()
    return int(pending), float(oldest)
