"""The back office's door: staff sign in with a session, customers don't, every form needs
its CSRF token, and an account that loses its role or is disabled is out on its next
request."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlalchemy import text

from grocery.entrypoints.web.sessions import ABSOLUTE, session_config
from grocery.entrypoints.wiring import Adapters
from tests.integration.back_office.conftest import Browser, csrf_of, sign_in, submit
from tests.integration.conftest import MakeUser, SignedInUser

pytestmark = pytest.mark.integration


async def test_a_manager_signs_in_and_out(browser: Browser, staff: SignedInUser) -> None:
    answer = await sign_in(browser, staff.username, staff.password)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/"
    cookie = answer.headers["set-cookie"]
    assert "grocery_staff=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/admin" in cookie

    home = await browser.get("/admin/")
    assert home.status_code == 200 and "<h1>Dashboard</h1>" in home.text

    out = await submit(browser, "/admin/", "/admin/sign-out")
    assert out.status_code == 303
    assert (await browser.get("/admin/", follow_redirects=False)).status_code == 302


async def test_sign_in_goes_back_to_the_page_asked_for_but_never_elsewhere(
    browser: Browser, staff: SignedInUser
) -> None:
    shown = await browser.get("/admin/sign-in?next=/admin/products")
    fields = {"username": staff.username, "password": staff.password}
    back = await browser.post(
        "/admin/sign-in",
        data={"_csrf_token": csrf_of(shown.text), "next": "/admin/products", **fields},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/admin/products"
    browser.cookies.clear()
    shown = await browser.get("/admin/sign-in")
    away = await browser.post(
        "/admin/sign-in",
        data={"_csrf_token": csrf_of(shown.text), "next": "//evil.example/", **fields},
        follow_redirects=False,
    )
    assert away.headers["location"] == "/admin/"


async def test_a_wrong_password_is_shown_next_to_the_field(
    browser: Browser, staff: SignedInUser
) -> None:
    answer = await sign_in(browser, staff.username, "not-the-password")
    assert answer.status_code == 401
    assert 'id="password-error"' in answer.text and "Wrong username or password." in answer.text
    assert "grocery_staff=" not in answer.headers.get("set-cookie", "")


async def test_a_customer_is_refused_even_with_the_right_password(
    browser: Browser, make_user: MakeUser
) -> None:
    customer = await make_user()
    answer = await sign_in(browser, customer.username, customer.password)
    assert answer.status_code == 403
    assert "managers and admins" in answer.text
    assert (await browser.get("/admin/", follow_redirects=False)).status_code == 302


async def test_the_api_s_login_throttle_counts_here_too(
    browser: Browser, client: Browser, staff: SignedInUser
) -> None:
    for _ in range(10):
        await client.post(
            "/api/auth/login", json={"username": staff.username, "password": "guess-guess"}
        )
    answer = await sign_in(browser, staff.username, staff.password)
    assert answer.status_code == 429
    assert "Too many failed sign-ins" in answer.text


async def test_a_form_without_its_csrf_token_is_refused(
    browser: Browser, staff: SignedInUser
) -> None:
    await browser.get("/admin/sign-in")  # the CSRF cookie alone is not enough
    answer = await browser.post(
        "/admin/sign-in", data={"username": staff.username, "password": staff.password}
    )
    assert answer.status_code == 403
    assert "Form refused" in answer.text
    forged = await browser.post(
        "/admin/sign-in",
        data={"username": staff.username, "password": staff.password, "_csrf_token": "x" * 128},
    )
    assert forged.status_code == 403


async def test_the_json_api_needs_no_csrf_token(client: Browser, staff: SignedInUser) -> None:
    answer = await client.post(
        "/api/auth/login", json={"username": staff.username, "password": staff.password}
    )
    assert answer.status_code == 200


async def test_signing_in_rotates_the_session_id(browser: Browser, staff: SignedInUser) -> None:
    await sign_in(browser, staff.username, staff.password)
    first = browser.cookies.get("grocery_staff")
    assert first
    again = await sign_in(browser, staff.username, staff.password)
    second = browser.cookies.get("grocery_staff")
    assert again.status_code == 303 and second and second != first
    browser.cookies.set("grocery_staff", first, path="/admin")  # the old id is worth nothing
    assert (await browser.get("/admin/", follow_redirects=False)).status_code == 302


async def test_a_demoted_manager_is_out_on_the_next_request(
    browser: Browser, client: Browser, staff: SignedInUser, make_user: MakeUser
) -> None:
    admin = await make_user(role="admin")
    await sign_in(browser, staff.username, staff.password)
    assert (await browser.get("/admin/products")).status_code == 200

    demoted = await client.patch(
        f"/api/admin/users/{staff.id}", json={"role": "customer"}, headers=admin.headers
    )
    assert demoted.status_code == 200
    assert (await browser.get("/admin/products")).status_code == 403


async def test_a_disabled_manager_is_out_on_the_next_request(
    browser: Browser, client: Browser, staff: SignedInUser, make_user: MakeUser
) -> None:
    admin = await make_user(role="admin")
    await sign_in(browser, staff.username, staff.password)
    await client.patch(
        f"/api/admin/users/{staff.id}", json={"is_active": False}, headers=admin.headers
    )
    answer = await browser.get("/admin/", follow_redirects=False)
    assert answer.status_code == 302


async def test_the_stylesheet_is_served_to_anyone(browser: Browser) -> None:
    answer = await browser.get("/admin/static/admin.css")
    assert answer.status_code == 200 and "text/css" in answer.headers["content-type"]


def test_the_session_cookie_is_secure_in_production() -> None:
    assert session_config(secure=True).secure
    assert session_config(secure=False).httponly and session_config(secure=False).samesite == "lax"


async def rewrite_session(adapters: Adapters, browser: Browser, sql: str, **values: Any) -> None:
    async with adapters.database.engine.begin() as connection:
        await connection.execute(text(sql), {"id": browser.cookies.get("grocery_staff"), **values})


async def test_a_session_unused_for_too_long_is_over(
    browser: Browser, staff: SignedInUser, adapters: Adapters
) -> None:
    await sign_in(browser, staff.username, staff.password)
    await rewrite_session(
        adapters,
        browser,
        "UPDATE staff_sessions SET expires_at = now() - interval '1 second' WHERE id = :id",
    )
    assert (await browser.get("/admin/", follow_redirects=False)).status_code == 302


async def test_a_session_ends_hours_after_sign_in_however_busy(
    browser: Browser, staff: SignedInUser, adapters: Adapters
) -> None:
    await sign_in(browser, staff.username, staff.password)
    assert (await browser.get("/admin/")).status_code == 200
    since = (
        "UPDATE staff_sessions SET data = convert_to("
        " jsonb_set(convert_from(data, 'UTF8')::jsonb, '{since}', to_jsonb(CAST(:since AS text)))::text,"
        " 'UTF8') WHERE id = :id"
    )
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    await rewrite_session(adapters, browser, since, since=an_hour_ago)
    assert (await browser.get("/admin/", follow_redirects=False)).status_code == 200
    long_ago = (datetime.now(UTC) - ABSOLUTE).isoformat()
    await rewrite_session(adapters, browser, since, since=long_ago)
    assert (await browser.get("/admin/", follow_redirects=False)).status_code == 302


def back_office_routes(app: Litestar, method: str) -> list[str]:
    """Every back-office path served for `method`, its ids filled in."""
    paths = {
        re.sub(r"\{\w+:uuid\}", str(uuid4()), route.path)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and route.path.startswith("/admin")
        and not route.path.startswith("/admin/static")
        and method in route.methods
    }
    assert paths
    return sorted(paths)


async def test_every_page_sends_the_signed_out_to_sign_in(app: Litestar, browser: Browser) -> None:
    for path in back_office_routes(app, "GET"):
        answer = await browser.get(path, follow_redirects=False)
        expected = 200 if path == "/admin/sign-in" else 302
        assert answer.status_code == expected, path


async def test_every_form_without_its_token_is_refused(
    app: Litestar, browser: Browser, staff: SignedInUser
) -> None:
    await sign_in(browser, staff.username, staff.password)
    for path in back_office_routes(app, "POST"):
        answer = await browser.post(path, data={"name": "x"}, follow_redirects=False)
        assert answer.status_code == 403 and "Form refused" in answer.text, path
