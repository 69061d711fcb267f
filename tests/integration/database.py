"""Test databases: a fresh one per test session, on the embedded server or GROCERY_TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg

from grocery.adapters.embedded_pg import EmbeddedPostgres
from grocery.adapters.sql.database import Database
from grocery.config import normalise_database_url


@contextmanager
def fresh_database(scratch: Path) -> Iterator[str]:
    """Yield an asyncpg SQLAlchemy URL of an empty database that is dropped afterwards."""
    name = f"grocery_test_{uuid4().hex[:12]}"
    server_url = os.environ.get("GROCERY_TEST_DATABASE_URL")
    if server_url:
        yield from _on_server(server_url, name)
        return
    embedded = EmbeddedPostgres(scratch)
    try:
        yield embedded.url(name)
    finally:
        embedded.drop_database(name)


def _on_server(server_url: str, name: str) -> Iterator[str]:
    plain = normalise_database_url(server_url, "GROCERY_TEST_DATABASE_URL").replace("+asyncpg", "")
    _run_admin(plain, f'CREATE DATABASE "{name}"')
    parts = urlsplit(plain)
    try:
        yield urlunsplit(parts._replace(scheme="postgresql+asyncpg", path=f"/{name}"))
    finally:
        _run_admin(plain, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_admin(url: str, statement: str) -> None:
    """On its own thread: callers may be inside a running event loop (async fixtures)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _admin(url, statement)).result()


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def until_waiting_on_locks(database: Database, count: int) -> None:
    """Return once `count` statements of this database wait on locks (a race set up)."""
    for _ in range(200):
        rows = await database.fetch(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if rows[0][0] >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} statements never waited on row locks")
