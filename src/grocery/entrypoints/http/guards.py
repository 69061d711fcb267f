"""Who may call a route, declared on the route: Litestar guards on a controller or a handler.

    guards=[cart_holder] whoever holds a cart: a signed-in caller (their own), else a guest
                         sending their guest cart's token as `X-Cart-Token`
    guards=[signed_in]   any signed-in caller: the access token, unless its account is locked
    guards=[verified]    a signed-in caller whose email address is confirmed, when the shop
                         requires it (GROCERY_REQUIRE_VERIFIED_EMAIL); else as signed_in
    guards=[manager]     a manager or an admin, confirmed against the database
    guards=[admin]       an admin, confirmed against the database
    opt=PUBLIC           anyone: the route says so rather than just lacking a guard

Guards run before the body is parsed, so a caller without the right gets 401/403 rather
than a 422 about their body. A handler that needs the caller names `principal:
Injected[Principal]`: the one its guard let in (for staff routes, as the database knows
them). Each answer is kept in the request's state, so the token is decoded, and the
database asked, once per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers.base import BaseRouteHandler

from grocery.adapters.security import GUEST_CART_TOKEN_PREFIX
from grocery.core.errors import NotAuthenticated
from grocery.core.identity import Principal
from grocery.core.ports.clock import Clock
from grocery.core.ports.security import AccessTokens
from grocery.core.services.auth import AuthService
from grocery.core.services.guest_carts import GuestCartService
from grocery.entrypoints.http.lockouts import LockedAccounts

Caller = Literal["cart holder", "signed in", "manager", "admin"]
CALLERS: tuple[Caller, ...] = ("cart holder", "signed in", "manager", "admin")  # each fewer
PUBLIC: Mapping[str, Any] = {"public": True}
CART_TOKEN_HEADER = "x-cart-token"  # noqa: S105 - a header name, not a secret


@dataclass(frozen=True, slots=True)
class CartOwner:
    """Whose cart a request addresses: a customer's (by user id) or a guest cart (by its id)."""

    owner_id: UUID
    guest: bool


_STATE_KEY = "grocery_callers"
_CART_KEY = "grocery_cart_owner"
_APP_STATE_KEY = "authenticator"


