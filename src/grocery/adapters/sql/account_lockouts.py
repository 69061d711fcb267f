"""Which accounts are locked (migration 0012_account_lockouts), read as changes since a stamp
so each server process can follow them with one small statement a second.

A stamp is the PostgreSQL snapshot a read ran under. Every change to a lockout row leaves
its transaction's xid on the row, so the rows changed since a stamp are those whose xid the
stamp does not see, and the statement that finds them does (rows below the stamp's xmin
ended before it: the index on xid skips them). The statement's own snapshot is the next
stamp, so a change committed while it runs is found next time, never lost.
"""

from __future__ import annotations

from uuid import UUID

from grocery.adapters.sql.database import Database
from grocery.core.ports.accounts import LockoutChanges

_CHANGES = """
    SELECT pg_current_snapshot()::text,
           coalesce(array_agg(user_id) FILTER (WHERE locked), '{}'),
           coalesce(array_agg(user_id) FILTER (WHERE NOT locked), '{}')
      FROM account_lockouts
     WHERE $1::text IS NULL
        OR (xid >= pg_snapshot_xmin($1::text::pg_snapshot)
            AND NOT pg_visible_in_snapshot(xid, $1::text::pg_snapshot))
"""


class SqlAccountLockouts:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def changes_since(self, stamp: str | None) -> LockoutChanges:
        ((next_stamp, locked, unlocked),) = await self._database.fetch(_CHANGES, stamp)
        return LockoutChanges(
            locked=frozenset(UUID(str(user)) for user in locked),
            unlocked=frozenset(UUID(str(user)) for user in unlocked),
            stamp=str(next_stamp),
        )
