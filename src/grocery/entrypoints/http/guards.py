"""Who is calling. A handler is guarded by naming one of these as a parameter:

    principal: Injected[Principal]   any signed-in caller; the access token is trusted
    manager: Injected[Principal]     a manager or admin, confirmed against the database
    admin: Injected[Principal]       an admin, confirmed against the database

The check also runs as an app-wide Litestar guard, before the body is read, so a caller
without the right gets 401/403 rather than a 422 about their body. Each answer is kept in
the request's state: the token is decoded, and the database asked, once per request.
"""

from __future__ import annotations

from typing import Any, Literal

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers.base import BaseRouteHandler

from grocery.core.errors import NotAuthenticated
from grocery.core.identity import Principal
from grocery.core.ports.clock import Clock
from grocery.core.ports.security import AccessTokens
from grocery.core.services.auth import AuthService

Caller = Literal["principal", "manager", "admin"]
CALLERS: tuple[Caller, ...] = ("principal", "manager", "admin")
_STATE_KEY = "grocery_callers"


class Authenticator:
    def __init__(self, access_tokens: AccessTokens, clock: Clock, auth: AuthService) -> None:
        self._access_tokens = access_tokens
        self._clock = clock
        self._auth = auth

    async def guard(
        self, connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        """Litestar guard: check every caller the handler names, before its body is parsed."""
        named = handler.parsed_fn_signature.parameters
        for caller in CALLERS:
            if caller in named:
                await self.resolve(connection, caller)

    def providers(self) -> dict[str, Provide]:
        """The DI providers, under the names handlers use."""

        async def principal(request: Request[Any, Any, Any]) -> Principal:
            return await self.resolve(request, "principal")

        async def manager(request: Request[Any, Any, Any]) -> Principal:
            return await self.resolve(request, "manager")

        async def admin(request: Request[Any, Any, Any]) -> Principal:
            return await self.resolve(request, "admin")

        return {
            "principal": Provide(principal),
            "manager": Provide(manager),
            "admin": Provide(admin),
        }

    async def resolve(
        self, connection: ASGIConnection[Any, Any, Any, Any], caller: Caller
    ) -> Principal:
        known: dict[str, Principal] = connection.state.setdefault(_STATE_KEY, {})
        if caller not in known:
            known[caller] = await self._check(connection, caller)
        return known[caller]

    async def _check(
        self, connection: ASGIConnection[Any, Any, Any, Any], caller: Caller
    ) -> Principal:
        if caller == "principal":
            return self._read_token(connection)
        principal = await self.resolve(connection, "principal")
        return await self._auth.confirm_staff(principal, admin_only=caller == "admin")

    def _read_token(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
        header = connection.headers.get("authorization")
        if not header:
            raise NotAuthenticated("Sign in to do this.")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated(
                "Send the access token as 'Bearer <token>'.", code="invalid_token"
            )
        return self._access_tokens.read_access(token.strip(), self._clock.now())
