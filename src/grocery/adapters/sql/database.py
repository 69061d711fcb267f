"""Engine, connections, the hot reads' own pool, and the unit of work's statements; every
failure leaves as the shop's error where it means one (adapters/sql/errors.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import Delete, Executable, Result, make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncTransaction,
    create_async_engine,
)

from grocery.adapters.sql.errors import is_database_down, raise_as_domain_error


class Database:
    """One engine per process for units of work and connections, and a plain asyncpg pool for
    the storefront's hot reads (`fetch`)."""

    def __init__(
        self, url: str, *, pool_size: int = 10, echo: bool = False, pgbouncer: bool = False
    ) -> None:
        # Behind PgBouncer in transaction pooling, consecutive transactions of one connection
        # may run on different server connections: no statement may stay prepared across
        # them. Without a cache asyncpg (and SQLAlchemy over it) prepares each statement
        # unnamed, inside the transaction that runs it.
        self._statement_cache = {"statement_cache_size": 0} if pgbouncer else {}
        uncached = {"prepared_statement_cache_size": 0, **self._statement_cache}
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=0,
            # No ping before each use (three round trips): a unit of work begins at once
            # and takes a fresh connection when a pooled one died (SessionSql.begin).
            pool_pre_ping=False,
            pool_timeout=5,
            echo=echo,
            connect_args={"timeout": 5, "command_timeout": 30, **(uncached if pgbouncer else {})},
        )
        self._reads_dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._reads_size = pool_size
        self.pool_size = pool_size
        self._reads: asyncpg.Pool | None = None
        self._commit_watchers: list[Callable[[], None]] = []

    def watch_commits(self, watcher: Callable[[], None]) -> None:
        """Call `watcher` after each unit of work's commit (the catalog feed catches up)."""
        self._commit_watchers.append(watcher)

    def committed(self) -> None:
        for watcher in self._commit_watchers:
            watcher()

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        """Rows of one read-only statement, prepared once per connection by asyncpg.

        No ORM and no ping before use: the pool replaces a connection the server closed (a
        restart) when it is next taken, so a restart between requests fails none of them;
        while PostgreSQL is down, ServiceUnavailable.
        """
        try:
            pool = await self._read_pool()
            rows: list[Any] = await pool.fetch(sql, *args)
        except Exception as error:
            raise_as_domain_error(error)
            raise
        return rows

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection for read-only queries."""
        async with _as_domain_errors(), self.engine.connect() as connection:
            yield connection

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction, committed when the block ends without an error."""
        async with _as_domain_errors(), self.engine.begin() as connection:
            yield connection

    async def ping(self) -> None:
        async with self.connect() as connection:
            await connection.execute(text("SELECT 1"))

    def connections_in_use(self) -> dict[str, int]:
        """Connections taken from each pool right now: the units of work's, the hot reads'."""
        reads = self._reads
        taken_reads = 0 if reads is None else reads.get_size() - reads.get_idle_size()
        return {"transactions": self.engine.pool.checkedout(), "reads": taken_reads}  # type: ignore[attr-defined]

    async def dispose(self) -> None:
        if self._reads is not None:
            await self._reads.close()
            self._reads = None
        await self.engine.dispose()

    async def _read_pool(self) -> asyncpg.Pool:
        # Made on first use, inside the serving loop. With no minimum size, setting it up
        # opens no connection and never yields to the loop, so two first reads can't race.
        if self._reads is None:
            self._reads = asyncpg.create_pool(
                self._reads_dsn,
                min_size=0,
                max_size=self._reads_size,
                timeout=5,
                command_timeout=30,
                reset=_nothing_to_reset,
                **self._statement_cache,
            )
            await self._reads
        return self._reads


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """The hot reads change no session state: a returned connection needs no RESET ALL
    round trip (asyncpg still rolls back a transaction left open)."""


@asynccontextmanager
async def _as_domain_errors() -> AsyncIterator[None]:
    try:
        yield
    except Exception as error:
        raise_as_domain_error(error)
        raise


