"""Helpers for driving the back office over HTTP like a browser: cookies kept, each form's
CSRF token read from the page and sent back with it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import MakeUser, SignedInUser

Browser = AsyncTestClient[Litestar]

_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


async def submit(browser: Browser, page: str, action: str, **fields: Any) -> Any:
    """Open `page`, then post `fields` to `action` with the page's CSRF token."""
    shown = await browser.get(page)
    assert shown.status_code == 200, shown.text
    data = {"_csrf_token": csrf_of(shown.text), **{k: str(v) for k, v in fields.items()}}
    return await browser.post(action, data=data, follow_redirects=False)


async def sign_in(browser: Browser, username: str, password: str) -> Any:
    return await submit(
        browser, "/admin/sign-in", "/admin/sign-in", username=username, password=password
    )


@pytest.fixture
async def browser(client: Browser) -> AsyncIterator[Browser]:
    """The shared test client with a cookie jar of its own for this test."""
    client.cookies.clear()
    yield client
    client.cookies.clear()


@pytest.fixture
async def staff(make_user: MakeUser) -> SignedInUser:
    return await make_user(role="manager")


@pytest.fixture
async def office(browser: Browser, staff: SignedInUser) -> Browser:
    """A browser signed in to the back office as a manager."""
    answer = await sign_in(browser, staff.username, staff.password)
    assert answer.status_code == 303, answer.text
    return browser
