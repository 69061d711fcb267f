"""GROCERY_DB_PGBOUNCER=true: every kind of statement the shop sends is safe behind PgBouncer
in transaction pooling, where a client's consecutive transactions run on whichever server
connection is free. Without it asyncpg keeps named prepared statements, and they fail there.
(CI also runs the whole integration suite through PgBouncer: GROCERY_TEST_PGBOUNCER=true.)"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from grocery.adapters.sql.database import Database, SessionSql
from tests.integration.pgbouncer import BOUNCING, pgbouncer_in_front

pytestmark = pytest.mark.skipif(
    not (shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists()),
    reason="needs pgbouncer (apt-get install pgbouncer)",
)


@pytest.fixture(scope="module")
def bounced_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if BOUNCING:  # the whole run already goes through PgBouncer
        yield database_url
        return
    log = tmp_path_factory.mktemp("pgbouncer") / "pgbouncer.log"
    with pgbouncer_in_front(database_url, log) as bounced:
        yield bounced


async def every_kind_of_statement(database: Database, rounds: int = 5, clients: int = 40) -> None:
    """Hot reads (asyncpg pool), SQLAlchemy statements, and a unit of work's hand-written
    statements in its own BEGIN ... COMMIT, many at once."""

    async def one(number: int) -> None:
        rows = await database.fetch(f"SELECT $1::int + {number % 7}", number)
        assert rows[0][0] == number + number % 7
        async with database.connect() as connection:
            found = await connection.execute(text("SELECT CAST(:n AS int) * 2"), {"n": number})
            assert found.scalar_one() == number * 2
        work = SessionSql(database.engine, pooled=database.pool_size)
        await work.begin()
        row = await work.fetchrow(f"SELECT $1::int - {number % 5}", number)
        assert row is not None and row[0] == number - number % 5
        await work.commit()
        await work.end()

    for _ in range(rounds):
        await asyncio.gather(*(one(number) for number in range(clients)))


async def test_with_the_setting_every_statement_works_through_pgbouncer(bounced_url: str) -> None:
    database = Database(bounced_url, pool_size=8, pgbouncer=True)
    try:
        await every_kind_of_statement(database)
    finally:
        await database.dispose()


async def test_without_it_named_prepared_statements_fail_there(bounced_url: str) -> None:
    database = Database(bounced_url, pool_size=8, pgbouncer=False)
    try:
        with pytest.raises(Exception, match="prepared statement"):
            await every_kind_of_statement(database, rounds=20)
    finally:
        await database.dispose()