class SessionSql:
    """A unit of work's transaction on its one connection, and both kinds of statement in it.

    The transaction is begun and ended here, on the asyncpg connection under the pooled
    SQLAlchemy connection (its public path to it: the pooled connection, the driver's). That
    connection is in autocommit, so SQLAlchemy sends no BEGIN, COMMIT or ROLLBACK of its
    own, and its statements run inside this transaction as the hand-written ones do. No ORM
    session: the statements are Core's, and a session's own bookkeeping cost every unit of
    work about 30 us of the worker's CPU for nothing.

    SQLAlchemy statements go through `execute`. The cart and checkout statements are
    hand-written (`fetch`, `fetchrow`, `execute_sql`): asyncpg prepares each once per
    connection, and a call then costs a fraction of building, caching, compiling and running
    a SQLAlchemy statement (that work was half of a checkout's CPU). A failure of either kind
    leaves as the shop's error where it means one (adapters/sql/errors.py). After a commit
    or a rollback, the next statement begins another transaction.
    """

    def __init__(
        self, engine: AsyncEngine, *, pooled: int, committed: Callable[[], None] = lambda: None
    ) -> None:
        self._engine = engine
        self._held: AsyncConnection | None = None  # from the first BEGIN to the end
        self._pooled = pooled  # how many connections the pool may hold
        self._committed = committed  # told after each COMMIT
        self._driver: asyncpg.Connection | None = None  # while the transaction is open
        self._after_commit: list[Callable[[], None]] = []

    async def begin(self) -> None:
        """Take a connection and BEGIN. After a restart every pooled connection is dead, and
        each fails here, before anything of the unit of work was sent: it is dropped and the
        next taken, until a new one is opened (a failure to open one is final: 503)."""
        for _ in range(self._pooled):
            try:
                await self._begin()
                return
            except _PooledConnectionDied as died:
                if not is_database_down(died):
                    raise
                await self._drop()
        await self._begin()

    async def execute(
        self, statement: Executable, rows: Sequence[Mapping[str, Any]] | None = None
    ) -> Result[Any]:
        """A SQLAlchemy statement; with `rows`, once for each."""
        await self._connection()
        assert self._held is not None  # taken by the BEGIN
        try:
            return await self._held.execute(statement, rows)
        except Exception as error:
            raise_as_domain_error(error, deleting_from=_deleting_from(statement))
            raise

    def savepoint(self) -> AsyncTransaction:
        """A block whose statements are undone alone when it fails (SAVEPOINT)."""
        assert self._held is not None
        return self._held.begin_nested()

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        try:
            rows: list[asyncpg.Record] = await (await self._connection()).fetch(sql, *args)
        except Exception as error:
            raise_as_domain_error(error)
            raise
        return rows

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        try:
            row: asyncpg.Record | None = await (await self._connection()).fetchrow(sql, *args)
        except Exception as error:
            raise_as_domain_error(error)
            raise
        return row

    async def execute_sql(self, sql: str, *args: Any) -> None:
        try:
            await (await self._connection()).execute(sql, *args)
        except Exception as error:
            raise_as_domain_error(error)
            raise

    def after_commit(self, announce: Callable[[], None]) -> None:
        """Call `announce` once the transaction commits; never if it rolls back."""
        self._after_commit.append(announce)

    async def commit(self) -> None:
        driver, self._driver = self._driver, None
        announcements, self._after_commit = self._after_commit, []
        if driver is not None:
            await self._ending(driver, "COMMIT")
            self._committed()
        for announce in announcements:
            announce()

    async def rollback(self) -> None:
        driver, self._driver = self._driver, None
        self._after_commit.clear()
        if driver is not None:
            await self._ending(driver, "ROLLBACK")

    async def end(self) -> None:
        """Roll back what is still open and hand the connection back to the pool."""
        try:
            await self.rollback()
        finally:
            held, self._held = self._held, None
            if held is not None:
                await held.close()

    async def _begin(self) -> None:
        # Autocommit: SQLAlchemy leaves the transaction to this class.
        if self._held is None:
            taken = await self._engine.connect()
            self._held = await taken.execution_options(isolation_level="AUTOCOMMIT")
        driver: asyncpg.Connection = (await self._held.get_raw_connection()).driver_connection
        try:
            await driver.execute("BEGIN")
        except Exception as error:
            raise _PooledConnectionDied from error
        self._driver = driver

    async def _ending(self, driver: asyncpg.Connection, how: str) -> None:
        """COMMIT or ROLLBACK. A connection that failed to is dropped, never handed back to
        the pool with a transaction perhaps still open."""
        try:
            await driver.execute(how)
        except BaseException as error:
            await self._drop()
            raise_as_domain_error(error)
            raise

    async def _drop(self) -> None:
        """The connection closed for good, not handed back to the pool; the next BEGIN
        takes another."""
        held, self._held = self._held, None
        if held is not None:
            await held.invalidate()
            await held.close()

    async def _connection(self) -> asyncpg.Connection:
        """The connection, in a transaction (the unit of work's, or the next one)."""
        if self._driver is None:
            try:
                await self._begin()
            except _PooledConnectionDied as died:
                raise_as_domain_error(died)
                raise
        assert self._driver is not None  # set by _begin
        return self._driver


def _deleting_from(statement: Executable) -> str | None:
    """The table a DELETE deletes from (for the refusal its foreign keys mean)."""
    return getattr(statement.table, "name", None) if isinstance(statement, Delete) else None


class _PooledConnectionDied(Exception):
    """BEGIN failed on a connection the pool handed out."""
