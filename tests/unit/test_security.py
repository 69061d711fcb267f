import base64
import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import argon2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from grocery.adapters.security import (
    REFRESH_TOKEN_PREFIX,
    Argon2PasswordHasher,
    JwtCodec,
    hash_refresh_token,
    new_refresh_token,
)
from grocery.core.errors import NotAuthenticated
from grocery.core.identity import Principal, Role, TokenPolicy

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
SECRET = "a-test-secret-that-is-long-enough-for-hs256"
POLICY = TokenPolicy(issuer="grocery", audience="grocery-api")

# --- passwords ----------------------------------------------------------------


@pytest.fixture(scope="module")
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_a_password_verifies_against_its_hash(hasher: Argon2PasswordHasher) -> None:
    password_hash = hasher.hash("correct horse")
    assert password_hash != "correct horse"
    assert hasher.verify(password_hash, "correct horse")


def test_the_same_password_hashes_differently_each_time(hasher: Argon2PasswordHasher) -> None:
    assert hasher.hash("correct horse") != hasher.hash("correct horse")


def test_a_wrong_password_does_not_verify(hasher: Argon2PasswordHasher) -> None:
    assert not hasher.verify(hasher.hash("correct horse"), "correct horsf")


@pytest.mark.parametrize("garbage", ["", "not a hash", "$argon2id$v=19$m=8,t=1,p=1$broken", "é"])
def test_a_garbage_hash_does_not_verify_nor_raise(
    hasher: Argon2PasswordHasher, garbage: str
) -> None:
    assert hasher.verify(garbage, "correct horse") is False


def _fastest_of_three(action: Callable[[], object]) -> float:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_an_unknown_user_costs_what_a_wrong_password_does() -> None:
    hasher = Argon2PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
    password_hash = hasher.hash("correct horse")
    wrong_password = _fastest_of_three(lambda: hasher.verify(password_hash, "wrong"))
    unknown_user = _fastest_of_three(lambda: hasher.burn("wrong"))
    # A real argon2 check against a dummy hash, not a shortcut (a shortcut is ~1000x faster).
    assert unknown_user > wrong_password / 4


def test_the_default_hash_is_argon2id_at_or_above_owasp() -> None:
    strong = Argon2PasswordHasher()
    password_hash = strong.hash("correct horse")
    params = argon2.extract_parameters(password_hash)
    assert password_hash.startswith("$argon2id$")
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)
    # OWASP's minimum is m=19 MiB, t=2, p=1.
    assert params.memory_cost >= 19456
    assert params.time_cost >= 2
    assert strong.verify(password_hash, "correct horse")


def test_a_hash_with_other_costs_needs_rehashing(hasher: Argon2PasswordHasher) -> None:
    password_hash = hasher.hash("correct horse")
    assert not hasher.needs_rehash(password_hash)
    costlier = Argon2PasswordHasher(time_cost=2, memory_cost=8, parallelism=1)
    assert costlier.needs_rehash(password_hash)


def test_an_unreadable_hash_needs_rehashing(hasher: Argon2PasswordHasher) -> None:
    assert hasher.needs_rehash("not a hash")


# --- access tokens ------------------------------------------------------------


@pytest.fixture
def codec() -> JwtCodec:
    return JwtCodec(SECRET, POLICY)


