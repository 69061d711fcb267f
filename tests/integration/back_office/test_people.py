"""Users and roles, product images and error pages in the back office: admins alone manage
roles, staff add and remove pictures, and a wrong address under /admin is a page while the
API keeps answering problem+json."""

from __future__ import annotations

import pytest

from tests.integration.back_office.conftest import Browser

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("path", ["/admin/no-such-screen", "/admin/products/not-an-id"])
async def test_an_unknown_address_under_admin_is_a_page(office: Browser, path: str) -> None:
    answer = await office.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in answer.text and "admin.css" in answer.text


async def test_an_unknown_product_is_a_404_page(office: Browser) -> None:
    answer = await office.get("/admin/products/00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in answer.text


async def test_signed_out_an_unknown_admin_address_is_still_a_page(browser: Browser) -> None:
    answer = await browser.get("/admin/no-such-screen")
    assert answer.status_code == 404 and "<h1>Not found</h1>" in answer.text


async def test_a_wrong_method_under_admin_is_a_page(office: Browser) -> None:
    answer = await office.delete("/admin/products")
    assert answer.status_code == 405 and answer.headers["content-type"].startswith("text/html")


async def test_the_api_still_answers_problem_json(client: Browser) -> None:
    for path in ("/api/no-such-route", "/administrator"):
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json", path
        assert answer.json()["code"] == "not_found"
    wrong = await client.delete("/api/products")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == "application/problem+json"
