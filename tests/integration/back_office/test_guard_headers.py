"""Every answer under /admin carries the back office's browser defences (a strict
Content-Security-Policy, no sniffing, no framing, no referrer to other sites): pages,
redirects, the stylesheet, refusals and unknown paths alike; the JSON API is left as it was."""

from __future__ import annotations

from typing import Any

import pytest

from grocery.entrypoints.web.guard_headers import content_policy
from tests.integration.back_office.conftest import Browser

pytestmark = pytest.mark.integration


def assert_guarded(answer: Any) -> None:
    headers = answer.headers
    assert headers["content-security-policy"] == content_policy(), answer.request.url
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_the_policy_allows_nothing_inline_and_no_framing() -> None:
    policy = dict(part.split(" ", 1) for part in content_policy().split("; "))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe" not in content_policy()


async def test_signed_out_answers_are_guarded(browser: Browser) -> None:
    for path in ("/admin/sign-in", "/admin/static/admin.css", "/admin/no-such-page"):
        assert_guarded(await browser.get(path))
    bounced = await browser.get("/admin/", follow_redirects=False)
    assert bounced.status_code == 302
    assert_guarded(bounced)
    forged = await browser.post("/admin/sign-in", data={"_csrf_token": "forged"})
    assert forged.status_code == 403
    assert_guarded(forged)


async def test_a_signed_in_managers_pages_are_guarded(office: Browser) -> None:
    for path in ("/admin", "/admin/", "/admin/orders", "/admin/products/new", "/admin/slots"):
        answer = await office.get(path)
        assert answer.status_code == 200, path
        assert_guarded(answer)


async def test_the_api_is_left_alone(browser: Browser) -> None:
    answer = await browser.get("/api/categories")
    assert "content-security-policy" not in answer.headers
