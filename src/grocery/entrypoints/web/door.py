"""Who may use the back office: a manager or an admin signed in with a session.

    guards=[staff_only]   the back office's pages and forms
    guards=[admins_only]  users and their roles (a manager gets 403, as in the API)
    door_before_uploads   middleware ahead of the CSRF check, which reads a form's body:
                          a picture's multipart body is read for staff only
    opt=PUBLIC            the sign-in page and the stylesheet

Every request checks the session's clock (idle and absolute timeouts), the lockouts (a
disabled account is out at once) and the account's role in the database (a demoted
manager is out on their next request). A handler that needs the staff member names
`staff: Injected[Principal]`.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from grocery.core.errors import NotAuthenticated
from grocery.core.identity import Principal
from grocery.core.ports.clock import Clock
from grocery.core.services.auth import AuthService
from grocery.entrypoints.http.lockouts import LockedAccounts
from grocery.entrypoints.web.sessions import close_session, mark_seen, read_session

_APP_STATE_KEY = "staff_door"
_STATE_KEY = "grocery_staff"


class StaffDoor:
    """create_app keeps the one the back office builds in the app's state."""

    def __init__(self, auth: AuthService, lockouts: LockedAccounts, clock: Clock) -> None:
        self.auth = auth
        self.clock = clock
        self._lockouts = lockouts

    def state(self) -> dict[str, StaffDoor]:
        return {_APP_STATE_KEY: self}

    async def admit(
        self, connection: ASGIConnection[Any, Any, Any, Any], *, admin_only: bool = False
    ) -> Principal:
        session = read_session(connection)
        now = self.clock.now()
        if session is None or session.is_over(now):
            if session is not None:
                close_session(connection)
            raise NotAuthenticated("Sign in to use the back office.")
        if await self._lockouts.is_locked(session.principal.user_id):
            close_session(connection)
            raise NotAuthenticated("This account is disabled.", code="account_disabled")
        staff = await self.auth.confirm_staff(session.principal, admin_only=admin_only)
        mark_seen(connection, now)
        connection.state[_STATE_KEY] = staff
        return staff


def staff_door(connection: ASGIConnection[Any, Any, Any, Any]) -> StaffDoor:
    found = connection.app.state[_APP_STATE_KEY]
    assert isinstance(found, StaffDoor), "create_app puts the StaffDoor in the state"
    return found


async def staff_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a manager or an admin with a live back-office session, as the database knows
    them now."""
    await staff_door(connection).admit(connection)


async def admins_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: staff_only, and an admin."""
    await staff_door(connection).admit(connection, admin_only=True)


def seen_staff(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """Who the door let in, if it did (the pages show an admin the admins' screens)."""
    found = connection.state.get(_STATE_KEY)
    return found if isinstance(found, Principal) else None


def door_before_uploads(app: ASGIApp) -> ASGIApp:
    """Middleware: a multipart body (up to the size of a picture) is only read once the
    door has let its sender in, so strangers never get the server to take in an upload.
    Other forms are small, and their guard checks the sender after the CSRF token."""

    async def door_first(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
            if connection.headers.get("content-type", "").startswith("multipart/"):
                await staff_door(connection).admit(connection)
        await app(scope, receive, send)

    return door_first


async def _staff(request: Request[Any, Any, Any]) -> Principal:
    found = request.state.get(_STATE_KEY)
    if not isinstance(found, Principal):
        raise RuntimeError(f"{request.url.path} takes the staff member but isn't staff_only")
    return found


STAFF = {"staff": Provide(_staff)}
"""The DI provider of `staff: Injected[Principal]`."""
