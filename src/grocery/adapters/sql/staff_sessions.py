"""The back office's sessions in PostgreSQL (migration 0018_staff_sessions): a session's
data under its random id until it expires. Expired rows are never read; housekeeping
deletes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from grocery.adapters.sql.database import Database
from grocery.adapters.sql.schema.staff_sessions import staff_sessions


class SqlStaffSessions:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def read(self, session_id: str, now: datetime) -> bytes | None:
        async with self._database.connect() as connection:
            data = await connection.scalar(
                select(staff_sessions.c.data).where(
                    staff_sessions.c.id == session_id, staff_sessions.c.expires_at > now
                )
            )
        return None if data is None else bytes(data)

    async def keep(self, session_id: str, data: bytes, expires_at: datetime) -> None:
        upsert = insert(staff_sessions).values(id=session_id, data=data, expires_at=expires_at)
        upsert = upsert.on_conflict_do_update(
            index_elements=[staff_sessions.c.id],
            set_={"data": upsert.excluded.data, "expires_at": upsert.excluded.expires_at},
        )
        async with self._database.begin() as connection:
            await connection.execute(upsert)

    async def expire(self, session_id: str) -> None:
        async with self._database.begin() as connection:
            await connection.execute(
                delete(staff_sessions).where(staff_sessions.c.id == session_id)
            )

    async def expire_all(self) -> None:
        async with self._database.begin() as connection:
            await connection.execute(delete(staff_sessions))
