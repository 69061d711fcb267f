"""Slots over HTTP on PostgreSQL: planning one at a time and in batches, the listing and its
filters, and the places taken guarding changes and deletions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from grocery.config import Settings
from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Client, Json, assert_problem
from tests.integration.conftest import MakeUser, SignedInUser, app_in_this_loop, make_settings
from tests.integration.places_shop import (
    add_address,
    add_point,
    add_slot,
    add_zone,
    hours_from_now,
    prefix,
    slot_body,
)

SOME_ID = "0190a000-0000-7000-8000-000000000000"


async def take_places(
    adapters: Adapters, slot: Json, *, booked: int = 0, holders: tuple[SignedInUser, ...] = ()
) -> None:
    """What orders and carts will do: book places, and hold one per holder for an hour."""
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE slots SET booked = :booked WHERE id = :id"),
            {"booked": booked, "id": slot["id"]},
        )
        for holder in holders:
            await connection.execute(
                text(
                    "INSERT INTO slot_holds (user_id, slot_id, held_until)"
                    " VALUES (:user, :slot, now() + interval '1 hour')"
                ),
                {"user": holder.id, "slot": slot["id"]},
            )


async def listed(client: Client, query: str, **kwargs: Any) -> list[Json]:
    response = await client.get(f"/api/slots?{query}", **kwargs)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


# --- who may ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/slots"),
        ("POST", "/api/slots/batch"),
        ("PATCH", f"/api/slots/{SOME_ID}"),
        ("DELETE", f"/api/slots/{SOME_ID}"),
    ],
)
async def test_only_managers_plan_slots(
    client: Client, make_user: MakeUser, method: str, path: str
) -> None:
    customer = await make_user()
    assert_problem(await client.request(method, path, json={}), 401, "not_authenticated")
    assert_problem(
        await client.request(method, path, json={}, headers=customer.headers), 403, "forbidden"
    )


# --- one slot -----------------------------------------------------------------


async def test_a_slot_is_planned_with_its_cutoff_defaulting_to_its_start(
    client: Client, manager: SignedInUser
) -> None:
    zone = await add_zone(client, manager, fee="3.25")
    slot = await add_slot(client, manager, zone, capacity=8)

    assert slot["method"] == "delivery"
    assert (slot["zone_id"], slot["pickup_point_id"]) == (zone["id"], None)
    assert slot["cutoff_at"] == slot["starts_at"]
    assert slot["starts_at"].endswith("Z")
    assert (slot["capacity"], slot["booked"], slot["held"], slot["remaining"]) == (8, 0, 0, 8)
    assert (slot["available"], slot["fee"]) == (True, "3.25")
    assert (await client.get(f"/api/slots/{slot['id']}")).json() == slot


async def test_a_pickup_slot_costs_nothing(client: Client, manager: SignedInUser) -> None:
    point = await add_point(client, manager)
    slot = await add_slot(client, manager, point, cutoff_at=hours_from_now(47))

    assert (slot["method"], slot["pickup_point_id"], slot["zone_id"]) == (
        "pickup",
        point["id"],
        None,
    )
    assert slot["fee"] == "0.00"
    assert slot["cutoff_at"] < slot["starts_at"]


@dataclass(frozen=True)
class In:
    """A time so many hours after the hour the test runs, not the hour it was collected in
    (a run crossing the hour would move one against the other)."""

    hours: float


@pytest.mark.parametrize(
    ("change", "wrong"),
    [
        ({"ends_at": In(47)}, "ends_at"),
        ({"ends_at": In(48)}, "ends_at"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"cutoff_at": In(49)}, "cutoff_at"),
        ({"starts_at": In(-3), "ends_at": In(-1)}, "starts_at"),
        (
            {"starts_at": In(24 * 400), "ends_at": In(24 * 400 + 1)},
            "starts_at",
        ),
        ({"zone_id": SOME_ID}, "zone_id"),
        ({"pickup_point_id": SOME_ID}, "pickup_point_id"),
        ({"method": "pickup"}, "pickup_point_id"),
    ],
)
async def test_a_bad_slot_is_refused_and_not_made(
    client: Client, manager: SignedInUser, change: Json, wrong: str
) -> None:
    zone = await add_zone(client, manager)
    times = {
        key: hours_from_now(value.hours) for key, value in change.items() if isinstance(value, In)
    }
    body = {**slot_body(zone), **change, **times}

    response = await client.post("/api/slots", json=body, headers=manager.headers)

    refused = assert_problem(response, 422, "validation_error")
    assert wrong in [error.get("field") for error in refused.get("errors", [])], refused
    assert await listed(client, f"zone_id={zone['id']}") == []


async def test_times_without_a_zone_and_unknown_methods_are_refused(
    client: Client, manager: SignedInUser
) -> None:
    zone = await add_zone(client, manager)
    naive = {**slot_body(zone), "starts_at": "2031-01-01T09:00:00"}
    odd = {**slot_body(zone), "method": "drone"}

    for body in (naive, odd):
        response = await client.post("/api/slots", json=body, headers=manager.headers)
        assert_problem(response, 422, "validation_error")


async def test_the_same_slot_is_not_planned_twice(client: Client, manager: SignedInUser) -> None:
    zone = await add_zone(client, manager)
    body = slot_body(zone)
    assert (await client.post("/api/slots", json=body, headers=manager.headers)).status_code == 201

    again = await client.post("/api/slots", json=body, headers=manager.headers)

    assert_problem(again, 409, "already_exists")
    assert len(await listed(client, f"zone_id={zone['id']}")) == 1


# --- batches ------------------------------------------------------------------


def batch_body(place: Json, **fields: Any) -> Json:
    delivery = "postal_code_prefixes" in place
    first = date.today() + timedelta(days=1)
    return {
        "method": "delivery" if delivery else "pickup",
        "zone_id" if delivery else "pickup_point_id": place["id"],
        "from": first.isoformat(),
        "to": (first + timedelta(days=6)).isoformat(),
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "windows": [{"start": "09:00", "end": "11:00"}, {"start": "17:00", "end": "19:00"}],
        "capacity": 6,
        "cutoff_minutes": 120,
        **fields,
    }


async def test_a_batch_is_made_once(client: Client, manager: SignedInUser) -> None:
    zone = await add_zone(client, manager)
    body = batch_body(zone)

    first = await client.post("/api/slots/batch", json=body, headers=manager.headers)
    again = await client.post("/api/slots/batch", json=body, headers=manager.headers)

    assert (first.status_code, first.json()) == (201, {"created": 14})
    assert (again.status_code, again.json()) == (201, {"created": 0})
    slots = await listed(client, f"zone_id={zone['id']}&limit=100")
    assert len(slots) == 14
    nine = slots[0]
    assert nine["starts_at"].endswith("T09:00:00Z")  # the test shop's time zone is UTC
    starts = datetime.fromisoformat(nine["starts_at"])
    assert datetime.fromisoformat(nine["cutoff_at"]) == starts - timedelta(hours=2)
    assert {slot["capacity"] for slot in slots} == {6}


async def test_a_batch_on_some_weekdays_at_a_pickup_point(
    client: Client, manager: SignedInUser
) -> None:
    point = await add_point(client, manager)
    body = batch_body(point, weekdays=[6, 7], windows=[{"start": "10:00", "end": "12:00"}])

    made = await client.post("/api/slots/batch", json=body, headers=manager.headers)

    assert made.json() == {"created": 2}
    slots = await listed(client, f"pickup_point_id={point['id']}")
    assert {datetime.fromisoformat(s["starts_at"]).isoweekday() for s in slots} == {6, 7}


@pytest.mark.parametrize(
    ("change", "wrong"),
    [
        ({"windows": [{"start": "22:00", "end": "01:00"}]}, "windows[0].end"),
        ({"windows": [{"start": "11:00", "end": "10:00"}]}, "windows[0].end"),
        (
            {"windows": [{"start": "09:00", "end": "11:00"}, {"start": "10:00", "end": "12:00"}]},
            "windows",
        ),
        ({"windows": [{"start": "9am", "end": "11:00"}]}, "windows[0].start"),
        ({"windows": []}, "windows"),
        ({"weekdays": [0, 8]}, "weekdays"),
        ({"from": "2020-01-01", "to": "2020-01-07"}, "from"),
        ({"to": (date.today() + timedelta(days=800)).isoformat()}, "to"),
        ({"to": date.today().isoformat()}, "to"),
        ({"capacity": 0}, "capacity"),
        ({"cutoff_minutes": -5}, "cutoff_minutes"),
        ({"zone_id": SOME_ID}, "zone_id"),
    ],
)
async def test_a_bad_batch_is_refused_and_makes_nothing(
    client: Client, manager: SignedInUser, change: Json, wrong: str
) -> None:
    zone = await add_zone(client, manager)

    response = await client.post(
        "/api/slots/batch", json=batch_body(zone, **change), headers=manager.headers
    )

    refused = assert_problem(response, 422, "validation_error")
    assert wrong in [error.get("field") for error in refused.get("errors", [])], refused
    assert await listed(client, f"zone_id={zone['id']}") == []


async def test_a_batch_date_that_is_no_date_is_refused(
    client: Client, manager: SignedInUser
) -> None:
    zone = await add_zone(client, manager)
    body = batch_body(zone, to="2031-02-30")

    assert_problem(
        await client.post("/api/slots/batch", json=body, headers=manager.headers),
        422,
        "validation_error",
    )


# --- the listing --------------------------------------------------------------


async def test_slots_come_soonest_first_and_page_by_cursor(
    client: Client, manager: SignedInUser
) -> None:
    zone = await add_zone(client, manager)
    made = [await add_slot(client, manager, zone, starts_in_hours=h) for h in (30, 10, 20)]

    first = await client.get(f"/api/slots?zone_id={zone['id']}&limit=2")
    page = first.json()
    rest = (
        await client.get(f"/api/slots?zone_id={zone['id']}&cursor={page['next_cursor']}")
    ).json()

    ids = [s["id"] for s in page["items"]] + [s["id"] for s in rest["items"]]
    assert ids == [made[1]["id"], made[2]["id"], made[0]["id"]]
    assert rest["next_cursor"] is None
    assert_problem(await client.get("/api/slots?cursor=nonsense"), 422, "validation_error")


async def test_a_postal_code_finds_its_zone_by_the_longest_prefix(
    client: Client, manager: SignedInUser
) -> None:
    broad = prefix()
    wide = await add_zone(client, manager, postal_code_prefixes=[broad])
    narrow = await add_zone(client, manager, postal_code_prefixes=[f"{broad}9"])
    wide_slot = await add_slot(client, manager, wide)
    narrow_slot = await add_slot(client, manager, narrow)

    inside = await listed(client, f"postal_code={broad.lower()}%209X")
    outside = await listed(client, f"postal_code={broad}1")

    assert [s["id"] for s in inside] == [narrow_slot["id"]]
    assert [s["id"] for s in outside] == [wide_slot["id"]]
    assert_problem(await client.get("/api/slots?postal_code=QQ0%200QQ"), 422, "not_delivered_here")


async def test_an_address_of_the_caller_names_the_zone(
    client: Client, manager: SignedInUser, ann: SignedInUser, bob: SignedInUser
) -> None:
    zone = await add_zone(client, manager)
    slot = await add_slot(client, manager, zone)
    home = await add_address(client, ann, postal_code=f"{zone['postal_code_prefixes'][0]} 1AB")
    query = f"address_id={home['id']}"

    assert [s["id"] for s in await listed(client, query, headers=ann.headers)] == [slot["id"]]
    assert_problem(await client.get(f"/api/slots?{query}"), 401, "not_authenticated")
    assert_problem(await client.get(f"/api/slots?{query}", headers=bob.headers), 404, "not_found")
    nowhere = await add_address(client, ann, postal_code="QQ1 1QQ")
    assert_problem(
        await client.get(f"/api/slots?address_id={nowhere['id']}", headers=ann.headers),
        422,
        "not_delivered_here",
    )


async def test_filters_by_method_place_and_days(client: Client, manager: SignedInUser) -> None:
    zone, point = await add_zone(client, manager), await add_point(client, manager)
    soon = await add_slot(client, manager, zone, starts_in_hours=24 * 3)
    late = await add_slot(client, manager, zone, starts_in_hours=24 * 9)
    counter = await add_slot(client, manager, point)
    day = (datetime.fromisoformat(soon["starts_at"])).date()

    in_days = await listed(client, f"zone_id={zone['id']}&from={day}&to={day}")
    pickups = await listed(client, f"method=pickup&pickup_point_id={point['id']}")

    assert [s["id"] for s in in_days] == [soon["id"]]
    assert [s["id"] for s in pickups] == [counter["id"]]
    later = await listed(client, f"zone_id={zone['id']}&from={day + timedelta(days=1)}")
    assert [s["id"] for s in later] == [late["id"]]


@pytest.mark.parametrize(
    "query",
    [
        "method=boat",
        "from=tomorrow",
        "from=2031-01-10&to=2031-01-01",
        f"zone_id={SOME_ID}&pickup_point_id={SOME_ID}",
        f"zone_id={SOME_ID}&postal_code=AB1",
        f"method=pickup&zone_id={SOME_ID}",
        f"method=delivery&pickup_point_id={SOME_ID}",
        "limit=101",
    ],
)
async def test_contradicting_or_bad_filters_are_refused(client: Client, query: str) -> None:
    assert_problem(await client.get(f"/api/slots?{query}"), 422, "validation_error")


async def test_unknown_zones_points_and_slots_are_not_found(
    client: Client, manager: SignedInUser
) -> None:
    assert_problem(await client.get(f"/api/slots?zone_id={SOME_ID}"), 404, "not_found")
    assert_problem(await client.get(f"/api/slots?pickup_point_id={SOME_ID}"), 404, "not_found")
    path = f"/api/slots/{SOME_ID}"
    assert_problem(await client.get(path), 404, "not_found")
    assert_problem(
        await client.patch(path, json={"capacity": 3}, headers=manager.headers), 404, "not_found"
    )
    assert_problem(await client.delete(path, headers=manager.headers), 404, "not_found")


async def test_a_closed_pickup_points_slots_are_not_listed(
    client: Client, manager: SignedInUser
) -> None:
    point = await add_point(client, manager)
    await add_slot(client, manager, point)
    await client.patch(
        f"/api/pickup-points/{point['id']}", json={"is_active": False}, headers=manager.headers
    )

    assert await listed(client, f"pickup_point_id={point['id']}") == []


# --- places taken -------------------------------------------------------------


async def test_the_listing_counts_bookings_and_holds(
    client: Client, manager: SignedInUser, adapters: Adapters, ann: SignedInUser, bob: SignedInUser
) -> None:
    zone = await add_zone(client, manager)
    slot = await add_slot(client, manager, zone, capacity=3)
    await take_places(adapters, slot, booked=1, holders=(ann, bob))

    [shown] = await listed(client, f"zone_id={zone['id']}")

    assert (shown["booked"], shown["held"], shown["remaining"], shown["available"]) == (
        1,
        2,
        0,
        False,
    )


async def test_a_slot_past_its_cutoff_is_not_available(
    client: Client, manager: SignedInUser
) -> None:
    zone = await add_zone(client, manager)
    slot = await add_slot(client, manager, zone, starts_in_hours=3)
    await client.patch(
        f"/api/slots/{slot['id']}",
        json={"cutoff_at": hours_from_now(-1)},
        headers=manager.headers,
    )

    [shown] = await listed(client, f"zone_id={zone['id']}")

    assert (shown["remaining"], shown["available"]) == (5, False)


async def test_capacity_never_drops_below_the_places_taken(
    client: Client, manager: SignedInUser, adapters: Adapters, ann: SignedInUser
) -> None:
    zone = await add_zone(client, manager)
    slot = await add_slot(client, manager, zone, capacity=5)
    await take_places(adapters, slot, booked=2, holders=(ann,))
    path = f"/api/slots/{slot['id']}"

    refused = await client.patch(path, json={"capacity": 2}, headers=manager.headers)
    lowered = await client.patch(path, json={"capacity": 3}, headers=manager.headers)

    body = assert_problem(refused, 409, "capacity_below_booked")
    assert body["errors"] == [{"field": "capacity", "message": "must be at least 3"}]
    assert lowered.status_code == 200, lowered.text
    assert (lowered.json()["capacity"], lowered.json()["remaining"]) == (3, 0)
    assert_problem(
        await client.patch(path, json={"capacity": 0}, headers=manager.headers),
        422,
        "validation_error",
    )


async def test_a_slot_in_use_is_not_deleted(
    client: Client, manager: SignedInUser, adapters: Adapters, ann: SignedInUser
) -> None:
    zone = await add_zone(client, manager)
    booked, held, free = [
        await add_slot(client, manager, zone, starts_in_hours=h) for h in (5, 6, 7)
    ]
    await take_places(adapters, booked, booked=1)
    await take_places(adapters, held, holders=(ann,))

    for used in (booked, held):
        response = await client.delete(f"/api/slots/{used['id']}", headers=manager.headers)
        assert_problem(response, 409, "slot_in_use")
    gone = await client.delete(f"/api/slots/{free['id']}", headers=manager.headers)

    assert gone.status_code == 204
    left = [s["id"] for s in await listed(client, f"zone_id={zone['id']}")]
    assert left == [booked["id"], held["id"]]


def next_clock_change(timezone: str) -> date:
    """The first day from tomorrow on whose local midnight and noon differ in UTC offset."""
    zone = ZoneInfo(timezone)
    day = date.today() + timedelta(days=1)
    while True:
        midnight = datetime.combine(day, time(0), tzinfo=zone)
        noon = datetime.combine(day, time(12), tzinfo=zone)
        if midnight.utcoffset() != noon.utcoffset():
            return day
        day += timedelta(days=1)


async def test_a_batch_keeps_local_time_across_a_clock_change(
    settings: Settings, manager: SignedInUser
) -> None:
    change = next_clock_change("Europe/London")
    london_shop = make_settings(str(settings.database_url), timezone="Europe/London")
    async with app_in_this_loop(london_shop) as london:
        zone = (
            await london.post(
                "/api/delivery-zones",
                json={"name": "London", "postal_code_prefixes": [prefix()], "fee": "1.00"},
                headers=manager.headers,
            )
        ).json()
        body = {
            "method": "delivery",
            "zone_id": zone["id"],
            "from": (change - timedelta(days=1)).isoformat(),
            "to": (change + timedelta(days=1)).isoformat(),
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "windows": [{"start": "09:00", "end": "11:00"}],
            "capacity": 3,
            "cutoff_minutes": 0,
        }
        made = await london.post("/api/slots/batch", json=body, headers=manager.headers)
        listed = await london.get(f"/api/slots?zone_id={zone['id']}")

    assert made.json() == {"created": 3}
    local = [
        datetime.fromisoformat(s["starts_at"]).astimezone(ZoneInfo("Europe/London"))
        for s in listed.json()["items"]
    ]
    assert [moment.time() for moment in local] == [time(9)] * 3
    offsets = [datetime.fromisoformat(s["starts_at"]).hour for s in listed.json()["items"]]
    assert offsets[0] != offsets[2]  # the same local hour is another UTC hour after the change
