"""The migration stairway: every revision goes up, down and up again on a fresh database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from alembic.script import ScriptDirectory

from grocery.adapters.sql import migrate
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
