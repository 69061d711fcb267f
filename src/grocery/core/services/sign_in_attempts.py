"""Password attempts against one account, counted for the login throttle: sign-in and
password changes both go through here, so a stolen access token is no password oracle."""

from __future__ import annotations

import math
from datetime import datetime
from uuid import UUID

from grocery.core.errors import TooManyAttempts
from grocery.core.identity import LoginThrottle
from grocery.core.ports.accounts import AccountWork
from grocery.core.ports.transaction import UnitOfWorkFactory


class SignInAttempts:
    def __init__(self, uow: UnitOfWorkFactory[AccountWork], throttle: LoginThrottle) -> None:
        self._uow = uow
        self._throttle = throttle

    async def failures(self, uow: AccountWork, user_id: UUID, now: datetime) -> int:
        """Failures still in the window, read in the caller's transaction."""
        return await uow.login_failures.count_since(user_id, self._throttle.window_start(now))

    async def admit(self, user_id: UUID, failures: int, now: datetime) -> None:
        """Let one more password be checked, or raise 429. The attempt is recorded as a
        failure before its password is checked (a success clears it), then counted again:
        guesses sent in parallel all pass the first count, but at most as many as the
        throttle allows find fewer failures than the limit on the second."""
        if self._throttle.is_locked(failures):
            raise self._locked()
        async with self._uow() as uow:
            await uow.login_failures.record(
                user_id, now, forget_before=self._throttle.window_start(now)
            )
            await uow.commit()
        async with self._uow() as uow:
            counted = await self.failures(uow, user_id, now)
        if self._throttle.is_locked(counted - 1):  # the ones before this attempt decide
            raise self._locked()

    def _locked(self) -> TooManyAttempts:
        """The oldest failure counted leaves the window at the latest after one window."""
        return TooManyAttempts(
            "Too many failed sign-ins for this account; try again later.",
            retry_after_seconds=math.ceil(self._throttle.window.total_seconds()),
        )