class Authenticator:
    """Resolves callers; create_app keeps the one it builds in the app's state."""

    def __init__(
        self,
        access_tokens: AccessTokens,
        clock: Clock,
        auth: AuthService,
        lockouts: LockedAccounts,
        guest_carts: GuestCartService,
        *,
        require_verified_email: bool = False,
    ) -> None:
        self._access_tokens = access_tokens
        self._guest_carts = guest_carts
        self._clock = clock
        self._auth = auth
        self._lockouts = lockouts
        self._require_verified_email = require_verified_email

    def state(self) -> dict[str, Authenticator]:
        """The app state that lets the guards find this authenticator."""
        return {_APP_STATE_KEY: self}

    async def resolve(
        self, connection: ASGIConnection[Any, Any, Any, Any], caller: Caller
    ) -> Principal:
        known: dict[Caller, Principal] = connection.state.setdefault(_STATE_KEY, {})
        if caller not in known:
            known[caller] = await self._check(connection, caller)
        return known[caller]

    async def _check(
        self, connection: ASGIConnection[Any, Any, Any, Any], caller: Caller
    ) -> Principal:
        if caller == "signed in":
            principal = self._read_token(connection)
            # A token outlives a disabled or deleted account by minutes; this ends it now.
            if await self._lockouts.is_locked(principal.user_id):
                raise NotAuthenticated("This account is disabled.", code="account_disabled")
            return principal
        principal = await self.resolve(connection, "signed in")
        return await self._auth.confirm_staff(principal, admin_only=caller == "admin")

    async def resolve_cart_owner(self, connection: ASGIConnection[Any, Any, Any, Any]) -> CartOwner:
        """A signed-in caller's own cart; without an Authorization header, the guest cart
        whose token X-Cart-Token carries (a caller sending both is the signed-in one)."""
        owner: CartOwner | None = connection.state.get(_CART_KEY)
        if owner is None:
            token = connection.headers.get(CART_TOKEN_HEADER)
            if token is None or connection.headers.get("authorization"):
                principal = await self.resolve(connection, "signed in")
                owner = CartOwner(principal.user_id, guest=False)
            else:
                owner = CartOwner(await self._guest_cart(token.strip()), guest=True)
            connection.state[_CART_KEY] = owner
        return owner

    async def _guest_cart(self, token: str) -> UUID:
        if not token.startswith(GUEST_CART_TOKEN_PREFIX):
            raise NotAuthenticated(
                "X-Cart-Token carries a guest cart's token (from POST /api/guest-carts);"
                " an access token goes in 'Authorization: Bearer <token>'.",
                code="invalid_cart_token",
            )
        return await self._guest_carts.holder(token)

    async def confirm_verified(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        """Forbidden (email_not_verified) while the caller's address is unconfirmed and the
        shop requires it confirmed."""
        principal = await self.resolve(connection, "signed in")
        if self._require_verified_email:
            await self._auth.confirm_verified(principal)

    def _read_token(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
        header = connection.headers.get("authorization")
        if not header:
            if CART_TOKEN_HEADER in connection.headers:
                raise NotAuthenticated(
                    "A guest can't do this: sign in first"
                    " (POST /api/cart/merge then brings the guest cart along)."
                )
            raise NotAuthenticated("Sign in to do this.")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated(
                "Send the access token as 'Bearer <token>'.", code="invalid_token"
            )
        if token.strip().startswith(GUEST_CART_TOKEN_PREFIX):
            raise NotAuthenticated(
                "This is a guest cart's token: send it as 'X-Cart-Token: <token>',"
                " not as a bearer token.",
                code="invalid_token",
            )
        return self._access_tokens.read_access(token.strip(), self._clock.now())


def _authenticator(connection: ASGIConnection[Any, Any, Any, Any]) -> Authenticator:
    found = connection.app.state[_APP_STATE_KEY]
    assert isinstance(found, Authenticator), "create_app puts the Authenticator in the state"
    return found


async def cart_holder(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a signed-in caller, or a guest with their guest cart's token."""
    await _authenticator(connection).resolve_cart_owner(connection)


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: any signed-in caller."""
    await _authenticator(connection).resolve(connection, "signed in")


async def verified(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a signed-in caller, with a confirmed address where the shop requires one."""
    await _authenticator(connection).confirm_verified(connection)


async def signed_in_caller(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The signed-in caller of a public route that needs one for some requests only (a
    filter naming the caller's own things): 401 without a valid token."""
    return await _authenticator(connection).resolve(connection, "signed in")


async def manager(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a manager or an admin, as the database knows them now."""
    await _authenticator(connection).resolve(connection, "manager")


async def admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: an admin, as the database knows them now."""
    await _authenticator(connection).resolve(connection, "admin")


_GUARDS: dict[object, Caller] = {
    cart_holder: "cart holder",
    signed_in: "signed in",
    verified: "signed in",
    manager: "manager",
    admin: "admin",
}


def caller_let_in(handler: BaseRouteHandler) -> Caller | None:
    """The fewest callers the handler's declared guards let in; None on a public route."""
    declared = [_GUARDS[guard] for guard in handler.resolve_guards() if guard in _GUARDS]
    return max(declared, key=CALLERS.index, default=None)


def is_public(handler: BaseRouteHandler) -> bool:
    return bool(handler.opt.get("public"))


async def _principal(request: Request[Any, Any, Any]) -> Principal:
    """The caller the route's guard let in; a route without one has no caller to give."""
    known: dict[Caller, Principal] = request.state.get(_STATE_KEY, {})
    for caller in reversed(CALLERS):
        if caller in known:
            return known[caller]
    raise RuntimeError(f"{request.url.path} takes a principal but declares no guard")


def _cart_owner(request: Request[Any, Any, Any]) -> CartOwner:
    """The cart the cart_holder guard let the caller at."""
    owner: CartOwner | None = request.state.get(_CART_KEY)
    if owner is None:
        raise RuntimeError(f"{request.url.path} takes a cart owner but declares no cart_holder")
    return owner


PRINCIPAL = {
    "principal": Provide(_principal),
    "cart_owner": Provide(_cart_owner, sync_to_thread=False),
}
"""The DI providers of `principal: Injected[Principal]` and `cart_owner: Injected[CartOwner]`."""
