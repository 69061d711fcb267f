"""Secrets of the accounts: argon2id password hashes, signed access tokens, opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import argon2
import jwt
from argon2.exceptions import InvalidHashError, VerificationError

from grocery.core.errors import NotAuthenticated
from grocery.core.identity import Principal, Role, TokenPolicy

# --- passwords ----------------------------------------------------------------


class Argon2PasswordHasher:
    """argon2id with RFC 9106's second recommended profile (64 MiB, t=3, p=4),
    above OWASP's minimum (19 MiB, t=2, p=1). Lower costs are for tests only."""

    def __init__(
        self, *, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4
    ) -> None:
        self._argon2 = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        # Made with the same costs, so checking against it takes as long as a real check.
        self._dummy_hash = self._argon2.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        # ValueError covers InvalidHashError and a hash that isn't even ASCII.
        except (VerificationError, ValueError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def burn(self, password: str) -> None:
        self.verify(self._dummy_hash, password)


# --- access tokens ------------------------------------------------------------

# Pinned: the algorithm never comes from the token's own header.
_ALGORITHM = "HS256"
_MIN_SECRET_BYTES = 32
_ACCESS = "access"
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "typ", "jti", "role"]
# Server clocks drift a little; a token from a peer slightly ahead is still good.
_CLOCK_SKEW_SECONDS = 30
_TOKENS_KEPT = 4096  # verified tokens remembered per process (then forgotten all at once)


class JwtCodec:
    """Signs and reads access tokens (HS256 with the shop's secret)."""

    def __init__(self, secret: str, policy: TokenPolicy) -> None:
        key = secret.encode()
        if len(key) < _MIN_SECRET_BYTES:
            raise ValueError(f"the JWT secret must be at least {_MIN_SECRET_BYTES} bytes")
        self._key = key
        self._policy = policy
        self._read: dict[str, tuple[Principal, dict[str, Any]]] = {}

    def issue_access(self, principal: Principal, now: datetime) -> tuple[str, int]:
        """The token and its lifetime in seconds (the `expires_in` of a login answer)."""
        issued_at = int(now.timestamp())
        expires_in = int(self._policy.access_ttl.total_seconds())
        claims = {
            "iss": self._policy.issuer,
            "aud": self._policy.audience,
            "sub": str(principal.user_id),
            "typ": _ACCESS,
            "role": principal.role.value,
            "jti": secrets.token_urlsafe(16),
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + expires_in,
        }
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM), expires_in

    def read_access(self, token: str, now: datetime | None = None) -> Principal:
        """The caller a token vouches for; NotAuthenticated for anything amiss.

        A token's signature and claims are checked once; its times on every use. (A
        customer sends the same token with every request until it expires; checking the
        signature again was a twentieth of a checkout's CPU.)
        """
        known = self._read.get(token)
        if known is None:
            known = self._verified(token)
            if len(self._read) >= _TOKENS_KEPT:
                self._read.clear()
            self._read[token] = known
        principal, claims = known
        if not _current(claims, now or datetime.now(UTC)):
            raise _invalid_token()
        return principal

    def _verified(self, token: str) -> tuple[Principal, dict[str, Any]]:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                audience=self._policy.audience,
                issuer=self._policy.issuer,
                # Times are checked against `now` on each use, not PyJWT's own clock.
                options={
                    "require": _REQUIRED_CLAIMS,
                    "strict_aud": True,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as error:
            raise _invalid_token() from error
        if claims["typ"] != _ACCESS:
            raise _invalid_token()
        try:
            return Principal(user_id=UUID(claims["sub"]), role=Role(claims["role"])), claims
        except ValueError as error:
            raise _invalid_token() from error


def _current(claims: dict[str, Any], now: datetime) -> bool:
    """Not expired and not from the future."""
    moment = now.timestamp()
    expires, issued = claims["exp"], claims["iat"]
    not_before = claims.get("nbf", issued)
    if not (isinstance(expires, int) and isinstance(issued, int) and isinstance(not_before, int)):
        return False
    return expires > moment and max(issued, not_before) <= moment + _CLOCK_SKEW_SECONDS


def _invalid_token() -> NotAuthenticated:
    return NotAuthenticated("The access token is not valid.", code="invalid_token")


# --- refresh tokens -----------------------------------------------------------

# Opaque, not JWTs: one can never pass for an access token. The prefix tells them apart
# at a glance (logs, secret scanners).
LINK_TOKEN_PREFIX = "lk_"  # noqa: S105 - a label, not a secret
REFRESH_TOKEN_PREFIX = "rt_"  # noqa: S105 - a label, not a secret
GUEST_CART_TOKEN_PREFIX = "gc_"  # noqa: S105 - a label, not a secret


def new_refresh_token() -> tuple[str, str]:
    """The token to hand the client and the hash to store (never the token itself)."""
    plain = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return plain, hash_refresh_token(plain)


def new_link_token() -> tuple[str, str]:
    """A mailed link's token (confirm the address, reset the password) and its hash."""
    plain = LINK_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return plain, hash_refresh_token(plain)


def new_guest_cart_token() -> tuple[str, str]:
    """A guest cart's token (sent as X-Cart-Token) and its hash."""
    plain = GUEST_CART_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return plain, hash_refresh_token(plain)


def hash_refresh_token(plain: str) -> str:
    # 256 random bits need no slow hash or salt: SHA-256 can't be brute-forced back.
    return hashlib.sha256(plain.encode()).hexdigest()
