"""Mailed links: confirming an email address and resetting a forgotten password.

Each link's mail is written to the outbox in the same transaction as its token, so a
token exists exactly when its mail will go out. Asking for a reset answers alike whether
or not the address is known; the throttle counts asks per address and per client, and
past its limits nothing more is mailed (the answer still says nothing).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from grocery.core.account_links import LinkPurpose, MailThrottle, address_key, client_key
from grocery.core.identity import Principal, validate_email, validate_password
from grocery.core.ports.accounts import AccountWork
from grocery.core.ports.clock import Clock
from grocery.core.ports.security import PasswordHasher
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.services.auth import RefreshTokenMint, mail_link


class AccountLinkService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[AccountWork],
        hasher: PasswordHasher,
        mint: RefreshTokenMint,
        clock: Clock,
        throttle: MailThrottle,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._mint = mint
        self._clock = clock
        self._throttle = throttle

    async def ask_password_reset(self, email: str, *, client: str) -> None:
        """Mail a reset link to the account of that address, if there is one, it is active
        and the throttle allows; answer nothing either way."""
        address = validate_email(email)
        now = self._clock.now()
        if not await self._admit(now, address=address_key(address), client=client_key(client)):
            return
        async with self._uow() as uow:
            user = await uow.users.by_email(address)
            if user is None or not user.is_active:
                return
            await mail_link(uow, self._mint, user, LinkPurpose.PASSWORD_RESET, now)
            await uow.commit()

    async def reset_password(self, token: str, new_password: str) -> None:
        """Set the password the link's owner chose. Every session of the account ends, and the
        address counts as confirmed: the link reached it."""
        validate_password(new_password, field_name="new_password")
        purpose, token_hash, now = (
            LinkPurpose.PASSWORD_RESET,
            self._mint.hash(token),
            self._clock.now(),
        )
        async with self._uow() as uow:
            if await uow.link_tokens.live(token_hash, purpose, now) is None:
                raise purpose.refusal()
        # Hashing is slow on purpose: never inside a transaction, and only for a live token.
        new_hash = await asyncio.to_thread(self._hasher.hash, new_password)
        async with self._uow() as uow:
            user_id = await uow.link_tokens.use(token_hash, purpose, now)
            if user_id is None:  # used by a concurrent reset meanwhile
                raise purpose.refusal()
            await uow.link_tokens.use_all_of(user_id, purpose, now)
            await uow.users.set_password(user_id, new_hash)
            await uow.users.set_email_verified(user_id)
            await uow.refresh_tokens.revoke_all_of(user_id, now)
            await uow.login_failures.clear(user_id)
            await uow.commit()

    async def verify_email(self, token: str) -> None:
        purpose, now = LinkPurpose.VERIFY_EMAIL, self._clock.now()
        async with self._uow() as uow:
            user_id = await uow.link_tokens.use(self._mint.hash(token), purpose, now)
            if user_id is None:
                raise purpose.refusal()
            await uow.link_tokens.use_all_of(user_id, purpose, now)
            await uow.users.set_email_verified(user_id)
            await uow.commit()

    async def resend_verification(self, principal: Principal, *, client: str) -> None:
        """Mail a new confirmation link, unless the address is confirmed or the throttle
        says enough."""
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.get(principal.user_id)
        if user is None or user.email_verified:
            return
        if not await self._admit(now, address=address_key(user.email), client=client_key(client)):
            return
        async with self._uow() as uow:
            await mail_link(uow, self._mint, user, LinkPurpose.VERIFY_EMAIL, now)
            await uow.commit()

    async def _admit(self, now: datetime, *, address: str, client: str) -> bool:
        """Record the ask first and count after: asks sent in parallel all count each other,
        so a burst never gets more mails than the limits."""
        since = self._throttle.window_start(now)
        async with self._uow() as uow:
            await uow.mail_asks.record((address, client), now, forget_before=since)
            await uow.commit()
        async with self._uow() as uow:
            by_address = await uow.mail_asks.count_since(address, since)
            by_client = await uow.mail_asks.count_since(client, since)
        return self._throttle.allows(by_address=by_address, by_client=by_client)
