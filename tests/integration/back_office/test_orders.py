"""Orders in the back office: the list by slot day and status with the API's cursors, an
order's page, its status steps, cancelling and refunds, each refusal shown on the page
where it belongs; staff only, every form with its CSRF token."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from grocery.adapters.sql.catalog_reads import SqlCatalogReader
from grocery.entrypoints.web import orders as order_pages
from tests.integration.back_office.conftest import Browser, sign_in, submit
from tests.integration.card_shop import VISA, pay
from tests.integration.catalog_shop import Json
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import MakeUser, SignedInUser
from tests.integration.picking_shop import Picker
from tests.integration.slot_shop import Places, hold

pytestmark = pytest.mark.integration

DAY = datetime(2031, 6, 7, tzinfo=UTC)  # no other test books a slot this day


@pytest.fixture
def places(adapters: Any) -> Places:
    return Places(adapters)


@pytest.fixture
def picker(shop: Shop) -> Picker:
    return Picker(shop)


async def booked(
    client: Browser, shop: Shop, places: Places, customer: SignedInUser, starts_at: datetime
) -> Json:
    """An order of one 20.00 product, delivered in a slot starting at `starts_at`."""
    zone = await places.zone("3.00")
    await shop.fill(customer, (await shop.product("20.00"), 1))
    slot = await places.slot(zone, starts_at=starts_at)
    held = await hold(client, customer, slot, await places.address(customer, zone))
    assert held.status_code == 200, held.text
    placed = await checkout(client, customer)
    assert placed.status_code == 201, placed.text
    return dict(placed.json())


def listed_ids(html: str) -> list[str]:
    return re.findall(r'href="/admin/orders/([0-9a-f-]{36})"', html)


async def test_the_list_filters_by_slot_day_and_status_and_pages_with_the_api_s_cursors(
    office: Browser,
    client: Browser,
    shop: Shop,
    places: Places,
    make_user: MakeUser,
    manager: SignedInUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    orders = [
        await booked(client, shop, places, await make_user(), DAY + timedelta(hours=hour))
        for hour in (16, 9, 12)
    ]
    late, early, noon = (order["id"] for order in orders)
    moved = await client.patch(
        f"/api/orders/{noon}", json={"status": "processing"}, headers=manager.headers
    )
    assert moved.status_code == 200

    day = await office.get("/admin/orders?slot_date=2031-06-07")
    assert listed_ids(day.text) == [early, noon, late]
    assert "2031-06-07 09:00–11:00" in day.text and "23.00 USD" in day.text
    picking = await office.get("/admin/orders?slot_date=2031-06-07&status=processing")
    assert listed_ids(picking.text) == [noon]
    assert listed_ids((await office.get("/admin/orders?slot_date=2031-06-08")).text) == []

    monkeypatch.setattr(order_pages, "PAGE_SIZE", 2)
    first = await office.get("/admin/orders?slot_date=2031-06-07")
    api = await client.get(
        "/api/orders", params={"slot_date": "2031-06-07", "limit": 2}, headers=manager.headers
    )
    cursor = api.json()["next_cursor"]
    assert f"cursor={cursor}" in first.text
    second = await office.get(f"/admin/orders?slot_date=2031-06-07&cursor={cursor}")
    assert listed_ids(second.text) == [late] and 'rel="next"' not in second.text

    newest = await office.get("/admin/orders")
    assert listed_ids(newest.text)[:2] == [noon, early]  # newest first without a day


async def test_filters_typed_wrong_are_shown_next_to_their_fields(office: Browser) -> None:
    wrong = await office.get("/admin/orders?slot_date=2031-02-30&status=lost")
    assert wrong.status_code == 422
    assert 'id="slot_date-error"' in wrong.text and 'id="status-error"' in wrong.text
    assert 'value="2031-02-30"' in wrong.text
    forged = await office.get("/admin/orders?cursor=not-ours")
    assert forged.status_code == 422 and "The cursor is not valid." in forged.text
    assert (await office.get("/admin/orders/0")).status_code in (400, 404)


async def test_an_order_s_page_shows_its_lines_slot_address_payment_and_bill(
    office: Browser, client: Browser, shop: Shop, places: Places, ann: SignedInUser
) -> None:
    order = await booked(client, shop, places, ann, DAY + timedelta(days=1, hours=10))
    page = await office.get(f"/admin/orders/{order['id']}")
    assert page.status_code == 200
    html = page.text
    assert order["items"][0]["product_name"] in html
    assert "2031-06-08 10:00–12:00" in html
    assert order["fulfilment"]["address"]["postal_code"] in html
    assert re.search(r'id="payment">pending<', html)
    assert re.search(r'id="bill-total">23.00 USD<', html)
    assert "Mark processing" in html and "Cancel the order" in html
    assert 'action="/admin/orders/' + order["id"] + '/refunds"' not in html  # nothing captured


async def test_status_steps_and_their_refusals_as_the_api_gives_them(
    office: Browser, picker: Picker, ann: SignedInUser
) -> None:
    order = await picker.placed_by(ann, (await picker.weighed(), 2))
    page = f"/admin/orders/{order['id']}"

    started = await submit(office, page, f"{page}/status", status="processing")
    assert started.status_code == 303
    assert (await picker.order(order))["status"] == "processing"
    shipped = await submit(office, page, f"{page}/status", status="shipped")
    assert shipped.status_code == 409
    assert 'id="status-error"' in shipped.text and "picking" in shipped.text
    skipped = await submit(office, page, f"{page}/status", status="delivered")
    assert skipped.status_code == 409
    assert "can&#39;t become delivered" in skipped.text
    unknown = await submit(office, page, f"{page}/status", status="lost")
    assert unknown.status_code == 422 and 'id="status-error"' in unknown.text
    assert (await picker.order(order))["status"] == "processing"


async def test_a_card_order_not_yet_captured_is_refused_shipping_with_the_api_s_reason(
    card_client: Browser, card_shop: Shop, staff: SignedInUser, ann: SignedInUser
) -> None:
    paid = await pay(card_shop, ann, VISA, (await card_shop.product(), 1))
    assert paid.status_code == 201, paid.text
    order = paid.json()
    await Picker(card_shop).start(order)
    page = f"/admin/orders/{order['id']}"
    card_client.cookies.clear()  # the card shop's client is shared: a session of this test's
    try:
        await sign_in(card_client, staff.username, staff.password)
        refused = await submit(card_client, page, f"{page}/status", status="shipped")
    finally:
        card_client.cookies.clear()
    assert refused.status_code == 409  # payment_not_captured
    assert 'id="status-error"' in refused.text and "has not been captured" in refused.text
    assert (await Picker(card_shop).order(order))["status"] == "processing"


async def test_cancelling_gives_the_stock_back_and_a_shipped_order_can_t_be(
    office: Browser, picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    pears = await shop.product("3.00", stock=5)
    order = await picker.placed_by(ann, (pears, 2))
    page = f"/admin/orders/{order['id']}"
    cancelled = await submit(office, page, f"{page}/cancel")
    assert cancelled.status_code == 303
    assert (await picker.order(order))["status"] == "cancelled"
    assert (await shop.now(pears))["stock"] == 5
    assert "Cancel the order" not in (await office.get(page)).text

    sent = await picker.placed_by(ann, (pears, 1))
    for step in ("processing", "shipped"):
        assert (await picker.try_step(sent, step)).status_code == 200
    page = f"/admin/orders/{sent['id']}"
    refused = await submit(office, page, f"{page}/cancel")
    assert refused.status_code == 409 and 'id="cancel-error"' in refused.text
    assert (await picker.order(sent))["status"] == "shipped"


async def test_refunds_in_part_and_in_full_and_never_above_the_capture(
    office: Browser, picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    order = await picker.placed_by(ann, (await shop.product("4.00"), 2))
    for step in ("processing", "shipped", "delivered"):  # a manual payment: taken on delivery
        assert (await picker.try_step(order, step)).status_code == 200
    page = f"/admin/orders/{order['id']}"
    refunds = f"{page}/refunds"

    part = await submit(office, page, refunds, amount="2.50", reason="bruised")
    assert part.status_code == 303
    shown = (await office.get(page)).text
    assert "Refunded 2.50 USD." in shown and re.search(r'id="refunded">2.50 USD<', shown)
    too_much = await submit(office, page, refunds, amount="5.51", reason="all of it")
    assert too_much.status_code == 409
    assert re.search(r'id="amount-error">At most 5.50', too_much.text)
    assert 'value="5.51"' in too_much.text
    not_money = await submit(office, page, refunds, amount="lots", reason="")
    assert not_money.status_code == 422 and 'id="amount-error"' in not_money.text
    no_reason = await submit(office, page, refunds, amount="1.00", reason=" ")
    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.text
    rest = await submit(office, page, refunds, amount="5.50", reason="all of it")
    assert rest.status_code == 303
    payment = (await picker.order(order))["payment"]
    assert (payment["status"], payment["amount_refunded"]) == ("refunded", "8.00")
    history = re.search(r'<table id="refunds">(.*?)</table>', (await office.get(page)).text, re.S)
    assert history and re.findall(
        r"<td>([0-9.]+ USD)</td><td>([a-z ]+)</td>", history.group(1)
    ) == [
        ("2.50 USD", "bruised"),
        ("5.50 USD", "all of it"),
    ]


ORDER_SCREENS = ["/admin/orders", "/admin/orders/{id}", "/admin/orders/{id}/picking"]
ORDER_FORMS = [
    "/admin/orders/{id}/status",
    "/admin/orders/{id}/cancel",
    "/admin/orders/{id}/refunds",
    "/admin/orders/{id}/picking",
    "/admin/orders/{id}/picks/{line}",
    "/admin/orders/{id}/picking/complete",
]


async def test_only_signed_in_staff_see_orders_and_every_form_needs_its_token(
    browser: Browser,
    client: Browser,
    staff: SignedInUser,
    make_user: MakeUser,
    picker: Picker,
    ann: SignedInUser,
) -> None:
    order = await picker.placed_by(ann, (await picker.shop.product(), 1))
    screens = [screen.format(id=order["id"]) for screen in ORDER_SCREENS]
    forms = [form.format(id=order["id"], line=order["items"][0]["id"]) for form in ORDER_FORMS]
    for screen in screens:
        out = await browser.get(screen, follow_redirects=False)
        assert out.status_code == 302, screen
        assert out.headers["location"].startswith("/admin/sign-in?next=/admin/orders"), screen

    await sign_in(browser, staff.username, staff.password)
    for form in forms:
        forged = await browser.post(form, data={"status": "processing"}, follow_redirects=False)
        assert forged.status_code == 403 and "Form refused" in forged.text, form
    assert (await picker.order(order))["status"] == "placed"

    admin = await make_user(role="admin")
    demoted = await client.patch(
        f"/api/admin/users/{staff.id}", json={"role": "customer"}, headers=admin.headers
    )
    assert demoted.status_code == 200
    for screen in screens:
        assert (await browser.get(screen)).status_code == 403, screen


def line_ids(order: Json) -> list[str]:
    return [item["id"] for item in order["items"]]


async def test_picking_a_weighed_line_and_a_substitute_ends_with_the_final_bill(
    office: Browser, picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    apples = await picker.weighed("4.00", "0.500")  # 2.00 a step
    pears = await shop.product("3.00", stock=5)
    quinces = await shop.product("2.50", stock=5)
    order = await picker.placed_by(ann, (apples, 3), (pears, 2))
    apple_line, pear_line = line_ids(order)
    screen = f"/admin/orders/{order['id']}/picking"
    assert "Start picking" in (await office.get(screen)).text

    early = await submit(
        office,
        screen,
        f"/admin/orders/{order['id']}/picks/{apple_line}",
        picked_quantity=3,
        picked_weight_kg="1.900",
    )
    assert early.status_code == 409 and "not being picked" in early.text
    assert (await submit(office, screen, screen)).status_code == 303
    found = await office.get(f"{screen}?line={pear_line}&q={quinces['name'].split()[-1]}")
    assert f'<option value="{quinces["id"]}" selected>{quinces["name"]}' in found.text

    picks = f"/admin/orders/{order['id']}/picks"
    weighed = await submit(
        office, screen, f"{picks}/{apple_line}", picked_quantity=3, picked_weight_kg="1.900"
    )
    assert weighed.status_code == 303 and weighed.headers["location"].endswith(apple_line)
    short = await submit(
        office,
        screen,
        f"{picks}/{pear_line}",
        picked_quantity=1,
        substitute_id=quinces["id"],
        substitute_quantity=1,
    )
    assert short.status_code == 303
    done = await submit(office, screen, f"{screen}/complete")
    assert done.status_code == 303

    billed = await picker.order(order)
    assert [item["final_line_total"] for item in billed["items"]] == ["6.60", "5.50"]
    final = (await office.get(screen)).text
    assert "Final bill" in final and quinces["name"] in final
    assert re.search(rf'id="bill-total">{billed["total"]} USD<', final)
    assert "Complete picking" not in final
    assert (await shop.now(quinces))["stock"] == 4


async def test_picking_refusals_are_shown_next_to_their_fields(
    office: Browser, picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    apples = await picker.weighed("4.00", "0.500")
    pears = await shop.product("3.00", stock=5)
    order = await picker.placed_by(ann, (apples, 2), (pears, 2), substitution="none")
    apple_line, pear_line = line_ids(order)
    await picker.start(order)
    screen = f"/admin/orders/{order['id']}/picking"
    picks = f"/admin/orders/{order['id']}/picks"

    unweighed = await submit(office, screen, f"{picks}/{apple_line}", picked_quantity=2)
    assert unweighed.status_code == 422
    assert f'id="picked_weight_kg-{apple_line}-error"' in unweighed.text
    too_many = await submit(office, screen, f"{picks}/{pear_line}", picked_quantity="two")
    assert (
        too_many.status_code == 422 and f'id="picked_quantity-{pear_line}-error"' in too_many.text
    )
    assert 'value="two"' in too_many.text
    substituted = await submit(
        office, screen, f"{picks}/{pear_line}", picked_quantity=1, substitute_id=str(pears["id"])
    )
    assert substituted.status_code == 422
    assert "asked for no substitutes" in substituted.text
    unfinished = await submit(office, screen, f"{screen}/complete")
    assert unfinished.status_code == 422 and 'id="complete-error"' in unfinished.text
    assert f"{apples['name']}: not picked yet" in unfinished.text
    assert (await picker.order(order))["items"][0]["picked_quantity"] is None


async def test_a_refused_substitute_is_shown_next_to_its_own_field(
    office: Browser, picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    pears, quinces = await shop.product("3.00"), await shop.product("2.50")
    order = await picker.placed_by(ann, (pears, 2))
    await picker.start(order)
    (line,) = line_ids(order)
    screen = f"/admin/orders/{order['id']}/picking"

    none = await submit(
        office,
        screen,
        f"/admin/orders/{order['id']}/picks/{line}",
        picked_quantity=1,
        substitute_id=quinces["id"],
        substitute_quantity=0,
    )
    assert none.status_code == 422  # the core's substitute.quantity, as the form names it
    assert f'id="substitute_quantity-{line}-error"' in none.text


async def test_the_picker_is_offered_the_substitute_the_customer_asked_for(
    office: Browser, picker: Picker, shop: Shop, ann: SignedInUser
) -> None:
    pears, quinces = await shop.product("3.00"), await shop.product("2.50")
    order = await picker.placed_by(ann, (pears, 2), preferred_substitute_id=quinces["id"])
    await picker.start(order)
    (line,) = line_ids(order)
    screen = f"/admin/orders/{order['id']}/picking"

    shown = (await office.get(screen)).text
    assert f"the customer would like <strong>{quinces['name']}</strong>" in shown
    choice = f"{quinces['name']} (the customer's choice)"
    assert f'<option value="{quinces["id"]}">{choice}' in shown
    taken = await submit(
        office,
        screen,
        f"/admin/orders/{order['id']}/picks/{line}",
        picked_quantity=0,
        substitute_id=quinces["id"],
        substitute_quantity=2,
    )
    assert taken.status_code == 303
    pick = (await picker.order(order))["items"][0]
    assert (pick["picked_quantity"], pick["substitute"]["product_id"]) == (0, quinces["id"])


async def test_every_lines_preferred_substitute_is_read_in_one_go(
    office: Browser, picker: Picker, shop: Shop, ann: SignedInUser, monkeypatch: Any
) -> None:
    lines = [(await shop.product("3.00"), await shop.product("2.50")) for _ in range(3)]
    for product, liked in lines:
        added = await shop.client.post(
            "/api/cart/items",
            json={
                "product_id": product["id"],
                "quantity": 1,
                "preferred_substitute_id": liked["id"],
            },
            headers=ann.headers,
        )
        assert added.status_code in (200, 201), added.text
    order = (await checkout(shop.client, ann)).json()
    await picker.start(order)
    gone = lines[2][1]
    removed = await shop.client.delete(f"/api/products/{gone['id']}", headers=shop.manager.headers)
    assert removed.status_code == 204
    reads: list[set[UUID]] = []
    by_id = SqlCatalogReader.products_by_id

    async def counted(reader: SqlCatalogReader, ids: Any) -> Any:
        reads.append(set(ids))
        return await by_id(reader, ids)

    async def one_by_one(reader: SqlCatalogReader, ref: str) -> Any:
        raise AssertionError(f"product {ref} read on its own")

    monkeypatch.setattr(SqlCatalogReader, "products_by_id", counted)
    monkeypatch.setattr(SqlCatalogReader, "product", one_by_one)

    shown = (await office.get(f"/admin/orders/{order['id']}/picking")).text

    assert reads == [{UUID(liked["id"]) for _, liked in lines}]
    for _, liked in lines[:2]:
        assert f"the customer would like <strong>{liked['name']}</strong>" in shown
    assert gone["name"] not in shown  # no longer sold: not offered
