"""Mailed links on the in-memory adapters: a reset link works once within its hour, a
confirmation link confirms, asks past the throttle mail nothing, and every mail waits in
the outbox with its token's link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.adapters.security import hash_refresh_token, new_link_token, new_refresh_token
from grocery.core.account_links import LinkPurpose, MailThrottle
from grocery.core.errors import BadRequest
from grocery.core.identity import LoginThrottle, Principal, Role, TokenPolicy
from grocery.core.mail import letter_from
from grocery.core.services.account_links import AccountLinkService
from grocery.core.services.auth import AuthService, RefreshTokenMint

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
MINT = RefreshTokenMint(new=new_link_token, hash=hash_refresh_token)


class Clock:
    def __init__(self) -> None:
        self.moment = NOW

    def now(self) -> datetime:
        return self.moment


class PlainHasher:
    def hash(self, password: str) -> str:
        return f"hashed:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == f"hashed:{password}"

    def needs_rehash(self, password_hash: str) -> bool:
        return False

    def burn(self, password: str) -> None:
        return None


class Setup:
    def __init__(self) -> None:
        self.store = MemoryStore()
        self.clock = Clock()
        self.links = AccountLinkService(
            uow=self.uow,
            hasher=PlainHasher(),
            mint=MINT,
            clock=self.clock,
            throttle=MailThrottle(per_address=2, per_client=3),
        )
        self.auth = AuthService(
            uow=self.uow,
            hasher=PlainHasher(),
            access_tokens=None,  # type: ignore[arg-type] - never signs in here
            refresh_tokens=RefreshTokenMint(new=new_refresh_token, hash=hash_refresh_token),
            link_tokens=MINT,
            clock=self.clock,
            policy=TokenPolicy(issuer="i", audience="a"),
            throttle=LoginThrottle(),
        )

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    def tokens(self, purpose: LinkPurpose) -> list[str]:
        """The tokens mailed for `purpose`, oldest first."""
        letters = [letter_from(m.payload) for m in self.store.outbox.messages.values()]
        return [mail.facts["token"] for mail in letters if mail.kind.value == purpose.value]


@pytest.fixture
def setup() -> Setup:
    return Setup()


async def test_sign_up_mails_a_confirmation_link_that_confirms_once(setup: Setup) -> None:
    user = await setup.auth.register("Ann@Example.com", "ann", "a-password-1")
    [token] = setup.tokens(LinkPurpose.VERIFY_EMAIL)

    await setup.links.verify_email(token)

    assert setup.store.accounts.users[user.id].email_verified
    with pytest.raises(BadRequest) as again:
        await setup.links.verify_email(token)
    assert again.value.code == "invalid_verification_token"


async def test_staff_made_by_the_operator_are_confirmed_and_mailed_nothing(setup: Setup) -> None:
    user = await setup.auth.ensure_user("boss", "boss@example.com", "a-password-1", Role.ADMIN)
    assert user.email_verified and setup.store.outbox.messages == {}


async def test_a_reset_link_works_once_within_its_hour(setup: Setup) -> None:
    user = await setup.auth.register("ann@example.com", "ann", "a-password-1")
    await setup.links.ask_password_reset("ANN@example.com", client="c1")
    await setup.links.ask_password_reset("ann@example.com", client="c1")
    first, second = setup.tokens(LinkPurpose.PASSWORD_RESET)

    setup.clock.moment += timedelta(minutes=59)
    await setup.links.reset_password(second, "a-new-password")

    assert setup.store.accounts.users[user.id].password_hash == "hashed:a-new-password"
    for spent in (second, first):  # a reset spends every reset link of the account
        with pytest.raises(BadRequest) as refused:
            await setup.links.reset_password(spent, "another-password")
        assert refused.value.code == "invalid_reset_token"


async def test_a_reset_link_expires_after_an_hour(setup: Setup) -> None:
    await setup.auth.register("ann@example.com", "ann", "a-password-1")
    await setup.links.ask_password_reset("ann@example.com", client="c1")
    [token] = setup.tokens(LinkPurpose.PASSWORD_RESET)

    setup.clock.moment += timedelta(hours=1)
    with pytest.raises(BadRequest):
        await setup.links.reset_password(token, "a-new-password")


async def test_asks_past_the_limits_mail_nothing(setup: Setup) -> None:
    await setup.auth.register("ann@example.com", "ann", "a-password-1")
    await setup.auth.register("bob@example.com", "bob", "a-password-1")
    for _ in range(3):
        await setup.links.ask_password_reset("ann@example.com", client="c1")
    await setup.links.ask_password_reset("bob@example.com", client="c1")  # the client's 4th
    await setup.links.ask_password_reset("bob@example.com", client="c2")
    assert len(setup.tokens(LinkPurpose.PASSWORD_RESET)) == 3  # ann's first two, bob's via c2

    setup.clock.moment += timedelta(hours=1, seconds=1)
    await setup.links.ask_password_reset("ann@example.com", client="c1")
    assert len(setup.tokens(LinkPurpose.PASSWORD_RESET)) == 4  # the window moved on


async def test_no_reset_mail_for_an_unknown_or_disabled_account(setup: Setup) -> None:
    user = await setup.auth.register("ann@example.com", "ann", "a-password-1")
    async with setup.uow() as uow:
        await uow.users.set_access(user.id, role=Role.CUSTOMER, is_active=False)
        await uow.commit()

    await setup.links.ask_password_reset("ann@example.com", client="c1")
    await setup.links.ask_password_reset("nobody@example.com", client="c1")

    assert setup.tokens(LinkPurpose.PASSWORD_RESET) == []


async def test_resend_stops_once_the_address_is_confirmed(setup: Setup) -> None:
    user = await setup.auth.register("ann@example.com", "ann", "a-password-1")
    principal = Principal(user_id=user.id, role=Role.CUSTOMER)

    await setup.links.resend_verification(principal, client="c1")
    first, second = setup.tokens(LinkPurpose.VERIFY_EMAIL)
    await setup.links.verify_email(first)  # either link confirms; both are then spent
    await setup.links.resend_verification(principal, client="c1")

    assert len(setup.tokens(LinkPurpose.VERIFY_EMAIL)) == 2
    with pytest.raises(BadRequest):
        await setup.links.verify_email(second)


def test_a_reset_link_lives_an_hour_and_a_confirmation_a_week() -> None:
    assert LinkPurpose.PASSWORD_RESET.lifetime == timedelta(hours=1)
    assert LinkPurpose.VERIFY_EMAIL.lifetime == timedelta(days=7)
