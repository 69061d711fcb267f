"""The catalog's change feed: one connection per server process LISTENing on the channel
that every catalog-changing transaction NOTIFYs when it commits (migration
0026_catalog_notify), so the storefront's kept pages need no check while it is heard.

LISTEN keeps session state, so the connection goes straight to the primary, never through
PgBouncer in transaction pooling (GROCERY_LISTEN_DATABASE_URL). A lost connection (a restart,
pg_terminate_backend, a network cut found by the ping) makes the watcher deaf until another
is listening; they are retried with a growing pause.

A round trip on the listening connection also tells the watcher that this process's own
commits before it have been heard: PostgreSQL sends a listener every notification committed
before it answers its next statement, and asyncpg hands them over before that answer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import structlog
from sqlalchemy import make_url

from grocery.core.ports.catalog import CatalogWatcher

CHANNEL = "grocery_catalog"
APPLICATION = "grocery-catalog-feed"  # how operators (and tests) find it in pg_stat_activity
PING_SECONDS = 2.0  # a silent loss (a cut network) is found within about twice this
FIRST_PAUSE, LONGEST_PAUSE = 0.1, 5.0  # between attempts to listen again

log = structlog.get_logger("grocery.catalog_feed")


class CatalogFeed:
    def __init__(
        self, url: str, watcher: CatalogWatcher, *, ping_seconds: float = PING_SECONDS
    ) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._watcher = watcher
        self._ping_seconds = ping_seconds
        self._asked = asyncio.Event()  # a commit here, or the connection lost

    def committed_here(self) -> None:
        """This process committed a transaction: the watcher waits for the feed to catch up."""
        self._watcher.committed_here()
        self._asked.set()

    @contextlib.asynccontextmanager
    async def followed(self) -> AsyncIterator[None]:
        """Listen while the block runs (a server process's life)."""
        follower = asyncio.create_task(self._follow(), name="grocery-catalog-feed")
        try:
            yield
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

    async def _follow(self) -> None:
        pause = FIRST_PAUSE
        while True:
            try:
                connection = await asyncpg.connect(
                    self._dsn, timeout=5, server_settings={"application_name": APPLICATION}
                )
            except Exception as error:  # PostgreSQL is down, or refuses us: try again
                log.warning("catalog_feed.unreachable", error=type(error).__name__)
            else:
                try:
                    await self._listen(connection)
                except Exception as error:  # lost: a restart, a kill, a cut network
                    pause = FIRST_PAUSE  # it was heard: the next attempt comes soon
                    log.warning("catalog_feed.lost", error=type(error).__name__)
                finally:
                    self._watcher.deaf()
                    connection.terminate()
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)

    async def _listen(self, connection: asyncpg.Connection) -> None:
        connection.add_termination_listener(lambda _: self._asked.set())
        commits = self._watcher.commits_here
        await connection.add_listener(CHANNEL, self._heard)
        self._watcher.listening(commits)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._asked.wait(), self._ping_seconds)
            self._asked.clear()
            commits = self._watcher.commits_here
            await connection.fetchval("SELECT 1", timeout=self._ping_seconds)
            self._watcher.caught_up(commits)

    def _heard(self, _: object, _pid: int, _channel: str, change: str) -> None:
        self._watcher.heard(change)
