"""Sales reports over HTTP on PostgreSQL, from orders placed through checkout.

Each test stocks its own uniquely named aisle and filters by it, so other tests' orders never
show up in its rows. Checkout stamps orders with the current time, so tests that need orders
on given days move `created_at` in the database afterwards.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from grocery.entrypoints.app import create_app
from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Client, Json, add_category, add_product, tag
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser, make_settings
from tests.integration.picking_shop import Picker
from tests.integration.test_tax_pricing_api import tax_the_aisle

BY_PRODUCT = "/api/reports/sales-by-product"
BY_CATEGORY = "/api/reports/sales-by-category"
OVER_TIME = "/api/reports/sales-over-time"
REPORTS = (BY_PRODUCT, BY_CATEGORY, OVER_TIME)
CSV_TYPE = "text/csv; charset=utf-8"


@pytest.fixture
async def aisle(client: Client, manager: SignedInUser) -> Json:
    return await add_category(client, manager.headers, f"Orchard {tag()}")


class Fruit:
    """Stocks products with chosen names, so their name order is known."""

    def __init__(self, client: Client, manager: SignedInUser, aisle: Json) -> None:
        self.client, self.manager, self.aisle, self.tag = client, manager, aisle, tag()

    async def __call__(self, name: str, price: str) -> Json:
        return await add_product(
            self.client, self.manager.headers, self.aisle, f"{name} {self.tag}", price=price
        )


@pytest.fixture
def fruit(client: Client, manager: SignedInUser, aisle: Json) -> Fruit:
    return Fruit(client, manager, aisle)


async def report(client: Client, path: str, who: SignedInUser, **params: Any) -> dict[str, Any]:
    response = await client.get(path, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return dict(response.json())


def sold(product: Json, units: int, revenue: str, orders: int, tax: str = "0.00") -> Json:
    """A sales-by-product row as the contract shapes it."""
    category = product["category"]
    return {
        "product_id": product["id"],
        "product_name": product["name"],
        "category": category["name"],
        "category_id": category["id"],
        "units_sold": units,
        "revenue": revenue,
        "tax": tax,
        "orders": orders,
    }


def period(day: str, orders: int, units: int, revenue: str, tax: str = "0.00") -> Json:
    return {"period": day, "orders": orders, "units": units, "revenue": revenue, "tax": tax}


async def place_at(adapters: Adapters, order: Json, moment: str) -> None:
    """Move an order to a given instant (checkout only places orders now)."""
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE orders SET created_at = :at WHERE id = :id"),
            {"at": datetime.fromisoformat(moment), "id": order["id"]},
        )
        # The reports' rollups follow it to its new day, as they would had it been placed then.
        await connection.execute(
            text("SELECT grocery_rebuild_sales_days((SELECT zone FROM sales_zone))")
        )


async def cancel(client: Client, user: SignedInUser, order: Json) -> None:
    response = await client.post(f"/api/orders/{order['id']}/cancel", headers=user.headers)
    assert response.status_code == 200, response.text


def problem_fields(response: Any) -> set[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_error"
    return {error["field"] for error in body["errors"]}


# --- by product ---------------------------------------------------------------


async def test_most_and_least_sold_list_zero_sellers_and_leave_out_cancelled_orders(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    aisle: Json,
    shop: Shop,
    fruit: Fruit,
) -> None:
    apple, fig, kiwi = (
        await fruit("Apple", "2.00"),
        await fruit("Fig", "4.00"),
        await fruit("Kiwi", "1.00"),
    )
    pear, plum = await fruit("Pear", "3.00"), await fruit("Plum", "1.50")
    await shop.placed(ann, (apple, 3), (pear, 2))
    await shop.placed(bob, (apple, 1), (plum, 2))
    await cancel(client, ann, await shop.placed(ann, (kiwi, 5), (apple, 4)))

    most = await report(client, BY_PRODUCT, manager, category=aisle["name"])
    assert most == {
        "items": [
            sold(apple, 4, "8.00", 2),
            sold(pear, 2, "6.00", 1),  # a tie on units goes by name: Pear, then Plum
            sold(plum, 2, "3.00", 1),
            sold(fig, 0, "0.00", 0),
            sold(kiwi, 0, "0.00", 0),  # sold only in the cancelled order
        ],
        "currency": "USD",
        "from": None,
        "to": None,
    }
    least = await report(client, BY_PRODUCT, manager, category=aisle["name"], sort="least")
    assert least["items"] == [
        sold(fig, 0, "0.00", 0),
        sold(kiwi, 0, "0.00", 0),
        sold(pear, 2, "6.00", 1),
        sold(plum, 2, "3.00", 1),
        sold(apple, 4, "8.00", 2),
    ]
    top_two = await report(client, BY_PRODUCT, manager, category=aisle["name"], limit=2)
    assert top_two["items"] == most["items"][:2]


async def test_the_category_is_found_by_name_slug_or_id_in_any_case(
    client: Client, manager: SignedInUser, ann: SignedInUser, aisle: Json, shop: Shop
) -> None:
    product = await shop.product(price="1.25")
    await shop.placed(ann, (product, 2))
    expected = [sold(product, 2, "2.50", 1)]
    for ref in (aisle["name"], aisle["name"].upper(), aisle["slug"], aisle["id"]):
        assert (await report(client, BY_PRODUCT, manager, category=ref))["items"] == expected


async def test_the_report_over_every_category_agrees_with_the_filtered_one(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    aisle: Json,
    shop: Shop,
) -> None:
    # Enough units to rank among the session's best sellers, whatever other tests sold.
    star = await shop.product(price="0.10", stock=2000)
    await shop.placed(ann, (star, 900))
    await cancel(client, bob, await shop.placed(bob, (star, 800)))
    everything = await report(client, BY_PRODUCT, manager, limit=1000)
    mine = [item for item in everything["items"] if item["product_id"] == star["id"]]
    assert mine == [sold(star, 900, "90.00", 1)]
    assert mine == (await report(client, BY_PRODUCT, manager, category=aisle["id"]))["items"]


async def test_an_archived_product_is_listed_only_for_what_it_sold(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    aisle: Json,
    shop: Shop,
    fruit: Fruit,
) -> None:
    kept, gone = await fruit("Kept", "1.00"), await fruit("Gone", "1.00")
    await shop.placed(ann, (kept, 2))
    await cancel(client, ann, await shop.placed(ann, (gone, 1)))
    for product in (kept, gone):  # both were ordered, so both are archived, not deleted
        response = await client.delete(f"/api/products/{product['id']}", headers=manager.headers)
        assert response.status_code == 204, response.text
    items = (await report(client, BY_PRODUCT, manager, category=aisle["id"]))["items"]
    assert items == [sold(kept, 2, "2.00", 1)]


async def test_the_seeds_query_works_as_written_with_its_trailing_slash(
    client: Client, manager: SignedInUser, ann: SignedInUser, aisle: Json, shop: Shop
) -> None:
    product = await shop.product(price="0.80")
    await shop.placed(ann, (product, 5))
    response = await client.get(
        f"/api/reports/sales-by-product/?sort=most&category={aisle['name']}",
        headers=manager.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"] == [sold(product, 5, "4.00", 1)]


async def test_date_bounds_are_inclusive_whole_days(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    adapters: Adapters,
    aisle: Json,
    shop: Shop,
) -> None:
    first, last, before, after = [await shop.product(price="1.00") for _ in range(4)]
    for product, moment in (
        (first, "2025-03-01T00:00:00+00:00"),  # the first instant of `from`
        (last, "2025-03-31T23:59:59.999999+00:00"),  # the last instant of `to`
        (before, "2025-02-28T23:59:59.999999+00:00"),
        (after, "2025-04-01T00:00:00+00:00"),
    ):
        await place_at(adapters, await shop.placed(ann, (product, 1)), moment)

    march = await report(
        client,
        BY_PRODUCT,
        manager,
        category=aisle["id"],
        **{"from": "2025-03-01", "to": "2025-03-31"},
    )
    assert (march["from"], march["to"]) == ("2025-03-01", "2025-03-31")
    counted = {item["product_id"]: item["units_sold"] for item in march["items"]}
    assert counted == {first["id"]: 1, last["id"]: 1, before["id"]: 0, after["id"]: 0}
    from_april = await report(
        client, BY_PRODUCT, manager, category=aisle["id"], **{"from": "2025-04-01"}
    )
    assert [i["product_id"] for i in from_april["items"] if i["units_sold"]] == [after["id"]]
    until_february = await report(
        client, BY_PRODUCT, manager, category=aisle["id"], to="2025-02-28"
    )
    assert [i["product_id"] for i in until_february["items"] if i["units_sold"]] == [before["id"]]


async def test_revenue_is_net_of_discounts_and_adds_up_to_the_counted_orders_totals(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    aisle: Json,
    shop: Shop,
) -> None:
    # Prices that spread a 15% discount unevenly, so rounding lands on single lines.
    products = [await shop.product(price=price) for price in ("3.33", "1.01", "7.77")]
    promo = await shop.promo(value="15")
    await shop.apply(ann, promo)
    discounted = await shop.placed(ann, (products[0], 3), (products[1], 1), (products[2], 2))
    plain = await shop.placed(bob, (products[1], 4), (products[2], 1))
    await shop.apply(bob, promo)
    await cancel(client, bob, await shop.placed(bob, (products[0], 1)))
    assert Decimal(discounted["discount"]) > 0

    items = (await report(client, BY_PRODUCT, manager, category=aisle["slug"]))["items"]
    revenue = sum((Decimal(item["revenue"]) for item in items), Decimal(0))
    counted_totals = Decimal(discounted["total"]) + Decimal(plain["total"])
    assert revenue == counted_totals
    by_line = {line["product_id"]: Decimal(line["line_total"]) for line in discounted["items"]}
    for line in plain["items"]:
        by_line[line["product_id"]] += Decimal(line["line_total"])
    assert {item["product_id"]: Decimal(item["revenue"]) for item in items} == by_line
    categories = (await report(client, BY_CATEGORY, manager, category=aisle["id"]))["items"]
    assert [Decimal(c["revenue"]) for c in categories] == [counted_totals]


# --- by category --------------------------------------------------------------


async def test_by_category_gives_one_row_per_category_unsold_ones_as_zeros(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    aisle: Json,
    shop: Shop,
) -> None:
    empty = await add_category(client, manager.headers, f"Empty shelf {tag()}")
    tea, jam = await shop.product(price="2.00"), await shop.product(price="0.50")
    await shop.placed(ann, (tea, 1), (jam, 4))  # one order with two of the aisle's products
    await shop.placed(bob, (jam, 2))

    only = await report(client, BY_CATEGORY, manager, category=aisle["name"])
    assert only == {
        "items": [
            {
                "category_id": aisle["id"],
                "category": aisle["name"],
                "category_slug": aisle["slug"],
                "units_sold": 7,
                "revenue": "5.00",
                "tax": "0.00",
                "orders": 2,  # distinct orders, not lines
            }
        ],
        "currency": "USD",
        "from": None,
        "to": None,
    }
    everything = await report(client, BY_CATEGORY, manager, sort="least", limit=1000)
    rows = {item["category_id"]: item for item in everything["items"]}
    assert rows[aisle["id"]] == only["items"][0]
    assert rows[empty["id"]]["units_sold"] == 0
    assert (rows[empty["id"]]["revenue"], rows[empty["id"]]["orders"]) == ("0.00", 0)
    units = [item["units_sold"] for item in everything["items"]]
    assert units == sorted(units)


async def shop_tax(client: Client, manager: SignedInUser) -> Decimal:
    months = (await report(client, OVER_TIME, manager, interval="month"))["items"]
    return sum((Decimal(month["tax"]) for month in months), Decimal(0))


async def test_tax_is_what_was_billed_as_picked_and_cancelled_orders_add_none(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    aisle: Json,
    shop: Shop,
) -> None:
    tax_before = await shop_tax(client, manager)  # every aisle's, from the orders' own tax
    await tax_the_aisle(shop, "10")
    pear, plum = await shop.product(price="2.00"), await shop.product(price="3.00")
    await shop.placed(ann, (pear, 3))  # 6.00, taxed 0.60
    await cancel(client, bob, await shop.placed(bob, (plum, 5)))
    short = await shop.placed(bob, (pear, 1), (plum, 2))  # plum picked 1 of 2
    picker = Picker(shop)
    await picker.start(short)
    await picker.pick(short, 0, picked_quantity=1)
    await picker.pick(short, 1, picked_quantity=1)
    await picker.complete(short)
    params = {"category": aisle["id"]}
    dates = {"from": "2000-01-01", "to": "2100-12-31"}

    # All time (tax summed from the lines) and within dates (from the counted lines) agree.
    for window in ({}, dates):
        rows = (await report(client, BY_PRODUCT, manager, **params, **window))["items"]
        assert rows == [sold(pear, 4, "8.00", 2, tax="0.80"), sold(plum, 1, "3.00", 1, "0.30")]
        by_category = await report(client, BY_CATEGORY, manager, **params, **window)
        assert [(c["revenue"], c["tax"]) for c in by_category["items"]] == [("11.00", "1.10")]
    everything = await report(client, BY_CATEGORY, manager, sort="least", limit=1000)
    mine = [c for c in everything["items"] if c["category_id"] == aisle["id"]]
    assert [(c["revenue"], c["tax"]) for c in mine] == [("11.00", "1.10")]
    # Over time: from the orders' own tax without a category, from the lines with one.
    month = (await report(client, OVER_TIME, manager, interval="month", **params))["items"]
    assert [(m["orders"], m["revenue"], m["tax"]) for m in month] == [(2, "11.00", "1.10")]
    assert await shop_tax(client, manager) - tax_before == Decimal("1.10")

    _, lines = await csv_rows(client, BY_PRODUCT, manager, **params)
    tax = lines[0].index("tax")
    assert lines[0][lines[0].index("revenue") + 1] == "tax"
    assert sorted(line[tax] for line in lines[1:]) == ["0.30", "0.80"]


# --- over time ----------------------------------------------------------------


async def test_over_time_fills_days_without_sales_with_zeros(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    adapters: Adapters,
    aisle: Json,
    shop: Shop,
) -> None:
    bread = await shop.product(price="2.00")
    for user, quantity, moment in (
        (ann, 1, "2025-05-05T08:00:00+00:00"),  # a Monday
        (bob, 2, "2025-05-05T20:00:00+00:00"),
        (ann, 3, "2025-05-07T12:00:00+00:00"),
        (bob, 4, "2025-06-02T12:00:00+00:00"),
    ):
        await place_at(adapters, await shop.placed(user, (bread, quantity)), moment)
    window = {"from": "2025-05-04", "to": "2025-05-08", "category": aisle["name"]}

    daily = await report(client, OVER_TIME, manager, **window)
    assert daily == {
        "items": [
            period("2025-05-04", 0, 0, "0.00"),
            period("2025-05-05", 2, 3, "6.00"),
            period("2025-05-06", 0, 0, "0.00"),
            period("2025-05-07", 1, 3, "6.00"),
            period("2025-05-08", 0, 0, "0.00"),
        ],
        "interval": "day",
        "currency": "USD",
        "from": "2025-05-04",
        "to": "2025-05-08",
    }
    weekly = await report(client, OVER_TIME, manager, **{**window, "interval": "week"})
    assert weekly["items"] == [  # ISO weeks start on Monday; the 4th is a Sunday
        period("2025-04-28", 0, 0, "0.00"),
        period("2025-05-05", 3, 6, "12.00"),
    ]
    monthly = await report(client, OVER_TIME, manager, category=aisle["id"], interval="month")
    assert monthly["items"] == [  # without dates: from the first sale to the last
        period("2025-05-01", 3, 6, "12.00"),
        period("2025-06-01", 1, 4, "8.00"),
    ]


async def test_over_time_without_a_category_counts_each_order_once_from_every_aisle(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    adapters: Adapters,
    aisle: Json,
    shop: Shop,
) -> None:
    pantry = await add_category(client, manager.headers, f"Pantry {tag()}")
    plums = await shop.product(price="1.50")
    rice = await Shop(client, manager, pantry).product(price="3.00")
    await shop.apply(ann, await shop.promo(value="10"))
    day = "2001-02-03"  # no other test sells on this day, or in its month
    for order in (
        await shop.placed(ann, (plums, 2), (rice, 1)),  # 6.00 less 10%: 5.40, 2.70 an aisle
        await shop.placed(bob, (rice, 2)),  # 6.00
    ):
        await place_at(adapters, order, f"{day}T12:00:00+00:00")
    returned = await shop.placed(bob, (plums, 1))
    await place_at(adapters, returned, f"{day}T13:00:00+00:00")
    await cancel(client, bob, returned)
    window = {"from": day, "to": day}

    every_aisle = await report(client, OVER_TIME, manager, **window)
    assert every_aisle["items"] == [period(day, 2, 5, "11.40")]
    by_aisle = [
        (await report(client, OVER_TIME, manager, category=category["id"], **window))["items"]
        for category in (aisle, pantry)
    ]
    # The same units and revenue as the aisles' lines; ann's order is in both aisles.
    assert by_aisle == [[period(day, 1, 2, "2.70")], [period(day, 2, 3, "8.70")]]
    months = (await report(client, OVER_TIME, manager, interval="month"))["items"]
    assert months[0] == period("2001-02-01", 2, 5, "11.40")


async def test_the_stores_time_zone_sets_the_day_boundaries(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    adapters: Adapters,
    database_url: str,
    aisle: Json,
    shop: Shop,
) -> None:
    late = await shop.product(price="1.00")
    # 22:00 on 1 March in New York (EST, UTC-5) is already 2 March in UTC.
    await place_at(adapters, await shop.placed(ann, (late, 1)), "2025-03-02T03:00:00+00:00")
    first_of_march = {"from": "2025-03-01", "to": "2025-03-01", "category": aisle["id"]}

    in_utc = await report(client, BY_PRODUCT, manager, **first_of_march)
    assert in_utc["items"][0]["units_sold"] == 0
    async with new_york_client(database_url) as new_york:
        in_new_york = await report(new_york, BY_PRODUCT, manager, **first_of_march)
        assert in_new_york["items"][0]["units_sold"] == 1
        days = await report(new_york, OVER_TIME, manager, category=aisle["id"])
        assert days["items"] == [period("2025-03-01", 1, 1, "1.00")]


def new_york_client(database_url: str) -> AsyncTestClient[Litestar]:
    app = create_app(make_settings(database_url, timezone="America/New_York"))
    return AsyncTestClient(app=app, base_url="http://testserver.local")


# --- CSV ----------------------------------------------------------------------


async def csv_rows(client: Client, path: str, who: SignedInUser, **params: Any) -> Any:
    response = await client.get(path, params={"format": "csv", **params}, headers=who.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CSV_TYPE
    return response, list(csv.reader(io.StringIO(response.text)))


async def test_csv_has_a_header_and_the_same_values_as_json(
    client: Client,
    manager: SignedInUser,
    ann: SignedInUser,
    bob: SignedInUser,
    aisle: Json,
    shop: Shop,
) -> None:
    products = [await shop.product(price=price) for price in ("1.10", "2.20", "3.30")]
    await shop.placed(ann, (products[0], 1), (products[1], 2))
    await shop.placed(bob, (products[1], 1))
    dates = {"from": "2000-01-01", "to": "2100-12-31"}

    for path, params in (
        (BY_PRODUCT, {"category": aisle["name"], "sort": "least", **dates}),
        (BY_CATEGORY, {"category": aisle["slug"]}),
        (OVER_TIME, {"category": aisle["id"], "interval": "month"}),
    ):
        as_json = (await report(client, path, manager, **params))["items"]
        response, lines = await csv_rows(client, path, manager, **params)
        assert lines[0] == list(as_json[0])
        assert lines[1:] == [[str(value) for value in item.values()] for item in as_json]
        assert response.headers["content-disposition"].startswith("attachment; filename=")

    response, _ = await csv_rows(client, BY_PRODUCT, manager, **dates)
    expected = 'attachment; filename="sales-by-product-2000-01-01-2100-12-31.csv"'
    assert response.headers["content-disposition"] == expected


async def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_defused(
    client: Client, manager: SignedInUser, ann: SignedInUser, aisle: Json, shop: Shop
) -> None:
    names = ['=HYPERLINK("http://x")', "+1+2", "-3+4", "@SUM(A1)", "Plain pears"]
    for name in names:
        product = await add_product(client, manager.headers, aisle, name, price="1.00")
        await shop.placed(ann, (product, 1))
    params = {"category": aisle["id"]}

    as_json = (await report(client, BY_PRODUCT, manager, **params))["items"]
    _, lines = await csv_rows(client, BY_PRODUCT, manager, **params)

    assert sorted(item["product_name"] for item in as_json) == sorted(names)
    column = lines[0].index("product_name")
    assert sorted(line[column] for line in lines[1:]) == sorted(
        ['\'=HYPERLINK("http://x")', "'+1+2", "'-3+4", "'@SUM(A1)", "Plain pears"]
    )
    revenue = lines[0].index("revenue")
    assert {line[revenue] for line in lines[1:]} == {"1.00"}


async def test_accept_text_csv_asks_for_csv_and_an_empty_report_still_has_its_header(
    client: Client, manager: SignedInUser, aisle: Json
) -> None:
    response = await client.get(
        OVER_TIME,
        params={"category": aisle["id"]},
        headers={**manager.headers, "Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CSV_TYPE
    assert response.text == "period,orders,units,revenue,tax\r\n"


async def test_openapi_documents_the_json_report_and_its_csv_form(client: Client) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    for path, model in zip(
        REPORTS, ("SalesByProductOut", "SalesByCategoryOut", "SalesOverTimeOut"), strict=True
    ):
        ok = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert set(ok) == {"application/json", "text/csv"}
        as_json = ok["application/json"]["schema"]
        assert "oneOf" not in as_json and as_json != {}  # no empty schema beside the model
        assert as_json["$ref"].endswith(f"/{model}")
        assert ok["text/csv"]["schema"]["type"] == "string"


# --- refusals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
        ({"from": "2025-02-30"}, "from"),
        ({"to": "01/03/2025"}, "to"),
        ({"sort": "best"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"format": "xml"}, "format"),
    ],
)
async def test_bad_filters_are_422_naming_the_parameter(
    client: Client, manager: SignedInUser, params: dict[str, str], field: str
) -> None:
    response = await client.get(BY_PRODUCT, params=params, headers=manager.headers)
    assert problem_fields(response) == {field}


async def test_a_bad_interval_or_an_unknown_category_is_422(
    client: Client, manager: SignedInUser
) -> None:
    bad_interval = await client.get(OVER_TIME, params={"interval": "hour"}, headers=manager.headers)
    assert problem_fields(bad_interval) == {"interval"}
    assert "interval" in bad_interval.json()["detail"]
    for path in REPORTS:
        unknown = await client.get(
            path, params={"category": f"nope-{tag()}"}, headers=manager.headers
        )
        assert problem_fields(unknown) == {"category"}


async def test_customers_get_403_and_strangers_401(client: Client, ann: SignedInUser) -> None:
    for path in REPORTS:
        assert (await client.get(path, headers=ann.headers)).status_code == 403
        assert (await client.get(path)).status_code == 401
