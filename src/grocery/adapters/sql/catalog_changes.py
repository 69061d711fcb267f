"""Stamps that tell whether the catalog changed since a page was read (migration
0008_catalog_changes), so the storefront can serve a cached page and still never show a
change older than the request.

A stamp is the PostgreSQL snapshot taken just before a page's rows are read: the rows then
hold at least every transaction that snapshot sees. Each transaction that writes products,
categories or images leaves its xid in catalog_changes. A later reader's statement sees the
rows of every transaction committed before it began; if none of those is invisible to the
stamp, nothing the page shows has changed. Rows below the stamp's xmin ended before it and
so are in it, which keeps the check to an index range of recent transactions.
"""

from __future__ import annotations

from datetime import timedelta

from grocery.adapters.sql.database import Database

_STAMP = "SELECT pg_current_snapshot()::text"
_UNCHANGED = (
    "SELECT NOT EXISTS (SELECT FROM catalog_changes"
    " WHERE xid >= pg_snapshot_xmin($1::text::pg_snapshot)"
    " AND NOT pg_visible_in_snapshot(xid, $1::text::pg_snapshot))"
)
_FORGET = "DELETE FROM catalog_changes WHERE changed_at < now() - $1::interval"


class SqlCatalogStamps:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def stamp(self) -> str:
        rows = await self._database.fetch(_STAMP)
        return str(rows[0][0])

    async def unchanged_since(self, stamp: str) -> bool:
        rows = await self._database.fetch(_UNCHANGED, stamp)
        return bool(rows[0][0])

    async def forget_older_than(self, age: timedelta) -> None:
        """Drop changes no cached page can predate (pages live far shorter than `age`)."""
        await self._database.fetch(_FORGET, age)
