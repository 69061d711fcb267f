"""Engine, sessions, the hot reads' own pool, and turning driver failures into the shop's errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from grocery.core.errors import ServiceUnavailable

try:  # asyncpg's own connection errors, when they escape SQLAlchemy's wrapping
    from asyncpg import exceptions as pg_exc

    _DRIVER_DOWN: tuple[type[BaseException], ...] = (
        pg_exc.PostgresConnectionError,
        pg_exc.CannotConnectNowError,
        pg_exc.InterfaceError,
        pg_exc.AdminShutdownError,
    )
except ImportError:  # pragma: no cover - asyncpg is a hard dependency
    _DRIVER_DOWN = ()


def is_database_down(error: BaseException) -> bool:
    """True for failures that mean "PostgreSQL can't be reached", not a bad query."""
    seen: BaseException | None = error
    for _ in range(5):  # the driver's error hides behind SQLAlchemy's wrappers
        if seen is None:
            return False
        if isinstance(seen, (OSError, TimeoutError, sa_exc.TimeoutError, *_DRIVER_DOWN)):
            return True
        if isinstance(seen, sa_exc.DBAPIError) and seen.connection_invalidated:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


class Database:
    """One engine per process for sessions and connections, and a plain asyncpg pool for
    the storefront's hot reads (`fetch`)."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=0,
            # No ping before each use (three round trips): a unit of work begins at once
            # and takes a fresh connection when a pooled one died (SessionSql.begin).
            pool_pre_ping=False,
            pool_timeout=5,
            echo=echo,
            connect_args={"timeout": 5, "command_timeout": 30},
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._reads_dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._reads_size = pool_size
        self.pool_size = pool_size
        self._reads: asyncpg.Pool | None = None

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
            raise_if_down(error)
            raise
        return rows

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection for read-only queries, with driver failures made ServiceUnavailable."""
        try:
            async with self.engine.connect() as connection:
                yield connection
        except BaseException as error:
            raise_if_down(error)
            raise

    async def ping(self) -> None:
        async with self.connect() as connection:
            await connection.execute(text("SELECT 1"))

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
            )
            await self._reads
        return self._reads


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """The hot reads change no session state: a returned connection needs no RESET ALL
    round trip (asyncpg still rolls back a transaction left open)."""


def raise_if_down(error: BaseException) -> None:
    if not isinstance(error, ServiceUnavailable) and is_database_down(error):
        raise ServiceUnavailable("The database is unavailable; try again shortly.") from error


class SessionSql:
    """Hand-written SQL on a unit of work's own connection, inside its transaction.

    The cart and checkout statements run this way: asyncpg prepares each once per
    connection, and a call then costs a fraction of building, caching, compiling and running
    a SQLAlchemy statement (that work was half of a checkout's CPU). One per unit of work;
    `forget` when its transaction ends.
    """

    def __init__(self, session: AsyncSession, *, pooled: int) -> None:
        self._session = session
        self._pooled = pooled  # how many connections the pool may hold
        self._driver: asyncpg.Connection | None = None

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await (await self._connection()).fetch(sql, *args)
        return rows

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await (await self._connection()).fetchrow(sql, *args)
        return row

    async def execute(self, sql: str, *args: Any) -> None:
        await (await self._connection()).execute(sql, *args)

    async def begin(self) -> None:
        """Take a connection and BEGIN. After a restart every pooled connection is dead, and
        each fails here, before anything of the unit of work was sent: it is dropped and the
        next taken, until a new one is opened (a failure to open one is final: 503)."""
        for _ in range(self._pooled):
            try:
                await self._connection()
                return
            except Exception as error:
                if not _from_a_pooled_connection(error):
                    raise
                await self._session.invalidate()
        await self._connection()

    def forget(self) -> None:
        self._driver = None

    async def _connection(self) -> asyncpg.Connection:
        if self._driver is None:
            connection = await self._session.connection()
            pooled = await connection.get_raw_connection()
            adapted: Any = pooled.dbapi_connection
            # SQLAlchemy's asyncpg adapter sends BEGIN with its first statement; the first
            # statement may be ours, so begin as it would (SQLAlchemy 2.1's adapter).
            if adapted._transaction is None:
                try:
                    await adapted._start_transaction()
                except Exception as error:
                    raise _PooledConnectionDied from error
            self._driver = pooled.driver_connection
        return self._driver


class _PooledConnectionDied(Exception):
    """BEGIN failed on a connection the pool handed out."""


def _from_a_pooled_connection(error: Exception) -> bool:
    return isinstance(error, _PooledConnectionDied) and is_database_down(error)
