"""Promo codes in the back office: add with limits and a validity window typed on the
store's clock, see each code's use, edit, remove."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from tests.integration.back_office.conftest import Browser, submit
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser

pytestmark = pytest.mark.integration


def promo_id_on(html: str, code: str) -> str:
    found = re.search(rf'href="/admin/promo-codes/([0-9a-f-]{{36}})">{code}<', html)
    assert found, code
    return found.group(1)


async def test_a_code_added_here_is_used_at_checkout_and_its_use_shown(
    office: Browser, client: Browser, shop: Shop, ann: SignedInUser, manager: SignedInUser
) -> None:
    code = f"SPRING{uuid4().hex[:6].upper()}"
    added = await submit(
        office,
        "/admin/promo-codes/new",
        "/admin/promo-codes",
        code=code,
        discount_type="percent",
        value="10",
        is_active="on",
        max_uses=5,
        expires_at="2099-01-01T00:00",
    )
    assert added.status_code == 303, added.text
    promo_id = promo_id_on((await office.get("/admin/promo-codes")).text, code)
    api = await client.get(f"/api/promo-codes/{promo_id}", headers=manager.headers)
    assert api.json()["max_uses"] == 5 and api.json()["expires_at"].startswith("2099-01-01T00:00")

    product = await shop.product(price="10.00")
    await shop.fill(ann, (product, 1))
    await shop.apply(ann, {"code": code})
    await shop.placed(ann)
    listed = await office.get("/admin/promo-codes")
    assert re.search(rf">{code}<.*?<td>1 of 5</td>", listed.text, re.S)

    page = f"/admin/promo-codes/{promo_id}"
    edited = await submit(
        office, page, page, code=code, discount_type="fixed", value="2.50", max_uses=""
    )
    assert edited.status_code == 303
    changed = (await client.get(f"/api/promo-codes/{promo_id}", headers=manager.headers)).json()
    assert changed["discount_type"] == "fixed" and changed["max_uses"] is None
    assert changed["is_active"] is False  # the box was left unticked

    removed = await submit(office, page, f"{page}/remove")
    assert removed.status_code == 303
    assert "switched off" in (await office.get("/admin/promo-codes")).text


async def test_refusals_are_shown_next_to_their_fields(office: Browser) -> None:
    refused = await submit(
        office,
        "/admin/promo-codes/new",
        "/admin/promo-codes",
        code="",
        discount_type="percent",
        value="150",
        max_uses="lots",
        starts_at="soon",
    )
    assert refused.status_code == 422
    assert 'id="max_uses-error"' in refused.text and 'id="starts_at-error"' in refused.text
    refused = await submit(
        office,
        "/admin/promo-codes/new",
        "/admin/promo-codes",
        code="",
        discount_type="percent",
        value="150",
    )
    assert refused.status_code == 422
    assert 'id="code-error"' in refused.text and 'id="value-error"' in refused.text
