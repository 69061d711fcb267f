"""Stamps that tell whether the catalog changed since a page was read (migration
0008_catalog_changes), so the storefront can serve a cached page and still never show a
change older than the request.

A stamp is the PostgreSQL snapshot taken just before a page's rows are read: the rows then
hold at least every transaction that snapshot sees. Each transaction that writes products,
categories or images leaves its xid in catalog_changes. A later reader's statement sees the
rows of every transaction committed before it began; if none of those is invisible to the
stamp, nothing the page shows has changed. Rows below the stamp's xmin ended before it and
so are in it, so only the newest rows matter: the check reads the newest WINDOW of them (an
index scan backward, whatever plan PostgreSQL caches for it) and counts the catalog as
changed when even those don't reach below the stamp's xmin.
"""

from __future__ import annotations

from grocery.adapters.sql.database import Database

_STAMP = "SELECT pg_current_snapshot()::text"
WINDOW = 32
_UNCHANGED = f"""
    WITH stamp AS MATERIALIZED (
        SELECT snap, pg_snapshot_xmin(snap) AS xmin
          FROM (SELECT $1::text::pg_snapshot AS snap) given
    ), newest AS (
        SELECT xid FROM catalog_changes ORDER BY xid DESC LIMIT {WINDOW}
    )
    SELECT coalesce(bool_and(n.xid < s.xmin OR pg_visible_in_snapshot(n.xid, s.snap)), true)
           AND (count(n.xid) < {WINDOW} OR min(n.xid) < min(s.xmin))
      FROM stamp s LEFT JOIN newest n ON true
"""  # noqa: S608 - WINDOW is a constant


class SqlCatalogStamps:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def stamp(self) -> str:
        rows = await self._database.fetch(_STAMP)
        return str(rows[0][0])

    async def unchanged_since(self, stamp: str) -> bool:
        rows = await self._database.fetch(_UNCHANGED, stamp)
        return bool(rows[0][0])

    def sees(self, stamp: str, change: str) -> bool:
        """Whether the snapshot `stamp` ("xmin:xmax:xip,...") sees the transaction `change`
        (an xid8 from the feed), as pg_visible_in_snapshot would answer: on a replica, only
        once it has replayed that commit."""
        xmin, xmax, running = stamp.split(":")
        xid = int(change)
        return xid < int(xmin) or (xid < int(xmax) and change not in running.split(","))
