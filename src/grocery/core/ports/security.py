"""Password hashing and signed access tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from grocery.core.identity import Principal


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True when the password matches; never raises for a mismatch."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    def burn(self, password: str) -> None:
        """Spend one verification's worth of time (for unknown users)."""
        ...


class AccessTokens(Protocol):
    """Signed, short-lived access tokens (JWT)."""

    def issue_access(self, principal: Principal, now: datetime) -> tuple[str, int]:
        """The token and its lifetime in seconds."""
        ...

    def read_access(self, token: str, now: datetime | None = None) -> Principal:
        """NotAuthenticated(`invalid_token`) for anything amiss."""
        ...
