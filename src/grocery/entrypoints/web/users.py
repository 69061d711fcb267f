"""Users and their roles in the back office, for admins: find them (search, role, pages)
and grant or take back the manager role, through the same service and rules as the API's
/api/admin/users (an admin can't demote themselves, a demoted manager is out at once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grocery.core.errors import DomainError, Invalid
from grocery.core.identity import Principal, Role
from grocery.core.services.auth import AuthService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.pages import id_cursor, read_id_cursor
from grocery.entrypoints.http.problems import status_for
from grocery.entrypoints.web.door import admins_only
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.rendering import after_form, page

PAGE_SIZE = 25
ROLES = [("", "Every role"), *((role.value, role.value) for role in Role)]


class UserPages(Controller):
    path = "/users"
    guards = (admins_only,)

    @get("/")
    async def list_users(
        self,
        request: Request[Any, Any, Any],
        auth: Injected[AuthService],
        q: FromQuery[str | None] = None,
        role: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        return await _list(request, auth, _Shown(q or "", _role_shown(role), cursor))

    @post("/{user_id:uuid}/role")
    async def change_role(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        staff: Injected[Principal],
        auth: Injected[AuthService],
    ) -> Template | Redirect:
        """The row's button sends the new role and the list it was pressed on, to go back to."""
        form = FormReader(await request.form())
        shown = _Shown.of(form)
        role = form.choice("role", Role)
        try:
            form.refuse_unreadable()
            assert isinstance(role, Role)  # else the form had an error
            user = await auth.change_access(staff, user_id, role=role)
        except DomainError as refused:
            return await _list(
                request, auth, shown, refused=(user_id, refused.detail), status=status_for(refused)
            )
        notice = (
            f"{user.username} is now {'an' if user.role is Role.ADMIN else 'a'} {user.role.value}."
        )
        return after_form(request, shown.address, notice)


@dataclass(frozen=True)
class _Shown:
    """Which list a page shows: a search, a role, a page."""

    q: str
    role: Role | None
    cursor: str | None

    @classmethod
    def of(cls, form: FormReader) -> _Shown:
        shown_role = _role_shown(form.text("shown_role"))
        return cls(form.text("shown_q"), shown_role, form.text("shown_cursor") or None)

    @property
    def query(self) -> dict[str, str]:
        terms = {"q": self.q, "role": self.role.value if self.role else "", "cursor": self.cursor}
        return {key: value for key, value in terms.items() if value}

    @property
    def address(self) -> str:
        return f"/admin/users?{urlencode(self.query)}" if self.query else "/admin/users"


def _role_shown(chosen: str | None) -> Role | None:
    """The list's role filter: blank is every role (the search form's first choice)."""
    if not chosen:
        return None
    try:
        return Role(chosen)
    except ValueError:
        raise Invalid(
            "No such role.", errors=[{"field": "role", "message": "choose one"}]
        ) from None


async def _list(
    request: Request[Any, Any, Any],
    auth: AuthService,
    shown: _Shown,
    *,
    refused: tuple[UUID, str] | None = None,
    status: int = 200,
) -> Template:
    found = await auth.list_users(
        role=shown.role, search=shown.q, after=read_id_cursor(shown.cursor), limit=PAGE_SIZE
    )
    following = {**shown.query, "cursor": id_cursor(found.last_id)}
    return page(
        request,
        "users/list.html",
        status=status,
        users=found.users,
        shown=shown,
        roles=ROLES,
        next_page=urlencode(following) if found.last_id else None,
        refused_id=refused[0] if refused else None,
        refused=refused[1] if refused else None,
    )
