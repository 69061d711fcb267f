"""Accounts over HTTP: /api/auth for everyone, /api/admin/users for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, FromQuery, JSONBody

from grocery.core.edits import keep_if_none
from grocery.core.identity import Principal, Role, User
from grocery.core.services.account_links import AccountLinkService
from grocery.core.services.auth import AuthService, TokenPair
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import Email, Password, Username
from grocery.entrypoints.http.guards import PUBLIC, admin, signed_in
from grocery.entrypoints.http.lockouts import LockedAccounts
from grocery.entrypoints.http.pages import DEFAULT_LIMIT, Limit, id_cursor, read_id_cursor

NO_STORE = CacheControlHeader(no_store=True)

# --- bodies -------------------------------------------------------------------


class RegisterBody(msgspec.Struct):
    """Unknown fields (a `role`, say) are ignored: a role never comes from a sign-up."""

    email: Email
    username: Username
    password: Password


class LoginBody(msgspec.Struct):
    password: str
    username: str | None = None
    email: str | None = None


class RefreshBody(msgspec.Struct):
    refresh_token: str


class ChangePasswordBody(msgspec.Struct):
    current_password: str
    new_password: Password


class EmailBody(msgspec.Struct):
    email: Email


class PasswordResetBody(msgspec.Struct):
    token: str
    new_password: Password


class LinkTokenBody(msgspec.Struct):
    token: str


class AccessChangeBody(msgspec.Struct, forbid_unknown_fields=True):
    role: Role | None = None
    is_active: bool | None = None


# --- answers ------------------------------------------------------------------


class UserOut(msgspec.Struct):
    id: UUID
    email: str
    username: str
    role: Role
    created_at: datetime
    email_verified: bool

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            user.id, user.email, user.username, user.role, user.created_at, user.email_verified
        )


class AdminUserOut(UserOut):
    is_active: bool = True

    @classmethod
    def of(cls, user: User) -> AdminUserOut:
        return cls(
            user.id,
            user.email,
            user.username,
            user.role,
            user.created_at,
            user.email_verified,
            user.is_active,
        )


class TokenPairOut(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the scheme's name, not a secret

    @classmethod
    def of(cls, pair: TokenPair) -> TokenPairOut:
        return cls(pair.access_token, pair.refresh_token, pair.expires_in)


class UserListOut(msgspec.Struct):
    items: list[AdminUserOut]
    next_cursor: str | None


# --- controllers --------------------------------------------------------------


class AuthController(Controller):
    path = "/auth"
    tags = ("auth",)
    cache_control = NO_STORE  # tokens and the account: never kept by a cache

    @post("/register", status_code=201, opt=PUBLIC)
    async def register(self, data: JSONBody[RegisterBody], auth: Injected[AuthService]) -> UserOut:
        """Sign up as a customer."""
        return UserOut.of(await auth.register(data.email, data.username, data.password))

    @post("/login", status_code=200, opt=PUBLIC)
    async def login(self, data: JSONBody[LoginBody], auth: Injected[AuthService]) -> TokenPairOut:
        """Sign in with a username or an email."""
        pair = await auth.login(data.password, username=data.username, email=data.email)
        return TokenPairOut.of(pair)

    @post("/refresh", status_code=200, opt=PUBLIC)
    async def refresh(
        self, data: JSONBody[RefreshBody], auth: Injected[AuthService]
    ) -> TokenPairOut:
        """Trade a refresh token for a new pair; the old one is spent."""
        return TokenPairOut.of(await auth.refresh(data.refresh_token))

    @post("/logout", status_code=204, opt=PUBLIC)
    async def logout(self, data: JSONBody[RefreshBody], auth: Injected[AuthService]) -> None:
        """End the session the refresh token belongs to."""
        await auth.logout(data.refresh_token)

    @get("/me", guards=[signed_in])
    async def me(self, principal: Injected[Principal], auth: Injected[AuthService]) -> UserOut:
        return UserOut.of(await auth.profile(principal))

    @post("/change-password", status_code=204, guards=[signed_in])
    async def change_password(
        self,
        data: JSONBody[ChangePasswordBody],
        principal: Injected[Principal],
        auth: Injected[AuthService],
    ) -> None:
        """Every refresh token of the account is revoked."""
        await auth.change_password(principal, data.current_password, data.new_password)


class AccountLinkController(Controller):
    """Links mailed to customers: confirm the address, reset a forgotten password."""

    path = "/auth"
    tags = ("auth",)

    @post("/password-reset", status_code=202, opt=PUBLIC)
    async def ask_password_reset(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[EmailBody],
        account_links: Injected[AccountLinkService],
    ) -> None:
        """Mail a link to reset the password. The answer is the same whether or not the
        address is known (and past a few asks an hour, no more mail goes out)."""
        await account_links.ask_password_reset(data.email, client=client_of(request))

    @post("/password-reset/confirm", status_code=204, opt=PUBLIC)
    async def reset_password(
        self, data: JSONBody[PasswordResetBody], account_links: Injected[AccountLinkService]
    ) -> None:
        """Set a new password with the mailed token; every session of the account ends."""
        await account_links.reset_password(data.token, data.new_password)

    @post("/verify-email", status_code=204, opt=PUBLIC)
    async def verify_email(
        self, data: JSONBody[LinkTokenBody], account_links: Injected[AccountLinkService]
    ) -> None:
        """Confirm the email address with the mailed token."""
        await account_links.verify_email(data.token)

    @post("/verify-email/resend", status_code=202, guards=[signed_in])
    async def resend_verification(
        self,
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        account_links: Injected[AccountLinkService],
    ) -> None:
        """Mail a new confirmation link (none when the address is already confirmed)."""
        await account_links.resend_verification(principal, client=client_of(request))


def client_of(request: Request[Any, Any, Any]) -> str:
    """Who is asking, for the mail throttle: the peer's address (a proxy in front of the shop
    is one client for all it forwards)."""
    return request.client.host if request.client else "unknown"


class AdminUsersController(Controller):
    path = "/admin/users"
    tags = ("admin",)
    cache_control = NO_STORE
    guards = (admin,)

    @get("/")
    async def list_users(
        self,
        auth: Injected[AuthService],
        role: FromQuery[Role | None] = None,
        q: FromQuery[str | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> UserListOut:
        """`q`: part of a username or email, in any case."""
        page = await auth.list_users(role=role, search=q, after=read_id_cursor(cursor), limit=limit)
        return UserListOut(
            items=[AdminUserOut.of(user) for user in page.users],
            next_cursor=id_cursor(page.last_id),
        )

    @patch("/{user_id:uuid}")
    async def change_access(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[AccessChangeBody],
        principal: Injected[Principal],
        auth: Injected[AuthService],
        lockouts: Injected[LockedAccounts],
    ) -> AdminUserOut:
        """Change a role and/or is_active; demotion and disabling bite at once: a disabled
        account's access tokens are refused from its next request on, on every server."""
        user = await auth.change_access(
            principal, user_id, role=keep_if_none(data.role), is_active=keep_if_none(data.is_active)
        )
        await lockouts.catch_up()  # this process refuses them before the admin hears back
        return AdminUserOut.of(user)
