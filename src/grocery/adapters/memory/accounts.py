"""Accounts in memory: users, refresh tokens, failed sign-ins, mailed link tokens and asks."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from grocery.core.account_links import LinkPurpose, LinkToken
from grocery.core.errors import AlreadyExists
from grocery.core.identity import RefreshToken, Role, User, username_key


@dataclass
class AccountsTables:
    users: dict[UUID, User] = field(default_factory=dict)
    refresh_tokens: dict[UUID, RefreshToken] = field(default_factory=dict)
    login_failures: list[tuple[UUID, datetime]] = field(default_factory=list)
    link_tokens: dict[UUID, LinkToken] = field(default_factory=dict)
    mail_asks: list[tuple[str, datetime]] = field(default_factory=list)


# --- users --------------------------------------------------------------------


class MemoryUserRepository:
    def __init__(self, tables: AccountsTables) -> None:
        self._users = tables.users

    async def add(self, user: User) -> None:
        for other in self._users.values():
            if other.email == user.email:
                raise _taken("email")
            if username_key(other.username) == username_key(user.username):
                raise _taken("username")
        self._users[user.id] = user

    async def get(self, user_id: UUID) -> User | None:
        return self._users.get(user_id)

    async def by_username(self, username: str) -> User | None:
        key = username_key(username)
        return next((u for u in self._users.values() if username_key(u.username) == key), None)

    async def by_email(self, email: str) -> User | None:
        return next((u for u in self._users.values() if u.email == email), None)

    async def set_password(self, user_id: UUID, password_hash: str) -> None:
        self._users[user_id] = replace(self._users[user_id], password_hash=password_hash)

    async def set_access(self, user_id: UUID, *, role: Role, is_active: bool) -> None:
        self._users[user_id] = replace(self._users[user_id], role=role, is_active=is_active)

    async def set_email_verified(self, user_id: UUID) -> None:
        self._users[user_id] = replace(self._users[user_id], email_verified=True)

    async def page(
        self, *, role: Role | None, after: UUID | None, limit: int, search: str | None = None
    ) -> list[User]:
        chosen = sorted(
            (
                user
                for user in self._users.values()
                if (role is None or user.role is role)
                and (after is None or user.id > after)
                and (search is None or _found(search, user))
            ),
            key=lambda user: user.id,
        )
        return chosen[:limit]


def _found(search: str, user: User) -> bool:
    return search in user.username.lower() or search in user.email.lower()


def _taken(field_name: str) -> AlreadyExists:
    return AlreadyExists(
        f"An account with this {field_name} already exists.",
        errors=[{"field": field_name, "message": "is already taken"}],
    )


# --- refresh tokens -----------------------------------------------------------


class MemoryRefreshTokenRepository:
    def __init__(self, tables: AccountsTables) -> None:
        self._tokens = tables.refresh_tokens

    async def add(self, token: RefreshToken) -> None:
        self._tokens[token.id] = token

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        return next((t for t in self._tokens.values() if t.token_hash == token_hash), None)

    async def spend(self, token_id: UUID, now: datetime) -> bool:
        token = self._tokens.get(token_id)
        if token is None or token.spent_at is not None or token.revoked_at is not None:
            return False
        self._tokens[token_id] = token.spend(now)
        return True

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        self._revoke_where(lambda token: token.family_id == family_id, now)

    async def revoke_all_of(self, user_id: UUID, now: datetime) -> None:
        self._revoke_where(lambda token: token.user_id == user_id, now)

    def _revoke_where(self, chosen: Callable[[RefreshToken], bool], now: datetime) -> None:
        for token_id, token in list(self._tokens.items()):
            if chosen(token):
                self._tokens[token_id] = token.revoke(now)


# --- failed sign-ins ----------------------------------------------------------


class MemoryLoginFailureRepository:
    def __init__(self, tables: AccountsTables) -> None:
        self._failures = tables.login_failures

    async def record(self, user_id: UUID, at: datetime, *, forget_before: datetime) -> None:
        self._failures[:] = [
            (who, when) for who, when in self._failures if who != user_id or when >= forget_before
        ]
        self._failures.append((user_id, at))

    async def count_since(self, user_id: UUID, since: datetime) -> int:
        return sum(1 for who, when in self._failures if who == user_id and when >= since)

    async def clear(self, user_id: UUID) -> None:
        self._failures[:] = [(who, when) for who, when in self._failures if who != user_id]


# --- mailed link tokens -------------------------------------------------------


class MemoryLinkTokenRepository:
    def __init__(self, tables: AccountsTables) -> None:
        self._tokens = tables.link_tokens

    async def add(self, token: LinkToken) -> None:
        self._tokens[token.id] = token

    async def live(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> LinkToken | None:
        return next(
            (t for t in self._live(purpose, now) if t.token_hash == token_hash),
            None,
        )

    async def use(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> UUID | None:
        token = await self.live(token_hash, purpose, now)
        if token is None:
            return None
        self._tokens[token.id] = replace(token, used_at=now)
        return token.user_id

    async def use_all_of(self, user_id: UUID, purpose: LinkPurpose, now: datetime) -> None:
        for token in self._live(purpose, now):
            if token.user_id == user_id:
                self._tokens[token.id] = replace(token, used_at=now)

    def _live(self, purpose: LinkPurpose, now: datetime) -> list[LinkToken]:
        return [
            token
            for token in self._tokens.values()
            if token.purpose is purpose and token.used_at is None and token.expires_at > now
        ]


# --- asks for mailed links ------------------------------------------------------


class MemoryMailAskLog:
    def __init__(self, tables: AccountsTables) -> None:
        self._asks = tables.mail_asks

    async def record(self, keys: Collection[str], at: datetime, *, forget_before: datetime) -> None:
        self._asks[:] = [
            (key, when) for key, when in self._asks if key not in keys or when >= forget_before
        ]
        self._asks.extend((key, at) for key in keys)

    async def count_since(self, key: str, since: datetime) -> int:
        return sum(1 for asked, when in self._asks if asked == key and when >= since)
