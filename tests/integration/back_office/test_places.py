"""Where and when the shop hands groceries over, in the back office: delivery zones, pickup
points, the week of slots (one at a time or a batch) and tax classes; the door shut to the
signed out and to customers, every form refusing a missing CSRF token, and bad input shown
next to its field, never a 500."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

import pytest

from grocery.entrypoints.wiring import Adapters
from tests.integration.back_office.conftest import Browser, csrf_of, sign_in, submit
from tests.integration.catalog_shop import add_product, tag
from tests.integration.conftest import MakeUser, SignedInUser
from tests.integration.slot_shop import Places, hold

pytestmark = pytest.mark.integration

ZONE = {"fee": "3.50", "free_delivery_over": "", "min_order_amount": ""}
POINT = {"line1": "1 High St", "city": "Leeds", "postal_code": "LS1 1AA", "country": "GB"}


@pytest.fixture
def places(adapters: Adapters) -> Places:
    return Places(adapters)


async def _screens(places: Places, client: Browser, manager: SignedInUser) -> list[str]:
    zone, point = await places.zone(), await places.point()
    slot = await places.slot(point)
    taxed = await client.post(
        "/api/tax-classes", json={"name": f"Rate {tag()}", "rate": "5"}, headers=manager.headers
    )
    return [
        "/admin/slots",
        "/admin/slots/new",
        "/admin/slots/batch",
        f"/admin/slots/{slot.id}",
        "/admin/delivery-zones",
        f"/admin/delivery-zones/{zone.id}",
        "/admin/pickup-points",
        f"/admin/pickup-points/{point.id}",
        "/admin/tax-classes",
        f"/admin/tax-classes/{taxed.json()['id']}",
    ]


async def test_the_signed_out_are_sent_to_sign_in_and_customers_refused(
    browser: Browser,
    client: Browser,
    places: Places,
    manager: SignedInUser,
    staff: SignedInUser,
    make_user: MakeUser,
) -> None:
    screens = await _screens(places, client, manager)
    for screen in screens:
        answer = await browser.get(screen, follow_redirects=False)
        assert answer.status_code == 302, screen
        assert answer.headers["location"] == f"/admin/sign-in?next={screen}"

    await sign_in(browser, staff.username, staff.password)
    for screen in screens:
        assert (await browser.get(screen)).status_code == 200, screen
    admin = await make_user(role="admin")
    demoted = await client.patch(
        f"/api/admin/users/{staff.id}", json={"role": "customer"}, headers=admin.headers
    )
    assert demoted.status_code == 200
    for screen in screens:
        answer = await browser.get(screen, follow_redirects=False)
        assert answer.status_code == 403 and "Not for you" in answer.text, screen


async def test_every_form_without_its_csrf_token_is_refused(
    office: Browser, client: Browser, places: Places, manager: SignedInUser
) -> None:
    screens = await _screens(places, client, manager)
    slot, zone, point, tax_class = screens[3], screens[5], screens[7], screens[9]
    actions = [
        "/admin/slots",
        "/admin/slots/batch",
        slot,
        f"{slot}/remove",
        "/admin/delivery-zones",
        zone,
        f"{zone}/remove",
        "/admin/pickup-points",
        point,
        f"{point}/remove",
        "/admin/tax-classes",
        tax_class,
        f"{tax_class}/remove",
    ]
    for action in actions:
        answer = await office.post(action, data={"name": "Forged", "capacity": "1"})
        assert answer.status_code == 403 and "Form refused" in answer.text, action
    for screen in screens[3:]:  # nothing was changed or removed
        assert (await office.get(screen)).status_code == 200, screen


async def test_a_zone_is_added_edited_and_removed_unless_slots_are_planned_there(
    office: Browser, client: Browser, places: Places
) -> None:
    name, prefix = f"Riverside {tag()}", f"R{tag().upper()}"
    fields = {"name": name, "postal_code_prefixes": f"{prefix}, {prefix}X", **ZONE}
    added = await submit(office, "/admin/delivery-zones", "/admin/delivery-zones", **fields)
    assert added.status_code == 303
    listed = await office.get("/admin/delivery-zones")
    assert f"Added {name}." in listed.text and "3.50" in listed.text
    found = re.search(rf'href="/admin/delivery-zones/([0-9a-f-]{{36}})">{name}<', listed.text)
    assert found
    page = f"/admin/delivery-zones/{found.group(1)}"

    saved = await submit(
        office, page, page, **{**fields, "fee": "2.00", "free_delivery_over": "40"}
    )
    assert saved.status_code == 303
    zone = (await client.get(f"/api/delivery-zones/{found.group(1)}")).json()
    assert zone["fee"] == "2.00" and zone["free_delivery_over"] == "40.00"
    assert zone["postal_code_prefixes"] == sorted([prefix, f"{prefix}X"])

    for field, wrong in {"fee": "free", "postal_code_prefixes": ""}.items():
        bad = await submit(office, page, page, **{**fields, field: wrong})
        assert bad.status_code == 422 and f'id="{field}-error"' in bad.text, field
    taken = await submit(office, "/admin/delivery-zones", "/admin/delivery-zones", **fields)
    assert taken.status_code == 409 and 'class="error"' in taken.text

    planned = await places.zone()
    await places.slot(planned)
    in_use = await submit(
        office, "/admin/delivery-zones", f"/admin/delivery-zones/{planned.id}/remove"
    )
    assert in_use.status_code == 409 and 'role="alert"' in in_use.text
    assert "Slots are planned in this delivery zone" in in_use.text

    removed = await submit(office, "/admin/delivery-zones", f"{page}/remove")
    assert removed.status_code == 303
    assert (await client.get(f"/api/delivery-zones/{found.group(1)}")).status_code == 404


async def test_a_pickup_point_is_added_closed_and_removed_unless_slots_are_planned_there(
    office: Browser, client: Browser, places: Places
) -> None:
    name = f"Station kiosk {tag()}"
    fields = {"name": name, **POINT, "instructions": "Ring twice", "is_active": "on"}
    added = await submit(office, "/admin/pickup-points", "/admin/pickup-points", **fields)
    assert added.status_code == 303
    listed = await office.get("/admin/pickup-points")
    found = re.search(rf'href="/admin/pickup-points/([0-9a-f-]{{36}})">{name}<', listed.text)
    assert found
    page = f"/admin/pickup-points/{found.group(1)}"

    closed = {key: value for key, value in fields.items() if key != "is_active"}
    assert (await submit(office, page, page, **closed)).status_code == 303
    point = (await client.get(f"/api/pickup-points/{found.group(1)}")).json()
    assert point["is_active"] is False and point["instructions"] == "Ring twice"

    bad = await submit(office, page, page, **{**fields, "country": "XX", "line1": ""})
    assert bad.status_code == 422
    assert 'id="country-error"' in bad.text and 'id="line1-error"' in bad.text
    assert 'value="XX"' in bad.text
    new = await submit(
        office, "/admin/pickup-points", "/admin/pickup-points", **{**fields, "city": ""}
    )
    assert new.status_code == 422 and 'id="city-error"' in new.text

    planned = await places.point()
    await places.slot(planned)
    in_use = await submit(
        office, "/admin/pickup-points", f"/admin/pickup-points/{planned.id}/remove"
    )
    assert in_use.status_code == 409 and "close the point instead" in in_use.text
    assert (await submit(office, page, f"{page}/remove")).status_code == 303


async def test_a_tax_class_is_added_re_rated_and_removed_unless_it_taxes_something(
    office: Browser, client: Browser, manager: SignedInUser
) -> None:
    name = f"Reduced {tag()}"
    added = await submit(office, "/admin/tax-classes", "/admin/tax-classes", name=name, rate="5")
    assert added.status_code == 303
    listed = await office.get("/admin/tax-classes")
    found = re.search(rf'href="/admin/tax-classes/([0-9a-f-]{{36}})">{name}<', listed.text)
    assert found and "5 %" in listed.text
    page = f"/admin/tax-classes/{found.group(1)}"

    assert (await submit(office, page, page, name=name, rate="7.5")).status_code == 303
    rates = (await client.get("/api/tax-classes")).json()["items"]
    assert {"id": found.group(1), "name": name, "rate": "7.5"} in rates

    bad = await submit(office, page, page, name="", rate="120")
    assert bad.status_code == 422
    assert 'id="name-error"' in bad.text and 'id="rate-error"' in bad.text
    taken = await submit(office, "/admin/tax-classes", "/admin/tax-classes", name=name, rate="1")
    assert taken.status_code == 409 and 'class="error"' in taken.text

    aisle = await client.post(
        "/api/categories",
        json={"name": f"Books {tag()}", "tax_class_id": found.group(1)},
        headers=manager.headers,
    )
    assert aisle.status_code == 201
    in_use = await submit(office, "/admin/tax-classes", f"{page}/remove")
    assert in_use.status_code == 409 and 'role="alert"' in in_use.text
    assert "still taxed by this class" in in_use.text


async def test_a_week_of_slots_is_planned_in_one_batch_and_shown_by_day(
    office: Browser, client: Browser, places: Places
) -> None:
    point = await places.point(f"Counter {tag()}")
    monday = _next_monday()
    batch = {
        "place": f"pickup:{point.id}",
        "from": monday.isoformat(),
        "to": (monday + timedelta(days=6)).isoformat(),
        "windows[0].start": "",  # an empty line is skipped
        "windows[1].start": "09:00",
        "windows[1].end": "11:00",
        "windows[2].start": "17:00",
        "windows[2].end": "19:00",
        "capacity": "4",
        "cutoff_minutes": "60",
    }
    made = await _post_batch(office, batch, weekdays=["1", "3", "5"])
    assert made.status_code == 303
    week = await office.get(made.headers["location"])
    assert "Added 6 slots." in week.text
    assert week.text.count(f'"place">{point.name}<') == 6 and week.text.count("4 left") == 6
    assert "09:00–11:00" in week.text and "17:00–19:00" in week.text

    again = await _post_batch(office, batch, weekdays=["1", "3", "5"])
    assert "Those slots were planned already." in (await office.get(again.headers["location"])).text
    listed = await client.get(f"/api/slots?pickup_point_id={point.id}&limit=100")
    assert len(listed.json()["items"]) == 6

    refusals = {
        "to": {"to": (monday - timedelta(days=1)).isoformat()},
        "windows[1].end": {"windows[1].end": "08:00"},
        "windows[2].start": {"windows[2].start": "25:00"},
        "place": {"place": "nowhere"},
        "capacity": {"capacity": "lots"},
    }
    for field, wrong in refusals.items():
        refused = await _post_batch(office, {**batch, **wrong}, weekdays=["1"])
        assert refused.status_code == 422, field
        assert f'id="{field}-error"' in refused.text, field
    no_days = await _post_batch(office, batch, weekdays=[])
    assert no_days.status_code == 422 and 'id="weekdays-error"' in no_days.text
    assert "checked" not in no_days.text.split("On these days")[1].split("</fieldset>")[0]


async def test_a_slot_is_added_resized_and_deleted_while_nobody_holds_it(
    office: Browser, client: Browser, places: Places, ann: SignedInUser, bob: SignedInUser
) -> None:
    zone = await places.zone()
    starts = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    fields = {
        "place": f"delivery:{zone.id}",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "cutoff_at": "",
        "capacity": "2",
    }
    added = await submit(office, "/admin/slots/new", "/admin/slots", **fields)
    assert added.status_code == 303
    slots = (await client.get(f"/api/slots?zone_id={zone.id}")).json()["items"]
    assert len(slots) == 1 and slots[0]["capacity"] == 2
    assert slots[0]["cutoff_at"] == slots[0]["starts_at"]
    page = f"/admin/slots/{slots[0]['id']}"

    backwards = await submit(
        office, "/admin/slots/new", "/admin/slots", **{**fields, "ends_at": fields["starts_at"]}
    )
    assert backwards.status_code == 422 and 'id="ends_at-error"' in backwards.text
    blank = await submit(office, "/admin/slots/new", "/admin/slots", **{**fields, "starts_at": ""})
    assert blank.status_code == 422 and 'id="starts_at-error"' in blank.text

    slot = await places.slot(zone, capacity=3)  # two customers hold a place each
    for customer in (ann, bob):
        address = await places.address(customer, zone)
        assert (await hold(client, customer, slot, address)).status_code == 200
    held = f"/admin/slots/{slot.id}"
    shown = await office.get(held)
    assert 'id="held">2<' in shown.text and 'id="remaining">1<' in shown.text
    none = await submit(office, held, held, capacity="0", cutoff_at="")
    assert none.status_code == 422 and 'id="capacity-error"' in none.text
    below = await submit(office, held, held, capacity="1", cutoff_at="")
    assert below.status_code == 409
    assert '<p class="error" id="capacity-error">must be at least 2</p>' in below.text
    assert 'value="1"' in below.text
    still = await submit(office, held, f"{held}/remove")
    assert still.status_code == 409 and "This slot has bookings or holds." in still.text

    resized = await submit(office, page, page, capacity="7", cutoff_at="")
    assert resized.status_code == 303
    assert (await client.get(f"/api/slots/{slots[0]['id']}")).json()["capacity"] == 7
    removed = await submit(office, page, f"{page}/remove")
    assert removed.status_code == 303
    assert (await client.get(f"/api/slots/{slots[0]['id']}")).status_code == 404


async def test_the_week_view_pages_with_the_api_s_cursor_and_refuses_bad_links(
    office: Browser, client: Browser, places: Places, manager: SignedInUser
) -> None:
    point, monday = await places.point(f"Busy counter {tag()}"), _next_monday()
    batch = {
        "method": "pickup",
        "pickup_point_id": str(point.id),
        "from": monday.isoformat(),
        "to": (monday + timedelta(days=6)).isoformat(),
        "weekdays": list(range(1, 8)),
        "windows": [{"start": f"{hour:02}:00", "end": f"{hour:02}:30"} for hour in range(6, 21)],
        "capacity": 2,
    }
    made = await client.post("/api/slots/batch", json=batch, headers=manager.headers)
    assert made.json() == {"created": 105}
    first = await office.get(f"/admin/slots?week={monday}&place=pickup:{point.id}")
    assert first.text.count('class="slot"') == 100
    more = re.search(r'href="(/admin/slots\?[^"]+)">More slots this week<', first.text)
    assert more
    rest = await office.get(more.group(1).replace("&amp;", "&"))
    assert rest.text.count('class="slot"') == 5 and "More slots this week" not in rest.text
    assert "20:00–20:30" in rest.text

    for link in ["/admin/slots?week=someday", "/admin/slots?place=mars", "/admin/slots?cursor=x"]:
        answer = await office.get(link)
        assert answer.status_code in (400, 422) and "Something went wrong" not in answer.text, link
    next_week = await office.get(f"/admin/slots?week={_next_monday().isoformat()}")
    assert f"Week of {_next_monday().isoformat()}" in next_week.text


async def _post_batch(office: Browser, fields: dict[str, str], *, weekdays: list[str]) -> Any:
    """The batch form as a browser sends it: each ticked weekday a field of its own."""
    shown = await office.get("/admin/slots/batch")
    data: dict[str, Any] = {"_csrf_token": csrf_of(shown.text), **fields, "weekdays": weekdays}
    return await office.post("/admin/slots/batch", data=data, follow_redirects=False)


def _next_monday() -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday())


async def test_a_category_and_a_product_are_given_a_tax_class_in_their_forms(
    office: Browser, client: Browser, manager: SignedInUser
) -> None:
    made = await client.post(
        "/api/tax-classes", json={"name": f"Food {tag()}", "rate": "5"}, headers=manager.headers
    )
    tax_class_id = made.json()["id"]
    name = f"Bakery {tag()}"
    added = await submit(
        office, "/admin/categories", "/admin/categories", name=name, tax_class_id=tax_class_id
    )
    assert added.status_code == 303
    listed = await office.get("/admin/categories")
    found = re.search(rf'href="/admin/categories/([0-9a-f-]{{36}})">{name}<', listed.text)
    assert found and f"{made.json()['name']} (5 %)" in listed.text
    aisle = (await client.get(f"/api/categories/{found.group(1)}")).json()
    assert aisle["tax_class_id"] == tax_class_id
    page = f"/admin/categories/{found.group(1)}"
    assert (await submit(office, page, page, name=name, tax_class_id="")).status_code == 303
    assert (await client.get(f"/api/categories/{found.group(1)}")).json()["tax_class_id"] is None

    loaf = await add_product(office, manager.headers, aisle, f"Loaf {tag()}")
    product = f"/admin/products/{loaf['id']}"
    fields = {"name": loaf["name"], "category_id": aisle["id"], "price": "1.00"}
    taxed = await submit(office, product, product, **fields, tax_class_id=tax_class_id)
    assert taxed.status_code == 303
    assert (await client.get(f"/api/products/{loaf['id']}")).json()["tax_class_id"] == tax_class_id
    shown = await office.get(product)
    assert f'<option value="{tax_class_id}" selected>' in shown.text

    for wrong in ("not-a-class", str(uuid4())):
        refused = await submit(office, product, product, **fields, tax_class_id=wrong)
        assert refused.status_code == 422 and 'id="tax_class_id-error"' in refused.text, wrong
        category = await submit(office, page, page, name=name, tax_class_id=wrong)
        assert category.status_code == 422 and 'id="tax_class_id-error"' in category.text, wrong


async def test_the_week_shows_today_s_slots_that_already_started(
    office: Browser, places: Places
) -> None:
    """Customers are no longer offered them; staff still see today's whole day."""
    point = await places.point(f"Early counter {tag()}")
    now = datetime.now(UTC)
    started = await places.slot(point, starts_at=datetime.combine(now.date(), time(0), UTC))
    coming = await places.slot(point, starts_at=now + timedelta(minutes=5))

    today = await office.get(f"/admin/slots?place=pickup:{point.id}")
    soon = await office.get(
        f"/admin/slots?place=pickup:{point.id}&week={coming.starts_at:%Y-%m-%d}"
    )

    cell = re.search(
        rf'class="slot([^"]*)" href="/admin/slots/{started.id}">(.*?)</a>', today.text, re.S
    )
    assert cell and cell.group(1) == " started" and "Started" in cell.group(2)
    assert f'class="slot" href="/admin/slots/{coming.id}"' in soon.text
