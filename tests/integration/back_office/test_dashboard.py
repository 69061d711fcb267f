"""The dashboard: takings today and this week, the 30 days' sales chart, what runs low."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.integration.back_office.conftest import Browser
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser

pytestmark = pytest.mark.integration


def figure(html: str, name: str) -> Decimal:
    found = re.search(rf'id="{name}">([0-9,.]+) USD<', html)
    assert found, name
    return Decimal(found.group(1).replace(",", ""))


async def test_takings_chart_and_low_stock(office: Browser, shop: Shop, ann: SignedInUser) -> None:
    before = (await office.get("/admin/")).text
    product = await shop.product(price="2.50", stock=12, threshold=10)
    order = await shop.placed(ann, (product, 4))

    after = await office.get("/admin/")
    assert after.status_code == 200
    paid = Decimal(order["total"])
    assert figure(after.text, "revenue-today") - figure(before, "revenue-today") == paid
    assert figure(after.text, "revenue-week") - figure(before, "revenue-week") == paid
    assert after.text.count('<circle class="point"') == 30
    assert product["name"] in after.text  # 12 -> 8, under its threshold of 10
