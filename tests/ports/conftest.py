"""Every port test runs twice: on the memory adapters, and on the SQL adapters over a migrated
PostgreSQL database (those runs are integration tests, so `-m "not integration"` skips them).

Both start empty: a fresh MemoryStore, or the one database with every table emptied first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text

from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.adapters.sql import migrate
from grocery.adapters.sql.database import Database
from grocery.adapters.sql.uow import SqlUnitOfWork
from tests.integration.database import fresh_database
from tests.integration.pgbouncer import BOUNCING, pgbouncer_in_front
from tests.ports.shop import OpenWork, Seed

_EVERY_TABLE = """
    SELECT string_agg(format('%I', tablename), ', ') FROM pg_tables
     WHERE schemaname = 'public' AND tablename <> 'alembic_version'
"""


@pytest.fixture(params=["memory", pytest.param("sql", marks=pytest.mark.integration)])
def uow(request: pytest.FixtureRequest) -> OpenWork:
    """Opens a unit of work on the adapters this run is about, over an empty shop."""
    if request.param == "sql":
        factory: OpenWork = request.getfixturevalue("sql_uow")
        return factory
    store = MemoryStore()
    return lambda: MemoryUnitOfWork(store)


@pytest.fixture
def guest_uow(request: pytest.FixtureRequest, uow: OpenWork) -> OpenWork:
    """The same shop, its `cart` and `shelf` addressing guest carts (by their ids). Memory
    keeps guests' lines with customers', by owner id, so its unit of work serves both."""
    if request.node.callspec.params["uow"] == "sql":
        database: Database = request.getfixturevalue("ports_database")
        return lambda: SqlUnitOfWork(database, for_guests=True)
    return uow


@pytest.fixture
def seed(uow: OpenWork) -> Seed:
    return Seed(uow)


@pytest.fixture(scope="session")
def ports_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    scratch = tmp_path_factory.mktemp("pg")
    with fresh_database(scratch) as url:
        migrate.upgrade(url)
        if not BOUNCING:
            yield url
            return
        with pgbouncer_in_front(url, scratch / "pgbouncer.log") as bounced:
            yield bounced


@pytest.fixture(scope="session")
async def ports_database(ports_database_url: str) -> AsyncIterator[Database]:
    database = Database(ports_database_url, pool_size=4, pgbouncer=BOUNCING)
    yield database
    await database.dispose()


@pytest.fixture
async def sql_uow(ports_database: Database) -> OpenWork:
    async with ports_database.engine.begin() as connection:
        tables = (await connection.execute(text(_EVERY_TABLE))).scalar_one()
        await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    return lambda: SqlUnitOfWork(ports_database)
