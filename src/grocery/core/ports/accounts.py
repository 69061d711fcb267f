"""Users, their refresh tokens, failed sign-ins, mailed link tokens and asks for them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from grocery.core.account_links import LinkPurpose, LinkToken
from grocery.core.identity import RefreshToken, Role, User
from grocery.core.ports.outbox import Outbox
from grocery.core.ports.transaction import Transaction


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """AlreadyExists when the email or username is taken (checked by the store itself)."""
        ...

    async def get(self, user_id: UUID) -> User | None: ...

    async def by_username(self, username: str) -> User | None:
        """Case-insensitive."""
        ...

    async def by_email(self, email: str) -> User | None:
        """`email` already normalised."""
        ...

    async def set_password(self, user_id: UUID, password_hash: str) -> None: ...

    async def set_access(self, user_id: UUID, *, role: Role, is_active: bool) -> None: ...

    async def set_email_verified(self, user_id: UUID) -> None: ...

    async def page(
        self, *, role: Role | None, after: UUID | None, limit: int, search: str | None = None
    ) -> list[User]:
        """Users in id order, after the given id (keyset), at most `limit`; with `search`
        (lower case), only those whose username or email contains it."""
        ...


class RefreshTokenRepository(Protocol):
    async def add(self, token: RefreshToken) -> None: ...

    async def by_hash(self, token_hash: str) -> RefreshToken | None: ...

    async def spend(self, token_id: UUID, now: datetime) -> bool:
        """Mark a live token spent; False when it was already spent or revoked. Atomic,
        so of two concurrent spends of one token exactly one answers True."""
        ...

    async def revoke_family(self, family_id: UUID, now: datetime) -> None: ...

    async def revoke_all_of(self, user_id: UUID, now: datetime) -> None: ...


class LoginFailureRepository(Protocol):
    async def record(self, user_id: UUID, at: datetime, *, forget_before: datetime) -> None:
        """Note one failed sign-in, dropping this account's failures older than `forget_before`."""
        ...

    async def count_since(self, user_id: UUID, since: datetime) -> int: ...

    async def clear(self, user_id: UUID) -> None: ...


class LinkTokenRepository(Protocol):
    async def add(self, token: LinkToken) -> None: ...

    async def live(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> LinkToken | None:
        """The token of that hash and purpose if it is unused and unexpired."""
        ...

    async def use(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> UUID | None:
        """Mark the live token of that hash used; its user's id, or None when there was none.
        Atomic, so of two concurrent uses of one token exactly one finds it."""
        ...

    async def use_all_of(self, user_id: UUID, purpose: LinkPurpose, now: datetime) -> None:
        """Every live token of the user for that purpose is used up."""
        ...


class MailAskLog(Protocol):
    """Asks for a mailed link, by key (an address, a client), for the mail throttle."""

    async def record(self, keys: Collection[str], at: datetime, *, forget_before: datetime) -> None:
        """Note one ask under each key, dropping those keys' asks older than `forget_before`."""
        ...

    async def count_since(self, key: str, since: datetime) -> int: ...


class AccountWork(Transaction, Protocol):
    """What the accounts' use cases (sign-up, sign-in, tokens, roles, mailed links) work with."""

    users: UserRepository
    refresh_tokens: RefreshTokenRepository
    login_failures: LoginFailureRepository
    link_tokens: LinkTokenRepository
    mail_asks: MailAskLog
    outbox: Outbox


@dataclass(frozen=True, slots=True)
class LockoutChanges:
    """Accounts locked (disabled, deleted) or unlocked after the last stamp, and the stamp
    to ask from next time."""

    locked: frozenset[UUID]
    unlocked: frozenset[UUID]
    stamp: str


class AccountLockouts(Protocol):
    async def changes_since(self, stamp: str | None) -> LockoutChanges:
        """Every change after `stamp`; with None, every account locked now."""
        ...
