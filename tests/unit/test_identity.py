from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from grocery.core.errors import Invalid
from grocery.core.identity import (
    LoginThrottle,
    Principal,
    RefreshState,
    RefreshToken,
    Role,
    TokenPolicy,
    User,
    normalise_email,
    refresh_state,
    username_key,
    validate_password,
    validate_registration,
)

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


# --- roles --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "can_manage", "is_admin"),
    [(Role.CUSTOMER, False, False), (Role.MANAGER, True, False), (Role.ADMIN, True, True)],
)
def test_role_rules(role: Role, can_manage: bool, is_admin: bool) -> None:
    assert role.can_manage is can_manage
    assert role.is_admin is is_admin
    principal = Principal(user_id=uuid4(), role=role)
    assert principal.can_manage is can_manage
    assert principal.is_admin is is_admin


def test_roles_are_their_contract_names() -> None:
    assert [str(role) for role in Role] == ["customer", "manager", "admin"]
    assert Role("manager") is Role.MANAGER


def test_a_customer_sees_only_their_own() -> None:
    shopper = Principal(user_id=uuid4(), role=Role.CUSTOMER)
    assert shopper.may_see(shopper.user_id)
    assert not shopper.may_see(uuid4())


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_staff_see_everyones(role: Role) -> None:
    assert Principal(user_id=uuid4(), role=role).may_see(uuid4())


def test_a_user_signs_in_as_their_role_and_hides_the_hash() -> None:
    user = User(
        id=uuid4(),
        email="ann@example.com",
        username="Ann",
        password_hash="$argon2id$secret",
        role=Role.MANAGER,
        is_active=True,
        created_at=NOW,
    )
    assert user.principal == Principal(user_id=user.id, role=Role.MANAGER)
    assert "argon2id" not in repr(user)


# --- registration -------------------------------------------------------------


def _field_errors(email: str, username: str, password: str) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        validate_registration(email, username, password)
    assert caught.value.code == "validation_error"
    return {str(error["field"]): str(error["message"]) for error in caught.value.errors}


def test_good_registration_normalises_email_and_keeps_username() -> None:
    registration = validate_registration("  Ann.Lee@Example.COM ", "Ann_Lee-1.x", "hunter22")
    assert registration.email == "ann.lee@example.com"
    assert registration.username == "Ann_Lee-1.x"
    assert registration.password == "hunter22"
    assert "hunter22" not in repr(registration)


def test_every_bad_field_is_reported_at_once() -> None:
    assert set(_field_errors("nope", "a", "short")) == {"email", "username", "password"}


@pytest.mark.parametrize(
    "email",
    [
        "",
        "ann",
        "ann@",
        "@example.com",
        "ann@example",
        "ann@@example.com",
        "ann@ex@ample.com",
        "ann@example..com",
        "ann@.example.com",
        "ann@example.com.",
        "ann lee@example.com",
        "a" * 243 + "@example.com",  # 255 characters
    ],
)
def test_bad_email_is_refused(email: str) -> None:
    assert set(_field_errors(email, "ann", "password1")) == {"email"}


def test_email_of_254_characters_is_fine() -> None:
    email = "a" * 242 + "@example.com"
    assert len(email) == 254
    assert validate_registration(email, "ann", "password1").email == email


@pytest.mark.parametrize("username", ["ab", "a" * 41, "ann lee", "ann@home", "anné", "ann\n"])
def test_bad_username_is_refused(username: str) -> None:
    assert set(_field_errors("ann@example.com", username, "password1")) == {"username"}


@pytest.mark.parametrize("username", ["abc", "a" * 40, "A.b_c-9"])
def test_username_edges_are_fine(username: str) -> None:
    assert validate_registration("ann@example.com", username, "password1").username == username


def test_password_length_counts_characters_not_bytes() -> None:
    # Eight characters but 32 bytes in UTF-8; 128 characters but 512 bytes.
    for password in ("🍎" * 8, "🍎" * 128):
        assert validate_registration("ann@example.com", "ann", password).password == password


