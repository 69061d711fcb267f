"""The accounts this server process refuses access tokens of: disabled or deleted ones.

An access token lives for minutes and is checked without the database; an admin who
disables a customer wants them out now. Each process keeps the locked ids in memory,
loads them before it answers its first signed-in request, and follows the changes with one
small statement every FOLLOW_SECONDS (AccountLockouts), so an account disabled on any server
is refused everywhere within about that long, and at once on the server that disabled it
(which catches up before it answers the admin). A request pays a set lookup, never a read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from uuid import UUID

import structlog

from grocery.core.ports.accounts import AccountLockouts

FOLLOW_SECONDS = 1.0

log = structlog.get_logger("grocery.lockouts")


class LockedAccounts:
    def __init__(self, source: AccountLockouts, *, every: float = FOLLOW_SECONDS) -> None:
        self._source = source
        self._every = every
        self._locked: frozenset[UUID] = frozenset()
        self._stamp: str | None = None
        self._catching_up = asyncio.Lock()

    async def is_locked(self, user_id: UUID) -> bool:
        if self._stamp is None:  # not loaded yet (or the database was down at start)
            await self.catch_up()
        return user_id in self._locked

    async def catch_up(self) -> None:
        """Apply every change committed before this call."""
        async with self._catching_up:
            changes = await self._source.changes_since(self._stamp)
            self._locked = (self._locked - changes.unlocked) | changes.locked
            self._stamp = changes.stamp

    @contextlib.asynccontextmanager
    async def followed(self) -> AsyncIterator[None]:
        """Keep up with the changes while the block runs (a server process's life)."""
        follower = asyncio.create_task(self._follow(), name="grocery-lockouts")
        try:
            yield
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

    async def _follow(self) -> None:
        failing = False
        while True:
            try:
                await self.catch_up()
            except Exception as error:  # the database is down (or worse): try again
                if not failing:
                    log.warning("lockouts.unreadable", error=type(error).__name__)
                failing = True
            else:
                failing = False
            await asyncio.sleep(self._every)
