"""Chores every server process does now and then, in the background of `grocery serve`:
forgetting catalog changes that no cached storefront page can predate."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

import structlog

from grocery.adapters.sql.catalog_changes import SqlCatalogStamps
from grocery.core.errors import DomainError

log = structlog.get_logger("grocery.housekeeping")

# Far beyond GROCERY_CATALOG_CACHE_SECONDS' maximum (600 s), so no kept page needs a row gone.
CATALOG_CHANGES_KEPT = timedelta(hours=1)
EVERY_SECONDS = 600.0


async def _tidy(stamps: SqlCatalogStamps, stop: asyncio.Event, every: float) -> None:
    while not stop.is_set():
        try:
            await stamps.forget_older_than(CATALOG_CHANGES_KEPT)
        except DomainError as error:  # the database is down, say: next time
            log.warning("housekeeping.unavailable", code=error.code)
        except Exception:
            log.exception("housekeeping.failed")
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


@asynccontextmanager
async def housekeeping(
    stamps: SqlCatalogStamps, *, every: float = EVERY_SECONDS
) -> AsyncIterator[None]:
    """Tidy at once and then every `every` seconds while the block runs."""
    stop = asyncio.Event()
    task = asyncio.create_task(_tidy(stamps, stop, every))
    try:
        yield
    finally:
        stop.set()
        await task
