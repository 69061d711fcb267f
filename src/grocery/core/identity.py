"""Who shoppers and staff are, what each role may do, and the rules of signing in.

Pure rules only: hashing, token signing and storage live in adapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from grocery.core.errors import NotAuthenticated, Problems


class Role(StrEnum):
    CUSTOMER = "customer"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def can_manage(self) -> bool:
        """Catalog, promo codes, every order, reports: an admin can do all a manager can."""
        return self in (Role.MANAGER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self is Role.ADMIN


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in caller, as an access token vouches for them."""

    user_id: UUID
    role: Role

    @property
    def can_manage(self) -> bool:
        return self.role.can_manage

    @property
    def is_admin(self) -> bool:
        return self.role.is_admin

    def may_see(self, owner_id: UUID) -> bool:
        """Shoppers see only their own things (carts, orders); staff see everyone's."""
        return owner_id == self.user_id or self.can_manage


@dataclass(frozen=True, slots=True)
class User:
    id: UUID
    email: str
    username: str
    password_hash: str = field(repr=False)
    role: Role
    is_active: bool
    created_at: datetime
    email_verified: bool = False

    @property
    def principal(self) -> Principal:
        return Principal(user_id=self.id, role=self.role)


# --- registration -------------------------------------------------------------

EMAIL_MAX_LENGTH = 254
USERNAME_MIN_LENGTH, USERNAME_MAX_LENGTH = 3, 40
PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH = 8, 128

_NOT_VALID = "The account details are not valid."

# ASCII only, so look-alike letters can't impersonate a name and lower() in the
# database agrees with username_key() here.
_USERNAME = re.compile(r"[A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Registration:
    """Sign-up details that passed the shop's rules, email already normalised."""

    email: str
    username: str
    password: str = field(repr=False)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def username_key(username: str) -> str:
    """Usernames keep the case they were given but are unique case-insensitively."""
    return username.lower()


def validate_registration(email: str, username: str, password: str) -> Registration:
    """Check every field at once, so the shopper sees all problems in one answer."""
    email = normalise_email(email)
    problems = Problems()
    problems.add("email", _email_problem(email))
    problems.add("username", _username_problem(username))
    problems.add("password", _password_problem(password))
    problems.raise_if_any(_NOT_VALID)
    return Registration(email=email, username=username, password=password)


def validate_email(email: str) -> str:
    """The address normalised, or Invalid when it isn't shaped like one."""
    email = normalise_email(email)
    problems = Problems()
    problems.add("email", _email_problem(email))
    problems.raise_if_any(_NOT_VALID)
    return email


def validate_password(password: str, *, field_name: str = "password") -> None:
    """For a new password outside registration (change-password names it new_password)."""
    problems = Problems()
    problems.add(field_name, _password_problem(password))
    problems.raise_if_any(_NOT_VALID)


def _email_problem(email: str) -> str | None:
    if len(email) > EMAIL_MAX_LENGTH:
        return f"must be at most {EMAIL_MAX_LENGTH} characters"
    local, at, domain = email.partition("@")
    labels = domain.split(".")
    shaped = (
        bool(at and local)
        and "@" not in domain
        and len(labels) > 1
        and all(labels)
        and not any(ch.isspace() for ch in email)
    )
    return None if shaped else "must be an email address like name@example.com"


def _username_problem(username: str) -> str | None:
    if not USERNAME_MIN_LENGTH <= len(username) <= USERNAME_MAX_LENGTH:
        return f"must be {USERNAME_MIN_LENGTH} to {USERNAME_MAX_LENGTH} characters"
    if not _USERNAME.fullmatch(username):
        return "may contain only letters, digits, '.', '_' and '-'"
    return None


def _password_problem(password: str) -> str | None:
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        return f"must be {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters"
    return None


# --- tokens -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    issuer: str
    audience: str
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=14)

    def __post_init__(self) -> None:
        if self.access_ttl <= timedelta(0) or self.refresh_ttl <= timedelta(0):
            raise ValueError("token lifetimes must be positive")


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """One stored refresh token. Each refresh spends it and issues the next of its family,
    so a spent token coming back means it was copied: the whole family is revoked."""

    id: UUID
    family_id: UUID
    user_id: UUID
    token_hash: str = field(repr=False)
    expires_at: datetime
    spent_at: datetime | None = None
    revoked_at: datetime | None = None

    def spend(self, now: datetime) -> RefreshToken:
        return replace(self, spent_at=now)

    def revoke(self, now: datetime) -> RefreshToken:
        return replace(self, revoked_at=self.revoked_at or now)


class RefreshState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    SPENT = "spent"
    EXPIRED = "expired"

    @property
    def revokes_family(self) -> bool:
        return self is RefreshState.SPENT

    def refusal(self) -> NotAuthenticated:
        """The error to answer with; only meaningful for states other than VALID."""
        if self is RefreshState.SPENT:
            return NotAuthenticated("This refresh token was already used.", code="token_reused")
        return NotAuthenticated("The refresh token is not valid.", code="invalid_token")


def refresh_state(token: RefreshToken | None, now: datetime) -> RefreshState:
    """What a presented refresh token means. `None` is a token that matched no stored hash."""
    if token is None:
        return RefreshState.UNKNOWN
    # Revoked first: its family is already dead, there is nothing more to revoke.
    if token.revoked_at is not None:
        return RefreshState.REVOKED
    # Spent before expired: an old copy still betrays theft while its newer siblings live.
    if token.spent_at is not None:
        return RefreshState.SPENT
    if token.expires_at <= now:
        return RefreshState.EXPIRED
    return RefreshState.VALID


# --- login throttle -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """Locks an account after too many wrong passwords in a sliding window."""

    max_failures: int = 10
    window: timedelta = timedelta(minutes=15)

    def window_start(self, now: datetime) -> datetime:
        """Failures at or after this moment count."""
        return now - self.window

    def is_locked(self, failures_in_window: int) -> bool:
        return failures_in_window >= self.max_failures
