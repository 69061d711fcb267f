"""Accounts in PostgreSQL: users, refresh tokens, failed sign-ins, mailed link tokens and
asks for them."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, Select, and_, delete, func, insert, or_, select, update

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.accounts import (
    link_tokens,
    login_failures,
    mail_asks,
    refresh_tokens,
    users,
)
from grocery.core.account_links import LinkPurpose, LinkToken
from grocery.core.identity import RefreshToken, Role, User, username_key

# --- users --------------------------------------------------------------------


class SqlUserRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, user: User) -> None:
        # The unique constraints decide, so two sign-ups racing for one name can't both win
        # (the loser's is AlreadyExists, naming the field: adapters/sql/errors.py).
        await self._sql.execute(insert(users).values(_user_values(user)))

    async def get(self, user_id: UUID) -> User | None:
        return await self._one(users.c.id == user_id)

    async def by_username(self, username: str) -> User | None:
        return await self._one(func.lower(users.c.username) == username_key(username))

    async def by_email(self, email: str) -> User | None:
        return await self._one(users.c.email == email)

    async def set_password(self, user_id: UUID, password_hash: str) -> None:
        await self._sql.execute(
            update(users).where(users.c.id == user_id).values(password_hash=password_hash)
        )

    async def set_access(self, user_id: UUID, *, role: Role, is_active: bool) -> None:
        await self._sql.execute(
            update(users).where(users.c.id == user_id).values(role=role.value, is_active=is_active)
        )

    async def set_email_verified(self, user_id: UUID) -> None:
        await self._sql.execute(
            update(users).where(users.c.id == user_id).values(email_verified=True)
        )

    async def page(
        self, *, role: Role | None, after: UUID | None, limit: int, search: str | None = None
    ) -> list[User]:
        query = users_page(role=role, after=after, limit=limit, search=search)
        rows = (await self._sql.execute(query)).mappings()
        return [_user(row) for row in rows]

    async def _one(self, condition: Any) -> User | None:
        row = (await self._sql.execute(select(users).where(condition))).mappings().first()
        return None if row is None else _user(row)


def users_page(
    *, role: Role | None, after: UUID | None, limit: int, search: str | None
) -> Select[Any]:
    """By id; `search` (lowercased) is found with LIKE, which the trigram indexes on the
    lowercased username and email serve (0028), its % _ and \\ escaped as plain characters."""
    query = select(users).order_by(users.c.id).limit(limit)
    if search is not None:
        part = "%" + re.sub(r"([\\%_])", r"\\\1", search) + "%"
        query = query.where(
            or_(
                func.lower(users.c.username).like(part, escape="\\"),
                func.lower(users.c.email).like(part, escape="\\"),
            )
        )
    if role is not None:
        query = query.where(users.c.role == role.value)
    if after is not None:
        query = query.where(users.c.id > after)
    return query


def _user_values(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "username": user.username,
        "password_hash": user.password_hash,
        "role": user.role.value,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "email_verified": user.email_verified,
    }


def _user(row: RowMapping) -> User:
    return user_of(row, row["id"], row["created_at"])


def user_of(row: Mapping[Any, Any], user_id: UUID, created_at: datetime) -> User:
    """A user from a row with the users table's columns. The id and creation time are given
    apart: the checkout's statement (adapters/sql/placements.py) joins users to other tables,
    knows the id already and reads created_at under another name."""
    return User(
        id=user_id,
        email=row["email"],
        username=row["username"],
        password_hash=row["password_hash"],
        role=Role(row["role"]),
        is_active=row["is_active"],
        created_at=created_at,
        email_verified=row["email_verified"],
    )


# --- refresh tokens -----------------------------------------------------------


class SqlRefreshTokenRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, token: RefreshToken) -> None:
        await self._sql.execute(
            insert(refresh_tokens).values(
                id=token.id,
                family_id=token.family_id,
                user_id=token.user_id,
                token_hash=token.token_hash,
                expires_at=token.expires_at,
                spent_at=token.spent_at,
                revoked_at=token.revoked_at,
            )
        )

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        query = select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
        row = (await self._sql.execute(query)).mappings().first()
        return None if row is None else RefreshToken(**row)

    async def spend(self, token_id: UUID, now: datetime) -> bool:
        # One conditional statement: the row lock makes a concurrent spender wait, then
        # find spent_at set and match nothing. Reading first and writing after would let both win.
        spent = await self._sql.execute(
            update(refresh_tokens)
            .where(
                refresh_tokens.c.id == token_id,
                refresh_tokens.c.spent_at.is_(None),
                refresh_tokens.c.revoked_at.is_(None),
            )
            .values(spent_at=now)
            .returning(refresh_tokens.c.id)
        )
        return spent.first() is not None

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        await self._revoke(refresh_tokens.c.family_id == family_id, now)

    async def revoke_all_of(self, user_id: UUID, now: datetime) -> None:
        await self._revoke(refresh_tokens.c.user_id == user_id, now)

    async def _revoke(self, condition: Any, now: datetime) -> None:
        await self._sql.execute(
            update(refresh_tokens)
            .where(condition, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


# --- failed sign-ins ----------------------------------------------------------


class SqlLoginFailureRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def record(self, user_id: UUID, at: datetime, *, forget_before: datetime) -> None:
        await self._sql.execute(
            delete(login_failures).where(
                login_failures.c.user_id == user_id, login_failures.c.failed_at < forget_before
            )
        )
        await self._sql.execute(insert(login_failures).values(user_id=user_id, failed_at=at))

    async def count_since(self, user_id: UUID, since: datetime) -> int:
        query = select(func.count()).where(
            login_failures.c.user_id == user_id, login_failures.c.failed_at >= since
        )
        return int((await self._sql.execute(query)).scalar_one())

    async def clear(self, user_id: UUID) -> None:
        await self._sql.execute(delete(login_failures).where(login_failures.c.user_id == user_id))


# --- mailed link tokens -------------------------------------------------------


class SqlLinkTokenRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, token: LinkToken) -> None:
        await self._sql.execute(
            insert(link_tokens).values(
                id=token.id,
                user_id=token.user_id,
                purpose=token.purpose.value,
                token_hash=token.token_hash,
                expires_at=token.expires_at,
                used_at=token.used_at,
            )
        )

    async def live(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> LinkToken | None:
        query = select(link_tokens).where(
            _live(link_tokens.c.token_hash == token_hash, purpose, now)
        )
        row = (await self._sql.execute(query)).mappings().first()
        return None if row is None else LinkToken(**{**row, "purpose": LinkPurpose(row["purpose"])})

    async def use(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> UUID | None:
        # One conditional statement, as for refresh tokens: a concurrent use waits on the
        # row lock, then finds used_at set and matches nothing.
        used = await self._sql.execute(
            update(link_tokens)
            .where(_live(link_tokens.c.token_hash == token_hash, purpose, now))
            .values(used_at=now)
            .returning(link_tokens.c.user_id)
        )
        user_id: UUID | None = used.scalar_one_or_none()
        return user_id

    async def use_all_of(self, user_id: UUID, purpose: LinkPurpose, now: datetime) -> None:
        await self._sql.execute(
            update(link_tokens)
            .where(_live(link_tokens.c.user_id == user_id, purpose, now))
            .values(used_at=now)
        )


def _live(condition: Any, purpose: LinkPurpose, now: datetime) -> Any:
    return and_(
        condition,
        link_tokens.c.purpose == purpose.value,
        link_tokens.c.used_at.is_(None),
        link_tokens.c.expires_at > now,
    )


# --- asks for mailed links ------------------------------------------------------


class SqlMailAskLog:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def record(self, keys: Collection[str], at: datetime, *, forget_before: datetime) -> None:
        await self._sql.execute(
            delete(mail_asks).where(
                mail_asks.c.key.in_(list(keys)), mail_asks.c.asked_at < forget_before
            )
        )
        await self._sql.execute(insert(mail_asks), [{"key": key, "asked_at": at} for key in keys])

    async def count_since(self, key: str, since: datetime) -> int:
        query = select(func.count()).where(mail_asks.c.key == key, mail_asks.c.asked_at >= since)
        return int((await self._sql.execute(query)).scalar_one())
