"""Schema migrations: Alembic through advanced-alchemy, scripts in `migrations/`."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from advanced_alchemy.alembic.commands import AlembicCommands
from advanced_alchemy.config import AlembicAsyncConfig, EngineConfig, SQLAlchemyAsyncConfig
from sqlalchemy.pool import NullPool

SCRIPT_LOCATION = Path(__file__).resolve().parents[4] / "migrations"


def _commands(url: str) -> AlembicCommands:
    config = SQLAlchemyAsyncConfig(
        connection_string=url,
        engine_config=EngineConfig(poolclass=NullPool),
        alembic_config=AlembicAsyncConfig(
            script_location=str(SCRIPT_LOCATION), version_table_name="alembic_version"
        ),
    )
    return AlembicCommands(sqlalchemy_config=config)


def _run_outside_loop(action: str, url: str, revision: str) -> None:
    """Alembic's env.py calls asyncio.run, so it can't run on a thread with a live loop."""

    def run() -> None:
        commands = _commands(url)
        getattr(commands, action)(revision=revision)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        run()
        return
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            run()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=guarded, name="migrations")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def upgrade(url: str, revision: str = "heads") -> None:
    _run_outside_loop("upgrade", url, revision)


def downgrade(url: str, revision: str) -> None:
    _run_outside_loop("downgrade", url, revision)