def _claims(**changes: Any) -> dict[str, Any]:
    """Claims of a good access token; a change of None drops that claim."""
    issued = int(NOW.timestamp())
    claims: dict[str, Any] = {
        "iss": "grocery",
        "aud": "grocery-api",
        "sub": str(uuid4()),
        "typ": "access",
        "role": "customer",
        "jti": "j1",
        "iat": issued,
        "nbf": issued,
        "exp": issued + 900,
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _forge(claims: dict[str, Any], key: Any = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _refused(codec: JwtCodec, token: str, now: datetime = NOW) -> None:
    with pytest.raises(NotAuthenticated) as caught:
        codec.read_access(token, now)
    assert caught.value.code == "invalid_token"


def test_a_good_token_round_trips(codec: JwtCodec) -> None:
    principal = Principal(user_id=uuid4(), role=Role.MANAGER)
    token, expires_in = codec.issue_access(principal, NOW)
    assert expires_in == 900
    assert codec.read_access(token, NOW + timedelta(minutes=14, seconds=59)) == principal


def test_a_token_carries_the_contract_claims(codec: JwtCodec) -> None:
    principal = Principal(user_id=uuid4(), role=Role.ADMIN)
    token, _ = codec.issue_access(principal, NOW)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert claims["sub"] == str(principal.user_id)
    assert (claims["typ"], claims["role"]) == ("access", "admin")
    assert (claims["iss"], claims["aud"]) == ("grocery", "grocery-api")
    assert claims["iat"] == int(NOW.timestamp())
    assert claims["exp"] - claims["iat"] == 900
    other, _ = codec.issue_access(principal, NOW)
    assert jwt.decode(other, options={"verify_signature": False})["jti"] != claims["jti"]


def test_a_fresh_token_reads_on_the_real_clock(codec: JwtCodec) -> None:
    principal = Principal(user_id=uuid4(), role=Role.CUSTOMER)
    token, _ = codec.issue_access(principal, datetime.now(UTC))
    assert codec.read_access(token) == principal


def test_a_forged_good_token_is_accepted(codec: JwtCodec) -> None:
    # Guards the refusals below: each differs from this token in one way only.
    claims = _claims()
    assert codec.read_access(_forge(claims), NOW).user_id.hex == claims["sub"].replace("-", "")


def test_an_expired_token_is_refused(codec: JwtCodec) -> None:
    token, _ = codec.issue_access(Principal(user_id=uuid4(), role=Role.ADMIN), NOW)
    _refused(codec, token, NOW + timedelta(minutes=15))


def test_a_token_read_before_is_refused_once_it_expires(codec: JwtCodec) -> None:
    principal = Principal(user_id=uuid4(), role=Role.CUSTOMER)
    token, _ = codec.issue_access(principal, NOW)
    for minutes in (0, 5, 14):
        assert codec.read_access(token, NOW + timedelta(minutes=minutes)) == principal
    _refused(codec, token, NOW + timedelta(minutes=15))
    _refused(codec, token, NOW - timedelta(minutes=1))


def test_a_refused_token_stays_refused_when_sent_again(codec: JwtCodec) -> None:
    token, _ = codec.issue_access(Principal(user_id=uuid4(), role=Role.CUSTOMER), NOW)
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = f"{header}.{_segment({**claims, 'role': 'admin'})}.{signature}"
    codec.read_access(token, NOW)
    for _ in range(2):
        _refused(codec, forged)


def test_a_token_from_the_future_is_refused(codec: JwtCodec) -> None:
    token, _ = codec.issue_access(Principal(user_id=uuid4(), role=Role.ADMIN), NOW)
    _refused(codec, token, NOW - timedelta(minutes=1))


def test_a_tampered_payload_is_refused(codec: JwtCodec) -> None:
    token, _ = codec.issue_access(Principal(user_id=uuid4(), role=Role.CUSTOMER), NOW)
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = _segment({**claims, "role": "admin"})
    _refused(codec, f"{header}.{forged}.{signature}")


def test_alg_none_is_refused(codec: JwtCodec) -> None:
    _refused(codec, _forge(_claims(), key=None, algorithm="none"))
    unsigned = f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(_claims())}."
    _refused(codec, unsigned)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_hs512_with_the_same_secret_is_refused(codec: JwtCodec) -> None:
    _refused(codec, _forge(_claims(), algorithm="HS512"))


def test_an_rs256_token_is_refused(codec: JwtCodec) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(codec, _forge(_claims(), key=key, algorithm="RS256"))


def test_another_secret_is_refused(codec: JwtCodec) -> None:
    _refused(codec, _forge(_claims(), key="another-secret-that-is-long-enough-too"))


@pytest.mark.parametrize(
    "changes",
    [
        {"typ": "refresh"},
        {"iss": "someone-else"},
        {"aud": "another-api"},
        {"aud": ["grocery-api", "another-api"]},
        {"sub": "not-a-uuid"},
        {"sub": 42},
        {"role": "superuser"},
        {"role": ["admin"]},
        {"exp": "tomorrow"},
        {"exp": True},
        {"nbf": int(NOW.timestamp()) + 3600},
    ],
    ids=repr,
)
def test_a_wrong_claim_is_refused(codec: JwtCodec, changes: dict[str, Any]) -> None:
    _refused(codec, _forge(_claims(**changes)))


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "typ", "role", "jti"])
def test_a_missing_claim_is_refused(codec: JwtCodec, claim: str) -> None:
    _refused(codec, _forge(_claims(**{claim: None})))


@pytest.mark.parametrize(
    "garbage", ["", "garbage", "a.b.c", "Bearer x.y.z", "ééé.ééé.ééé", new_refresh_token()[0]]
)
def test_garbage_is_refused(codec: JwtCodec, garbage: str) -> None:
    _refused(codec, garbage)


def test_the_secret_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        JwtCodec("x" * 31, POLICY)
    JwtCodec("x" * 32, POLICY)
    JwtCodec("é" * 16, POLICY)  # 16 characters, 32 bytes


# --- refresh tokens -----------------------------------------------------------


def test_a_refresh_token_is_opaque_and_stored_only_as_its_hash() -> None:
    plain, token_hash = new_refresh_token()
    assert plain.startswith(REFRESH_TOKEN_PREFIX)
    assert len(plain) >= len(REFRESH_TOKEN_PREFIX) + 43  # 32 random bytes, base64url
    assert plain.count(".") == 0  # never shaped like a JWT
    assert token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in token_hash


def test_refresh_tokens_never_repeat() -> None:
    plains = {new_refresh_token()[0] for _ in range(100)}
    assert len(plains) == 100


def test_hashing_a_presented_token_finds_the_stored_one() -> None:
    plain, token_hash = new_refresh_token()
    assert hash_refresh_token(plain) == token_hash
    assert hash_refresh_token(plain + "x") != token_hash
