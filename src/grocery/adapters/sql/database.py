"""Engine, sessions, and turning driver failures into the shop's errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
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
    """One engine per process; sessions for use cases, connections for hot reads."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,  # a restarted PostgreSQL costs no failed request
            pool_timeout=5,
            echo=echo,
            connect_args={"timeout": 5, "command_timeout": 30},
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

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
        await self.engine.dispose()


def raise_if_down(error: BaseException) -> None:
    if not isinstance(error, ServiceUnavailable) and is_database_down(error):
        raise ServiceUnavailable("The database is unavailable; try again shortly.") from error
