"""Accounts: sign-up, sign-in, token rotation, passwords, and the admin's say over roles.

Password hashing is slow on purpose, so it runs on a worker thread and never while a
database transaction is held open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from grocery.core.account_links import LinkPurpose, link_letter, link_token
from grocery.core.edits import KEEP, Keep, kept
from grocery.core.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotAuthenticated,
    NotFound,
    field_error,
)
from grocery.core.identity import (
    LoginThrottle,
    Principal,
    RefreshState,
    RefreshToken,
    Registration,
    Role,
    TokenPolicy,
    User,
    normalise_email,
    refresh_state,
    validate_password,
    validate_registration,
)
from grocery.core.ids import new_id
from grocery.core.mail import mail_message
from grocery.core.paging import keyset_page
from grocery.core.ports.accounts import AccountWork
from grocery.core.ports.clock import Clock
from grocery.core.ports.security import AccessTokens, PasswordHasher
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.services.sign_in_attempts import SignInAttempts

# Higher may do more; moving down a rank is a demotion.
_RANK = {Role.CUSTOMER: 0, Role.MANAGER: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class UserPage:
    users: list[User]
    last_id: UUID | None
    """Where the next page starts (keyset); None on the last page."""


@dataclass(frozen=True, slots=True)
class RefreshTokenMint:
    """Makes opaque tokens (refresh tokens, mailed link tokens) and the hashes they are
    stored under."""

    new: Callable[[], tuple[str, str]]
    hash: Callable[[str], str]


class AuthService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[AccountWork],
        hasher: PasswordHasher,
        access_tokens: AccessTokens,
        refresh_tokens: RefreshTokenMint,
        clock: Clock,
        policy: TokenPolicy,
        throttle: LoginThrottle,
        link_tokens: RefreshTokenMint,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._access = access_tokens
        self._refresh = refresh_tokens
        self._clock = clock
        self._policy = policy
        self._attempts = SignInAttempts(uow, throttle)
        self._links = link_tokens  # a mailed link's token

    # --- sign-up ----------------------------------------------------------------

    async def register(self, email: str, username: str, password: str) -> User:
        """A new customer: a role never comes from the shopper. A link to confirm the address
        is mailed with the account."""
        registration = validate_registration(email, username, password)
        return await self._create(registration, Role.CUSTOMER, confirmed=False)

    async def ensure_user(self, username: str, email: str, password: str, role: Role) -> User:
        """Create the account, or bring the existing one of that username to this role and
        password, active. Safe to run again (create-admin, seed-demo)."""
        registration = validate_registration(email, username, password)
        async with self._uow() as uow:
            existing = await uow.users.by_username(username)
        if existing is None:  # the operator vouches for the address
            return await self._create(registration, role, confirmed=True)
        password_hash = existing.password_hash
        if not await self._verify(password_hash, password):
            password_hash = await self._hash(password)
        async with self._uow() as uow:
            await uow.users.set_password(existing.id, password_hash)
            await uow.users.set_access(existing.id, role=role, is_active=True)
            await uow.commit()
        return replace(existing, password_hash=password_hash, role=role, is_active=True)

    async def _create(self, registration: Registration, role: Role, *, confirmed: bool) -> User:
        now = self._clock.now()
        user = User(
            id=new_id(),
            email=registration.email,
            username=registration.username,
            password_hash=await self._hash(registration.password),
            role=role,
            is_active=True,
            created_at=now,
            email_verified=confirmed,
        )
        async with self._uow() as uow:
            await uow.users.add(user)
            if not confirmed:
                await mail_link(uow, self._links, user, LinkPurpose.VERIFY_EMAIL, now)
            await uow.commit()
        return user

    # --- sign-in and tokens -------------------------------------------------------

    async def login(
        self, password: str, *, username: str | None = None, email: str | None = None
    ) -> TokenPair:
        """Unknown user and wrong password answer alike, after the same hashing work."""
        now = self._clock.now()
        user = await self._authenticate(password, username, email, now)
        async with self._uow() as uow:
            pair = await self._issue(uow, user, family_id=new_id(), now=now)
            await uow.commit()
        return pair

    async def sign_in_staff(self, username: str, password: str) -> Principal:
        """The back office's: the API's checks and throttle, no tokens, no customers."""
        user = await self._authenticate(password, username or None, None, self._clock.now())
        if not user.role.can_manage:
            raise Forbidden("The back office is for the shop's managers and admins.")
        return user.principal

    async def _authenticate(
        self, password: str, username: str | None, email: str | None, now: datetime
    ) -> User:
        """The account the password opens; every attempt counts towards the throttle."""
        async with self._uow() as uow:
            user = await _find(uow, username, email)
            failures = 0 if user is None else await self._attempts.failures(uow, user.id, now)
        if user is None:
            await asyncio.to_thread(self._hasher.burn, password)
            raise _bad_credentials()
        await self._attempts.admit(user.id, failures, now)
        if not await self._verify(user.password_hash, password):
            raise _bad_credentials()
        if not user.is_active:
            raise Forbidden("This account is disabled.", code="account_disabled")
        fresh_hash = await self._rehash_if_stale(user, password)
        async with self._uow() as uow:
            await uow.login_failures.clear(user.id)
            if fresh_hash is not None:
                await uow.users.set_password(user.id, fresh_hash)
            await uow.commit()
        return user

    async def refresh(self, plain_token: str) -> TokenPair:
        """Spend the token and hand out the next of its family. A spent one coming back
        means a copy is in someone else's hands: the whole family dies."""
        now = self._clock.now()
        async with self._uow() as uow:
            stored = await uow.refresh_tokens.by_hash(self._refresh.hash(plain_token))
            state = refresh_state(stored, now)
            if stored is not None and state is RefreshState.VALID:
                if await uow.refresh_tokens.spend(stored.id, now):
                    pair = await self._rotate(uow, stored, now)
                    await uow.commit()
                    return pair
                state = RefreshState.SPENT  # a concurrent refresh spent it first
            if stored is not None and state.revokes_family:
                await uow.refresh_tokens.revoke_family(stored.family_id, now)
                await uow.commit()
            raise state.refusal()

    async def _rotate(self, uow: AccountWork, spent: RefreshToken, now: datetime) -> TokenPair:
        # The role comes from the database, so the new access token carries today's role.
        user = await uow.users.get(spent.user_id)
        if user is None or not user.is_active:
            raise RefreshState.REVOKED.refusal()
        return await self._issue(uow, user, family_id=spent.family_id, now=now)

    async def logout(self, plain_token: str) -> None:
        """Revoke the token's family. Unknown tokens are quietly accepted: nothing to end."""
        now = self._clock.now()
        async with self._uow() as uow:
            stored = await uow.refresh_tokens.by_hash(self._refresh.hash(plain_token))
            if stored is not None:
                await uow.refresh_tokens.revoke_family(stored.family_id, now)
                await uow.commit()

    async def _issue(
        self, uow: AccountWork, user: User, *, family_id: UUID, now: datetime
    ) -> TokenPair:
        plain, token_hash = self._refresh.new()
        await uow.refresh_tokens.add(
            RefreshToken(
                id=new_id(),
                family_id=family_id,
                user_id=user.id,
                token_hash=token_hash,
                expires_at=now + self._policy.refresh_ttl,
            )
        )
        access, expires_in = self._access.issue_access(user.principal, now)
        return TokenPair(access_token=access, refresh_token=plain, expires_in=expires_in)

    # --- the signed-in user -------------------------------------------------------

    async def profile(self, principal: Principal) -> User:
        async with self._uow() as uow:
            user = await uow.users.get(principal.user_id)
        if user is None:
            raise NotAuthenticated("The access token is not valid.", code="invalid_token")
        return user

    async def confirm_verified(self, principal: Principal) -> None:
        """Forbidden until the caller has confirmed their email address."""
        if not (await self.profile(principal)).email_verified:
            raise Forbidden(
                "Confirm your email address first: open the link we mailed you, or ask for a new one.",
                code="email_not_verified",
            )

    async def change_password(
        self, principal: Principal, current_password: str, new_password: str
    ) -> None:
        """Every session of the user ends: a changed password locks out whoever had the old one.
        Wrong current passwords count towards the login throttle (a stolen access token
        must not become a password oracle)."""
        validate_password(new_password, field_name="new_password")
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.get(principal.user_id)
            failures = 0 if user is None else await self._attempts.failures(uow, user.id, now)
        if user is None:
            raise NotAuthenticated("The access token is not valid.", code="invalid_token")
        await self._attempts.admit(user.id, failures, now)
        if not await self._verify(user.password_hash, current_password):
            raise NotAuthenticated(
                "The current password is not correct.", code="invalid_credentials"
            )
        new_hash = await self._hash(new_password)
        async with self._uow() as uow:
            await uow.users.set_password(user.id, new_hash)
            await uow.refresh_tokens.revoke_all_of(user.id, now)
            await uow.login_failures.clear(user.id)
            await uow.commit()

    # --- staff --------------------------------------------------------------------

    async def confirm_staff(self, principal: Principal, *, admin_only: bool) -> Principal:
        """The caller as the database knows them now, if they may manage (or administer).
        Tokens may carry a role taken away minutes ago; the database can't."""
        async with self._uow() as uow:
            user = await uow.users.get(principal.user_id)
        if user is None:
            raise NotAuthenticated("The access token is not valid.", code="invalid_token")
        allowed = user.role.is_admin if admin_only else user.role.can_manage
        if not (user.is_active and allowed):
            raise Forbidden("Your role may not do this.")
        return user.principal

    async def list_users(
        self, *, role: Role | None, after: UUID | None, limit: int, search: str | None = None
    ) -> UserPage:
        """`search`: part of a username or email, in any case; blank finds everyone."""
        wanted = (search or "").strip().lower() or None
        async with self._uow() as uow:
            users, last = await keyset_page(
                lambda rows: uow.users.page(role=role, after=after, limit=rows, search=wanted),
                limit,
            )
        return UserPage(users=users, last_id=None if last is None else last.id)

    async def change_access(
        self,
        admin: Principal,
        user_id: UUID,
        *,
        role: Role | Keep = KEEP,
        is_active: bool | Keep = KEEP,
    ) -> User:
        """Promote, demote, disable or re-enable. Demotion and disabling end every session."""
        if role is KEEP and is_active is KEEP:
            raise Invalid(
                "Give a new role, is_active, or both.",
                errors=[field_error("body", "needs role and/or is_active")],
            )
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.get(user_id)
            if user is None:
                raise NotFound("No such user.")
            changed = replace(
                user,
                role=kept(role, user.role),
                is_active=kept(is_active, user.is_active),
            )
            loses_access = _RANK[changed.role] < _RANK[user.role] or (
                user.is_active and not changed.is_active
            )
            if loses_access and user.id == admin.user_id:
                # Otherwise the last admin could lock everyone out of the admin routes.
                raise Conflict(
                    "Admins can't demote or disable themselves; ask another admin.",
                    code="own_account",
                )
            await uow.users.set_access(user.id, role=changed.role, is_active=changed.is_active)
            if loses_access:
                await uow.refresh_tokens.revoke_all_of(user.id, now)
            await uow.commit()
        return changed

    # --- helpers ------------------------------------------------------------------

    async def _hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def _verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._hasher.verify, password_hash, password)

    async def _rehash_if_stale(self, user: User, password: str) -> str | None:
        """A hash made with older, cheaper costs is upgraded while we hold the password."""
        if not self._hasher.needs_rehash(user.password_hash):
            return None
        return await self._hash(password)


async def mail_link(
    uow: AccountWork, mint: RefreshTokenMint, user: User, purpose: LinkPurpose, now: datetime
) -> None:
    """A fresh link token for `user` and its mail, in the caller's transaction."""
    plain, token_hash = mint.new()
    await uow.link_tokens.add(link_token(user, purpose, token_hash, now))
    await uow.outbox.add(mail_message(link_letter(user, purpose, plain), now))


async def _find(uow: AccountWork, username: str | None, email: str | None) -> User | None:
    if username:
        return await uow.users.by_username(username)
    if email:
        return await uow.users.by_email(normalise_email(email))
    problem = field_error("username", "give a username or an email")
    raise Invalid("Sign in with a username or an email.", errors=[problem])


def _bad_credentials() -> NotAuthenticated:
    return NotAuthenticated("Wrong username, email or password.", code="invalid_credentials")
