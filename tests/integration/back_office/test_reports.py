"""Reports and low-stock alerts in the back office."""

from __future__ import annotations

import csv
import io
from uuid import uuid4

import pytest

from tests.integration.back_office.conftest import Browser
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser

pytestmark = pytest.mark.integration


async def test_the_three_reports_with_charts_and_csv(
    office: Browser, shop: Shop, ann: SignedInUser
) -> None:
    product = await shop.product(price="3.00")
    await shop.placed(ann, (product, 2))
    filters = {"category": shop.aisle["slug"], "interval": "day"}

    shown = await office.get(
        "/admin/reports", params=filters | {"from": "2020-01-01", "to": "2020-01-07"}
    )
    assert shown.status_code == 200
    assert shown.text.count('<circle class="point"') == 7  # a point a day, sold or not
    recent = await office.get("/admin/reports", params=filters)  # the last 30 days
    assert recent.text.count('<circle class="point"') == 30
    assert product["name"] in recent.text and '<rect class="bar"' in recent.text
    assert "6.00 USD" in recent.text

    download = await office.get("/admin/reports/sales-by-product.csv", params=filters)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [(r["product_name"], r["units_sold"], r["revenue"]) for r in rows] == [
        (product["name"], "2", "6.00")
    ]
    for report in ["sales-by-category", "sales-over-time"]:
        answer = await office.get(f"/admin/reports/{report}.csv", params=filters)
        assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]


async def test_bad_filters_are_shown_next_to_their_fields(office: Browser) -> None:
    refused = await office.get(
        "/admin/reports",
        params={"from": "2026-02-10", "to": "2026-02-01", "category": f"none-{uuid4().hex}"},
    )
    assert refused.status_code == 422
    assert 'id="to-error"' in refused.text


async def test_low_stock_alerts_open_and_resolved(
    office: Browser, shop: Shop, ann: SignedInUser
) -> None:
    product = await shop.product(stock=12, threshold=10)
    await shop.placed(ann, (product, 4))
    opened = await office.get("/admin/alerts")
    assert opened.status_code == 200 and product["name"] in opened.text

    await shop.edit(product, stock=50)
    assert product["name"] not in (await office.get("/admin/alerts")).text
    assert (
        product["name"] in (await office.get("/admin/alerts", params={"status": "resolved"})).text
    )
