"""The back office's sessions: a random id in an HttpOnly cookie, the data in PostgreSQL.

A session ends after IDLE of no use (the row's expiry and the cookie's both slide with each
request) and ABSOLUTE after its sign-in whatever its use. Signing in rotates the id, so a
session id planted before sign-in is worth nothing after it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession

from grocery.core.identity import Principal, Role
from grocery.core.ports.clock import Clock

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
COOKIE = "grocery_staff"
STORE = "staff_sessions"

_NEW_ID = "grocery_staff_session_id"


class SessionRows(Protocol):
    """Where sessions are kept (adapters/sql/staff_sessions.py)."""

    async def read(self, session_id: str, now: datetime) -> bytes | None: ...
    async def keep(self, session_id: str, data: bytes, expires_at: datetime) -> None: ...
    async def expire(self, session_id: str) -> None: ...
    async def expire_all(self) -> None: ...


class StaffSessionStore(Store):
    """Litestar's Store over SessionRows: what the session middleware reads and writes."""

    def __init__(self, rows: SessionRows, clock: Clock) -> None:
        self._rows = rows
        self._clock = clock

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        life = IDLE if expires_in is None else _as_delta(expires_in)
        await self._rows.keep(key, data, self._clock.now() + life)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        # Every answer writes the session back with a fresh expiry: no renewal needed here.
        return await self._rows.read(key, self._clock.now())

    async def delete(self, key: str) -> None:
        await self._rows.expire(key)

    async def delete_all(self) -> None:
        await self._rows.expire_all()

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        # The session middleware never asks; an expiry is kept per row, not read back.
        return None if await self.get(key) is None else int(IDLE.total_seconds())


def _as_delta(seconds: int | timedelta) -> timedelta:
    return seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)


class RotatingSessionBackend(ServerSideSessionBackend):
    """Litestar's server-side sessions, plus a new id on request (at sign-in): the old id's
    row is deleted and the cookie carries the new one. A session with nothing in it is
    not kept (Litestar would store an empty one for every visitor of the sign-in page)."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        fresh: str | None = connection.state.get(_NEW_ID)
        return fresh or super().get_session_id(connection)

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        old = connection.cookies.get(self.config.key)
        if not scope_session and not old:
            return  # a visitor who never signed in: no row, no cookie
        if not scope_session:
            scope_session = Empty  # signed out, or never in: the row and the cookie go
        if connection.state.get(_NEW_ID) and old:
            await self.delete(old, store=self.config.get_store_from_app(connection.scope["app"]))
        await super().store_in_message(scope_session, message, connection)


@dataclass
class StaffSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def session_config(*, secure: bool) -> StaffSessionConfig:
    return StaffSessionConfig(
        key=COOKIE,
        path="/admin",
        max_age=int(IDLE.total_seconds()),
        secure=secure,
        httponly=True,
        samesite="lax",
        store=STORE,
    )


# --- what a session holds -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaffSession:
    principal: Principal
    since: datetime  # signed in
    seen: datetime  # last request

    def is_over(self, now: datetime) -> bool:
        return now - self.since >= ABSOLUTE or now - self.seen >= IDLE


def open_session(
    connection: ASGIConnection[Any, Any, Any, Any], principal: Principal, now: datetime
) -> None:
    """Sign in: a fresh session under a new id."""
    connection.state[_NEW_ID] = secrets.token_hex(32)
    connection.set_session(
        {
            "user_id": str(principal.user_id),
            "role": principal.role.value,
            "since": now.isoformat(),
            "seen": now.isoformat(),
        }
    )


def read_session(connection: ASGIConnection[Any, Any, Any, Any]) -> StaffSession | None:
    data = connection.session if "session" in connection.scope else {}
    try:
        return StaffSession(
            principal=Principal(UUID(data["user_id"]), Role(data["role"])),
            since=datetime.fromisoformat(data["since"]),
            seen=datetime.fromisoformat(data["seen"]),
        )
    except (KeyError, ValueError, TypeError):
        return None


def mark_seen(connection: ASGIConnection[Any, Any, Any, Any], now: datetime) -> None:
    connection.session["seen"] = now.isoformat()


def close_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    connection.clear_session()
