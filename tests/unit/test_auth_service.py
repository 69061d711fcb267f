"""AuthService on the in-memory adapters: the rules of accounts without a database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.adapters.security import (
    JwtCodec,
    hash_refresh_token,
    new_link_token,
    new_refresh_token,
)
from grocery.core.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    Invalid,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)
from grocery.core.identity import LoginThrottle, Principal, Role, TokenPolicy, User
from grocery.core.services.auth import AuthService, RefreshTokenMint, TokenPair

START = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
POLICY = TokenPolicy(issuer="grocery", audience="grocery-api")
PASSWORD = "fresh-basil-42"


@dataclass
class FakeClock:
    moment: datetime = START

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass
class FakeHasher:
    """Readable hashes and a log of the work done, so tests can see what was spent."""

    stale: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)

    def hash(self, password: str) -> str:
        self.calls.append("hash")
        return f"hashed:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls.append("verify")
        return password_hash.removeprefix("old-costs$") == f"hashed:{password}"

    def needs_rehash(self, password_hash: str) -> bool:
        return password_hash in self.stale

    def burn(self, password: str) -> None:
        self.calls.append("burn")


@dataclass
class Shop:
    auth: AuthService
    store: MemoryStore
    clock: FakeClock
    hasher: FakeHasher
    tokens: JwtCodec

    def user(self, username: str) -> User:
        return next(u for u in self.store.accounts.users.values() if u.username == username)

    def reads(self, pair: TokenPair) -> Principal:
        return self.tokens.read_access(pair.access_token, self.clock.now())


@pytest.fixture
def shop() -> Shop:
    store, clock, hasher = MemoryStore(), FakeClock(), FakeHasher()
    tokens = JwtCodec("a-unit-test-secret-that-is-long-enough", POLICY)
    auth = AuthService(
        uow=lambda: MemoryUnitOfWork(store),
        hasher=hasher,
        access_tokens=tokens,
        refresh_tokens=RefreshTokenMint(new=new_refresh_token, hash=hash_refresh_token),
        link_tokens=RefreshTokenMint(new=new_link_token, hash=hash_refresh_token),
        clock=clock,
        policy=POLICY,
        throttle=LoginThrottle(max_failures=3, window=timedelta(minutes=15)),
    )
    return Shop(auth, store, clock, hasher, tokens)


async def member(shop: Shop, role: Role = Role.CUSTOMER, name: str | None = None) -> User:
    name = name or f"user-{uuid4().hex[:8]}"
    return await shop.auth.ensure_user(name, f"{name}@example.com", PASSWORD, role)


# --- registration ---------------------------------------------------------------


async def test_register_makes_a_customer_with_a_hashed_password(shop: Shop) -> None:
    user = await shop.auth.register(" Ann@Example.COM ", "Ann", PASSWORD)
    assert user.role is Role.CUSTOMER and user.is_active
    assert user.email == "ann@example.com"
    assert user.created_at == START
    assert shop.user("Ann").password_hash == f"hashed:{PASSWORD}"


async def test_register_refuses_taken_names_and_emails(shop: Shop) -> None:
    await shop.auth.register("ann@example.com", "Ann", PASSWORD)
    with pytest.raises(AlreadyExists) as same_email:
        await shop.auth.register("ANN@example.com", "Other", PASSWORD)
    with pytest.raises(AlreadyExists) as same_name:
        await shop.auth.register("other@example.com", "aNN", PASSWORD)
    assert same_email.value.errors[0]["field"] == "email"
    assert same_name.value.errors[0]["field"] == "username"


async def test_register_checks_the_fields_before_hashing(shop: Shop) -> None:
    with pytest.raises(Invalid):
        await shop.auth.register("ann@example.com", "Ann", "short")
    assert shop.hasher.calls == []


async def test_ensure_user_is_idempotent_and_sets_role_and_password(shop: Shop) -> None:
    first = await shop.auth.ensure_user("boss", "boss@example.com", PASSWORD, Role.ADMIN)
    again = await shop.auth.ensure_user("boss", "boss@example.com", PASSWORD, Role.ADMIN)
    assert again == first
    assert len(shop.store.accounts.users) == 1
    changed = await shop.auth.ensure_user("boss", "boss@example.com", "new-password", Role.MANAGER)
    assert changed.id == first.id and changed.role is Role.MANAGER
    assert shop.user("boss").password_hash == "hashed:new-password"
    assert shop.user("boss").role is Role.MANAGER


async def test_ensure_user_re_enables_a_disabled_account(shop: Shop) -> None:
    admin = await member(shop, Role.ADMIN)
    boss = await member(shop, Role.ADMIN, name="boss")
    await shop.auth.change_access(admin.principal, boss.id, is_active=False)
    await shop.auth.ensure_user("boss", "boss@example.com", PASSWORD, Role.ADMIN)
    assert shop.user("boss").is_active


# --- login and the throttle -------------------------------------------------------


async def test_login_by_username_or_email_gives_tokens_for_the_user(shop: Shop) -> None:
    user = await member(shop, Role.MANAGER)
    by_name = await shop.auth.login(PASSWORD, username=user.username.upper())
    by_email = await shop.auth.login(PASSWORD, email=user.email.upper())
    for pair in (by_name, by_email):
        assert shop.reads(pair) == Principal(user.id, Role.MANAGER)
        assert pair.expires_in == 900
        assert pair.refresh_token.startswith("rt_")
    assert by_name.refresh_token != by_email.refresh_token


async def test_login_needs_a_username_or_email(shop: Shop) -> None:
    with pytest.raises(Invalid):
        await shop.auth.login(PASSWORD)


async def test_unknown_user_and_wrong_password_look_alike(shop: Shop) -> None:
    user = await member(shop)
    shop.hasher.calls.clear()
    with pytest.raises(NotAuthenticated) as wrong:
        await shop.auth.login("not-the-password", username=user.username)
    with pytest.raises(NotAuthenticated) as unknown:
        await shop.auth.login("not-the-password", username="nobody")
    assert (wrong.value.code, wrong.value.detail) == (unknown.value.code, unknown.value.detail)
    assert wrong.value.code == "invalid_credentials"
    # Each spent one password check's worth of time.
    assert shop.hasher.calls == ["verify", "burn"]


async def test_failures_lock_the_account_until_the_window_passes(shop: Shop) -> None:
    user = await member(shop)
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            await shop.auth.login("guess-guess", username=user.username)
    with pytest.raises(TooManyAttempts):
        await shop.auth.login(PASSWORD, username=user.username)
    shop.clock.advance(minutes=15, seconds=1)
    assert shop.reads(await shop.auth.login(PASSWORD, username=user.username)).user_id == user.id


async def test_a_locked_account_costs_no_hashing(shop: Shop) -> None:
    user = await member(shop)
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            await shop.auth.login("guess-guess", username=user.username)
    shop.hasher.calls.clear()
    with pytest.raises(TooManyAttempts):
        await shop.auth.login("guess-guess", username=user.username)
    assert shop.hasher.calls == []


async def test_the_throttle_is_per_account(shop: Shop) -> None:
    victim, bystander = await member(shop), await member(shop)
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            await shop.auth.login("guess-guess", username=victim.username)
    await shop.auth.login(PASSWORD, username=bystander.username)


async def test_a_success_clears_the_failures(shop: Shop) -> None:
    user = await member(shop)
    for _ in range(2):
        with pytest.raises(NotAuthenticated):
            await shop.auth.login("guess-guess", username=user.username)
    await shop.auth.login(PASSWORD, username=user.username)
    for _ in range(2):
        with pytest.raises(NotAuthenticated):
            await shop.auth.login("guess-guess", username=user.username)
    await shop.auth.login(PASSWORD, username=user.username)


async def test_a_disabled_account_is_refused_after_the_password_check(shop: Shop) -> None:
    admin, user = await member(shop, Role.ADMIN), await member(shop)
    await shop.auth.change_access(admin.principal, user.id, is_active=False)
    with pytest.raises(NotAuthenticated):
        await shop.auth.login("guess-guess", username=user.username)
    with pytest.raises(Forbidden) as refused:
        await shop.auth.login(PASSWORD, username=user.username)
    assert refused.value.code == "account_disabled"


async def test_staff_sign_in_lets_managers_and_admins_in_without_tokens(shop: Shop) -> None:
    manager, admin = await member(shop, Role.MANAGER), await member(shop, Role.ADMIN)
    assert await shop.auth.sign_in_staff(manager.username, PASSWORD) == manager.principal
    assert await shop.auth.sign_in_staff(admin.username, PASSWORD) == admin.principal
    assert shop.store.accounts.refresh_tokens == {}


async def test_staff_sign_in_refuses_a_customer_with_the_right_password(shop: Shop) -> None:
    customer = await member(shop)
    with pytest.raises(NotAuthenticated):
        await shop.auth.sign_in_staff(customer.username, "guess-guess")
    with pytest.raises(Forbidden) as refused:
        await shop.auth.sign_in_staff(customer.username, PASSWORD)
    assert refused.value.code == "forbidden"


async def test_staff_sign_in_shares_the_login_throttle(shop: Shop) -> None:
    manager = await member(shop, Role.MANAGER)
    for _ in range(2):
        with pytest.raises(NotAuthenticated):
            await shop.auth.sign_in_staff(manager.username, "guess-guess")
    with pytest.raises(NotAuthenticated):
        await shop.auth.login("guess-guess", username=manager.username)
    with pytest.raises(TooManyAttempts):
        await shop.auth.sign_in_staff(manager.username, PASSWORD)


async def test_a_hash_with_old_costs_is_upgraded_at_login(shop: Shop) -> None:
    user = await member(shop)
    old_hash = f"old-costs$hashed:{PASSWORD}"
    async with MemoryUnitOfWork(shop.store) as uow:
        await uow.users.set_password(user.id, old_hash)
        await uow.commit()
    shop.hasher.stale.add(old_hash)
    shop.hasher.calls.clear()
    await shop.auth.login(PASSWORD, username=user.username)
    assert shop.hasher.calls == ["verify", "hash"]
    assert shop.user(user.username).password_hash == f"hashed:{PASSWORD}"
    await shop.auth.login(PASSWORD, username=user.username)
    assert shop.hasher.calls == ["verify", "hash", "verify"]


# --- refresh rotation -------------------------------------------------------------------


async def test_refresh_rotates_within_the_family(shop: Shop) -> None:
    user = await member(shop)
    first = await shop.auth.login(PASSWORD, username=user.username)
    second = await shop.auth.refresh(first.refresh_token)
    third = await shop.auth.refresh(second.refresh_token)
    assert shop.reads(third).user_id == user.id
    families = {token.family_id for token in shop.store.accounts.refresh_tokens.values()}
    assert len(families) == 1
    assert sum(t.spent_at is not None for t in shop.store.accounts.refresh_tokens.values()) == 2


async def test_reusing_a_spent_token_revokes_the_family(shop: Shop) -> None:
    user = await member(shop)
    first = await shop.auth.login(PASSWORD, username=user.username)
    other_session = await shop.auth.login(PASSWORD, username=user.username)
    second = await shop.auth.refresh(first.refresh_token)
    with pytest.raises(NotAuthenticated) as reused:
        await shop.auth.refresh(first.refresh_token)
    assert reused.value.code == "token_reused"
    with pytest.raises(NotAuthenticated) as revoked:
        await shop.auth.refresh(second.refresh_token)
    assert revoked.value.code == "invalid_token"
    await shop.auth.refresh(other_session.refresh_token)


async def test_an_expired_refresh_token_is_refused(shop: Shop) -> None:
    user = await member(shop)
    pair = await shop.auth.login(PASSWORD, username=user.username)
    shop.clock.advance(days=14)
    with pytest.raises(NotAuthenticated) as refused:
        await shop.auth.refresh(pair.refresh_token)
    assert refused.value.code == "invalid_token"


@pytest.mark.parametrize("token", ["rt_unknown", "", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
async def test_an_unknown_refresh_token_is_refused(shop: Shop, token: str) -> None:
    with pytest.raises(NotAuthenticated) as refused:
        await shop.auth.refresh(token)
    assert refused.value.code == "invalid_token"


async def test_refresh_gives_the_role_the_user_has_now(shop: Shop) -> None:
    admin, user = await member(shop, Role.ADMIN), await member(shop)
    pair = await shop.auth.login(PASSWORD, username=user.username)
    await shop.auth.change_access(admin.principal, user.id, role=Role.MANAGER)
    assert shop.reads(await shop.auth.refresh(pair.refresh_token)).role is Role.MANAGER


async def test_logout_ends_only_that_session(shop: Shop) -> None:
    user = await member(shop)
    ending = await shop.auth.login(PASSWORD, username=user.username)
    staying = await shop.auth.login(PASSWORD, username=user.username)
    await shop.auth.logout(ending.refresh_token)
    with pytest.raises(NotAuthenticated):
        await shop.auth.refresh(ending.refresh_token)
    await shop.auth.refresh(staying.refresh_token)
    await shop.auth.logout("rt_unknown")  # quietly nothing


# --- the signed-in user -----------------------------------------------------------------


async def test_change_password_ends_every_session(shop: Shop) -> None:
    user = await member(shop)
    sessions = [await shop.auth.login(PASSWORD, username=user.username) for _ in range(2)]
    await shop.auth.change_password(user.principal, PASSWORD, "new-thyme-2024")
    for pair in sessions:
        with pytest.raises(NotAuthenticated):
            await shop.auth.refresh(pair.refresh_token)
    await shop.auth.login("new-thyme-2024", username=user.username)
    with pytest.raises(NotAuthenticated):
        await shop.auth.login(PASSWORD, username=user.username)


async def test_wrong_current_passwords_count_towards_the_lock(shop: Shop) -> None:
    user = await member(shop)
    for _ in range(3):
        with pytest.raises(NotAuthenticated) as wrong:
            await shop.auth.change_password(user.principal, "guess-guess", "new-thyme-2024")
        assert wrong.value.code == "invalid_credentials"
    with pytest.raises(TooManyAttempts):
        await shop.auth.change_password(user.principal, PASSWORD, "new-thyme-2024")


async def test_change_password_checks_the_new_one(shop: Shop) -> None:
    user = await member(shop)
    with pytest.raises(Invalid) as refused:
        await shop.auth.change_password(user.principal, PASSWORD, "x" * 129)
    assert refused.value.errors[0]["field"] == "new_password"


async def test_profile_of_a_vanished_user_is_not_authenticated(shop: Shop) -> None:
    with pytest.raises(NotAuthenticated):
        await shop.auth.profile(Principal(uuid4(), Role.CUSTOMER))


# --- staff and the admin -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_manage", "may_administer"),
    [(Role.CUSTOMER, False, False), (Role.MANAGER, True, False), (Role.ADMIN, True, True)],
)
async def test_staff_are_confirmed_against_the_store(
    shop: Shop, role: Role, may_manage: bool, may_administer: bool
) -> None:
    user = await member(shop, role)
    # Whatever the token claims, the stored role decides.
    claimed = Principal(user.id, Role.ADMIN)
    for admin_only, allowed in ((False, may_manage), (True, may_administer)):
        if allowed:
            assert await shop.auth.confirm_staff(claimed, admin_only=admin_only) == user.principal
        else:
            with pytest.raises(Forbidden):
                await shop.auth.confirm_staff(claimed, admin_only=admin_only)


async def test_a_disabled_manager_is_not_staff(shop: Shop) -> None:
    admin, manager = await member(shop, Role.ADMIN), await member(shop, Role.MANAGER)
    await shop.auth.change_access(admin.principal, manager.id, is_active=False)
    with pytest.raises(Forbidden):
        await shop.auth.confirm_staff(manager.principal, admin_only=False)


async def test_a_vanished_user_is_not_staff(shop: Shop) -> None:
    with pytest.raises(NotAuthenticated):
        await shop.auth.confirm_staff(Principal(uuid4(), Role.ADMIN), admin_only=False)


async def test_users_come_in_keyset_pages(shop: Shop) -> None:
    made = [await member(shop) for _ in range(5)]
    await member(shop, Role.MANAGER)
    first = await shop.auth.list_users(role=Role.CUSTOMER, after=None, limit=3)
    second = await shop.auth.list_users(role=Role.CUSTOMER, after=first.last_id, limit=3)
    assert [u.id for u in first.users + second.users] == sorted(u.id for u in made)
    assert first.last_id == first.users[-1].id
    assert second.last_id is None


async def test_a_full_last_page_says_it_is_the_last(shop: Shop) -> None:
    for _ in range(2):
        await member(shop)
    page = await shop.auth.list_users(role=None, after=None, limit=2)
    assert len(page.users) == 2 and page.last_id is None


async def test_demotion_ends_sessions_and_promotion_keeps_them(shop: Shop) -> None:
    admin, user = await member(shop, Role.ADMIN), await member(shop, Role.MANAGER)
    pair = await shop.auth.login(PASSWORD, username=user.username)
    promoted = await shop.auth.change_access(admin.principal, user.id, role=Role.ADMIN)
    assert promoted.role is Role.ADMIN
    pair = await shop.auth.refresh(pair.refresh_token)
    demoted = await shop.auth.change_access(admin.principal, user.id, role=Role.CUSTOMER)
    assert demoted.role is Role.CUSTOMER and shop.user(user.username).role is Role.CUSTOMER
    with pytest.raises(NotAuthenticated):
        await shop.auth.refresh(pair.refresh_token)


async def test_disabling_ends_sessions(shop: Shop) -> None:
    admin, user = await member(shop, Role.ADMIN), await member(shop)
    pair = await shop.auth.login(PASSWORD, username=user.username)
    changed = await shop.auth.change_access(admin.principal, user.id, is_active=False)
    assert not changed.is_active
    with pytest.raises(NotAuthenticated):
        await shop.auth.refresh(pair.refresh_token)


async def test_change_access_needs_a_change_and_a_user(shop: Shop) -> None:
    admin = await member(shop, Role.ADMIN)
    with pytest.raises(Invalid):
        await shop.auth.change_access(admin.principal, admin.id)
    with pytest.raises(NotFound):
        await shop.auth.change_access(admin.principal, uuid4(), role=Role.MANAGER)


@pytest.mark.parametrize(
    "change", [{"role": Role.MANAGER}, {"role": Role.CUSTOMER}, {"is_active": False}]
)
async def test_an_admin_cannot_lock_themselves_out(shop: Shop, change: dict[str, object]) -> None:
    admin = await member(shop, Role.ADMIN)
    with pytest.raises(Conflict) as refused:
        await shop.auth.change_access(admin.principal, admin.id, **change)  # type: ignore[arg-type]
    assert refused.value.code == "own_account"
    assert shop.user(admin.username).role is Role.ADMIN


# --- the memory unit of work itself -------------------------------------------------------


async def test_memory_writes_without_commit_are_lost(shop: Shop) -> None:
    user = await member(shop)
    async with MemoryUnitOfWork(shop.store) as uow:
        await uow.users.set_access(user.id, role=Role.ADMIN, is_active=True)
    assert shop.user(user.username).role is Role.CUSTOMER


async def test_a_search_ignores_case_and_blank_finds_everyone(shop: Shop) -> None:
    wanted = await member(shop)
    await member(shop)
    found = await shop.auth.list_users(
        role=None, search=f"  {wanted.username.upper()} ", after=None, limit=9
    )
    assert [u.id for u in found.users] == [wanted.id]
    everyone = await shop.auth.list_users(role=None, search=" ", after=None, limit=9)
    assert len(everyone.users) == 2
