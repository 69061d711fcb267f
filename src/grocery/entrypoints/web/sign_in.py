"""Signing staff in and out of the back office."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from grocery.core.errors import Forbidden, Invalid, NotAuthenticated, TooManyAttempts
from grocery.entrypoints.http.guards import PUBLIC
from grocery.entrypoints.http.problems import status_for
from grocery.entrypoints.web.door import staff_door, staff_only
from grocery.entrypoints.web.rendering import page
from grocery.entrypoints.web.sessions import close_session, open_session

HOME = "/admin/"


def _landing(next_path: str | None) -> str:
    """Back where the sign-in page was asked from, if that was in the back office."""
    if next_path and next_path.startswith("/admin") and not next_path.startswith("//"):
        return next_path
    return HOME


class SignInController(Controller):
    path = "/"

    @get("/sign-in", opt=PUBLIC)
    async def sign_in_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str | None] = None
    ) -> Template:
        return page(request, "sign_in.html", next=next, username="", errors={})

    @post("/sign-in", opt=PUBLIC)
    async def sign_in(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await request.form()
        username = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        next_path = str(form.get("next", "")) or None
        door = staff_door(request)
        try:
            principal = await door.auth.sign_in_staff(username, password)
        except (NotAuthenticated, Forbidden, TooManyAttempts, Invalid) as refused:
            if isinstance(refused, Invalid):
                errors = {"username": "Give your username."}
            elif isinstance(refused, NotAuthenticated):
                errors = {"password": "Wrong username or password."}
            else:
                errors = {"password": refused.detail}
            return page(
                request,
                "sign_in.html",
                status=status_for(refused),
                next=next_path,
                username=username,
                errors=errors,
            )
        open_session(request, principal, door.clock.now())
        return Redirect(_landing(next_path), status_code=303)

    @post("/sign-out", guards=[staff_only])
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        close_session(request)
        return Redirect("/admin/sign-in", status_code=303)
