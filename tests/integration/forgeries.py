"""Access tokens that are wrong in exactly one way, for the token tests and the security suite."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from grocery.config import Settings
from tests.integration.conftest import SignedInUser

# The kinds `forge` makes but "garbage": tokens that look right, each wrong in one way.
FORGERIES = [
    "expired",
    "tampered",
    "alg_none",
    # Signed with the shop's own secret, only the algorithm differs (PyJWT warns of it).
    pytest.param(
        "other_algorithm",
        marks=pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
    ),
    "rsa",
    "wrong_secret",
    "wrong_typ",
    "wrong_iss",
    "wrong_aud",
    "no_exp",
]


def claims_for(user: SignedInUser, settings: Settings, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user.id),
        "typ": "access",
        "role": user.role.value,
        "jti": "test",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def forge(kind: str, user: SignedInUser, settings: Settings) -> str:
    """A token that is wrong in exactly one way."""
    key = settings.secret_key
    if kind == "expired":
        past = int(time.time()) - 3600
        return jwt.encode(claims_for(user, settings, iat=past, exp=past + 60), key, "HS256")
    if kind == "tampered":
        head, _, signature = user.headers["Authorization"].removeprefix("Bearer ").split(".")
        return ".".join([head, b64(claims_for(user, settings, role="admin")), signature])
    if kind == "alg_none":
        return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_for(user, settings))}."
    if kind == "other_algorithm":
        return jwt.encode(claims_for(user, settings), key, "HS512")
    if kind == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims_for(user, settings), private, "RS256")
    if kind == "wrong_secret":
        return jwt.encode(claims_for(user, settings), "x" * 48, "HS256")
    if kind == "wrong_typ":
        return jwt.encode(claims_for(user, settings, typ="refresh"), key, "HS256")
    if kind == "wrong_iss":
        return jwt.encode(claims_for(user, settings, iss="someone-else"), key, "HS256")
    if kind == "wrong_aud":
        return jwt.encode(claims_for(user, settings, aud="another-api"), key, "HS256")
    if kind == "no_exp":
        return jwt.encode(claims_for(user, settings, exp=None), key, "HS256")
    if kind == "garbage":
        return "not.a.token"
    raise AssertionError(kind)
