"""Accounts in memory: users, refresh tokens, failed sign-ins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from grocery.core.errors import AlreadyExists
from grocery.core.identity import RefreshToken, Role, User, username_key


@dataclass
class AccountsTables:
    users: dict[UUID, User] = field(default_factory=dict)
    refresh_tokens: dict[UUID, RefreshToken] = field(default_factory=dict)
    login_failures: list[tuple[UUID, datetime]] = field(default_factory=list)


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

    async def page(self, *, role: Role | None, after: UUID | None, limit: int) -> list[User]:
        chosen = sorted(
            (
                user
                for user in self._users.values()
                if (role is None or user.role is role) and (after is None or user.id > after)
            ),
            key=lambda user: user.id,
        )
        return chosen[:limit]


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