@pytest.mark.parametrize("password", ["", "1234567", "x" * 129])
def test_bad_password_is_refused(password: str) -> None:
    errors = _field_errors("ann@example.com", "ann", password)
    assert errors == {"password": "must be 8 to 128 characters"}


def test_a_new_password_is_reported_under_its_own_field() -> None:
    validate_password("long enough")
    with pytest.raises(Invalid) as caught:
        validate_password("short", field_name="new_password")
    assert [error["field"] for error in caught.value.errors] == ["new_password"]


def test_emails_and_usernames_compare_case_insensitively() -> None:
    assert normalise_email("Ann@Example.com") == normalise_email("ann@example.COM")
    assert username_key("AnnLee") == username_key("annlee")


# --- token policy -------------------------------------------------------------


def test_token_policy_defaults_are_the_contracts() -> None:
    policy = TokenPolicy(issuer="grocery", audience="grocery-api")
    assert policy.access_ttl == timedelta(minutes=15)
    assert policy.refresh_ttl == timedelta(days=14)


def test_token_lifetimes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenPolicy(issuer="grocery", audience="grocery-api", access_ttl=timedelta(0))


# --- refresh tokens -----------------------------------------------------------


def _refresh_token(
    *, expires_at: datetime = NOW + timedelta(days=1), spent: bool = False, revoked: bool = False
) -> RefreshToken:
    return RefreshToken(
        id=uuid4(),
        family_id=uuid4(),
        user_id=uuid4(),
        token_hash="abc",
        expires_at=expires_at,
        spent_at=NOW - timedelta(hours=1) if spent else None,
        revoked_at=NOW - timedelta(hours=1) if revoked else None,
    )


@pytest.mark.parametrize(
    ("token", "state"),
    [
        (None, RefreshState.UNKNOWN),
        (_refresh_token(), RefreshState.VALID),
        (_refresh_token(expires_at=NOW), RefreshState.EXPIRED),
        (_refresh_token(spent=True), RefreshState.SPENT),
        (_refresh_token(revoked=True), RefreshState.REVOKED),
        # An old copy still betrays theft after it expired.
        (_refresh_token(spent=True, expires_at=NOW - timedelta(days=1)), RefreshState.SPENT),
        # A revoked family is already dead: nothing more to revoke.
        (_refresh_token(spent=True, revoked=True), RefreshState.REVOKED),
    ],
)
def test_what_a_presented_refresh_token_means(
    token: RefreshToken | None, state: RefreshState
) -> None:
    assert refresh_state(token, NOW) is state


def test_only_reuse_revokes_the_family_and_says_so() -> None:
    assert [state for state in RefreshState if state.revokes_family] == [RefreshState.SPENT]
    assert RefreshState.SPENT.refusal().code == "token_reused"
    for state in (RefreshState.UNKNOWN, RefreshState.EXPIRED, RefreshState.REVOKED):
        assert state.refusal().code == "invalid_token"


def test_spending_then_presenting_again_is_reuse() -> None:
    token = _refresh_token()
    spent = token.spend(NOW)
    assert token.spent_at is None
    assert spent.spent_at == NOW
    assert refresh_state(spent, NOW + timedelta(seconds=1)) is RefreshState.SPENT


def test_revoking_keeps_the_first_revocation_time() -> None:
    revoked = _refresh_token().revoke(NOW)
    assert revoked.revoked_at == NOW
    assert revoked.revoke(NOW + timedelta(hours=1)).revoked_at == NOW


# --- login throttle -----------------------------------------------------------


def test_throttle_locks_at_the_tenth_failure() -> None:
    throttle = LoginThrottle()
    assert not throttle.is_locked(0)
    assert not throttle.is_locked(9)
    assert throttle.is_locked(10)
    assert throttle.is_locked(11)


def test_throttle_counts_failures_in_its_window() -> None:
    throttle = LoginThrottle(max_failures=3, window=timedelta(minutes=5))
    assert throttle.window_start(NOW) == NOW - timedelta(minutes=5)
    assert throttle.is_locked(3)
    assert not throttle.is_locked(2)
