"""The migration stairway: every revision goes up, down and up again on a fresh database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from grocery.adapters.sql import migrate
from grocery.adapters.sql.schema import metadata
from tests.integration.database import fresh_database


def revisions_in_order() -> list[str]:
    script = ScriptDirectory(str(migrate.SCRIPT_LOCATION))
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


def public_tables(url: str) -> set[str]:
    async def read() -> set[str]:
        connection = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            rows = await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        finally:
            await connection.close()
        return {row["tablename"] for row in rows}

    return asyncio.run(read())


# Written to only by triggers and raw SQL (migrations 0008, 0012), with a type SQLAlchemy lacks (xid8).
UNMODELLED_TABLES = {"catalog_changes", "account_lockouts"}


def schema_drift(url: str) -> list[object]:
    """What Alembic would change to make the migrated database match the schema's tables."""

    def compare(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_name": _modelled},
        )
        return list(compare_metadata(context, metadata))

    async def read() -> list[object]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _modelled(name: str | None, kind: str, parent_names: object) -> bool:
    return not (kind == "table" and name in UNMODELLED_TABLES)


def test_history_is_one_line() -> None:
    script = ScriptDirectory(str(migrate.SCRIPT_LOCATION))
    assert len(script.get_heads()) == 1, "migrations must form a single line"


def test_stairway_up_down_up(tmp_path_factory: pytest.TempPathFactory) -> None:
    with fresh_database(Path(tmp_path_factory.mktemp("stairway"))) as url:
        previous = "base"
        for revision in revisions_in_order():
            migrate.upgrade(url, revision)
            migrate.downgrade(url, previous)
            migrate.upgrade(url, revision)
            previous = revision
        full_schema = public_tables(url)
        migrate.downgrade(url, "base")
        assert public_tables(url) == {"alembic_version"}
        migrate.upgrade(url, "heads")
        assert public_tables(url) == full_schema


def test_migrations_build_what_the_row_models_describe(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with fresh_database(Path(tmp_path_factory.mktemp("drift"))) as url:
        migrate.upgrade(url, "heads")
        assert schema_drift(url) == []
