"""Delivery zones and pickup points over HTTP on PostgreSQL: public reads, the manager's
CRUD, prefixes unique across zones, and places with slots kept."""

from __future__ import annotations

import pytest

from tests.integration.catalog_shop import Client, assert_problem
from tests.integration.conftest import MakeUser, SignedInUser
from tests.integration.places_shop import add_point, add_slot, add_zone, prefix

SOME_ID = "0190a000-0000-7000-8000-000000000000"
MANAGED = [
    ("POST", "/api/delivery-zones"),
    ("PATCH", f"/api/delivery-zones/{SOME_ID}"),
    ("DELETE", f"/api/delivery-zones/{SOME_ID}"),
    ("POST", "/api/pickup-points"),
    ("PATCH", f"/api/pickup-points/{SOME_ID}"),
    ("DELETE", f"/api/pickup-points/{SOME_ID}"),
]


@pytest.mark.parametrize(("method", "path"), MANAGED)
async def test_only_managers_keep_zones_and_points(
    client: Client, make_user: MakeUser, method: str, path: str
) -> None:
    customer = await make_user()
    assert_problem(await client.request(method, path, json={}), 401, "not_authenticated")
    assert_problem(
        await client.request(method, path, json={}, headers=customer.headers), 403, "forbidden"
    )


async def test_anyone_reads_the_zones(client: Client, manager: SignedInUser) -> None:
    zone = await add_zone(
        client,
        manager,
        postal_code_prefixes=[f"{prefix()} 1", prefix().lower()],
        free_delivery_over="50",
        min_order_amount="15.00",
    )

    assert zone["fee"] == "4.99"
    assert (zone["free_delivery_over"], zone["min_order_amount"]) == ("50.00", "15.00")
    assert all(p == p.upper() and " " not in p for p in zone["postal_code_prefixes"])
    assert (await client.get(f"/api/delivery-zones/{zone['id']}")).json() == zone
    listed = await client.get("/api/delivery-zones")
    assert listed.status_code == 200
    assert zone in listed.json()["items"]


async def test_a_prefix_belongs_to_one_zone(client: Client, manager: SignedInUser) -> None:
    taken = prefix()
    first = await add_zone(client, manager, postal_code_prefixes=[taken])
    other = await add_zone(client, manager)
    body = {"name": "Again", "postal_code_prefixes": [taken.lower()], "fee": "1.00"}

    refused = assert_problem(
        await client.post("/api/delivery-zones", json=body, headers=manager.headers),
        409,
        "already_exists",
    )
    assert refused["errors"][0]["field"] == "postal_code_prefixes"
    assert_problem(
        await client.patch(
            f"/api/delivery-zones/{other['id']}",
            json={"postal_code_prefixes": [taken]},
            headers=manager.headers,
        ),
        409,
        "already_exists",
    )
    assert (await client.get(f"/api/delivery-zones/{other['id']}")).json() == other
    assert (await client.get(f"/api/delivery-zones/{first['id']}")).json() == first


async def test_a_zone_is_edited_and_an_amount_cleared(
    client: Client, manager: SignedInUser
) -> None:
    zone = await add_zone(client, manager, free_delivery_over="40.00")
    new_prefix = prefix()

    response = await client.patch(
        f"/api/delivery-zones/{zone['id']}",
        json={"fee": "2.50", "free_delivery_over": None, "postal_code_prefixes": [new_prefix]},
        headers=manager.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        **zone,
        "fee": "2.50",
        "free_delivery_over": None,
        "postal_code_prefixes": [new_prefix],
    }


@pytest.mark.parametrize(
    ("body", "wrong"),
    [
        ({"postal_code_prefixes": []}, "postal_code_prefixes"),
        ({"postal_code_prefixes": ["A!"]}, "postal_code_prefixes"),
        ({"postal_code_prefixes": ["AB", "ab"]}, "postal_code_prefixes"),
        ({"fee": "-1"}, "fee"),
        ({"fee": "1.234"}, "fee"),
        ({"name": ""}, "name"),
        ({"min_order_amount": "abc"}, "min_order_amount"),
    ],
)
async def test_a_bad_zone_is_refused(
    client: Client, manager: SignedInUser, body: dict[str, object], wrong: str
) -> None:
    full = {"name": "Zone", "postal_code_prefixes": [prefix()], "fee": "1.00", **body}

    refused = assert_problem(
        await client.post("/api/delivery-zones", json=full, headers=manager.headers),
        422,
        "validation_error",
    )

    assert wrong in [error.get("field") for error in refused["errors"]], refused


async def test_unknown_zones_and_points_are_not_found(
    client: Client, manager: SignedInUser
) -> None:
    for kind in ("delivery-zones", "pickup-points"):
        path = f"/api/{kind}/{SOME_ID}"
        assert_problem(await client.get(path), 404, "not_found")
        assert_problem(
            await client.patch(path, json={"name": "X"}, headers=manager.headers), 404, "not_found"
        )
        assert_problem(await client.delete(path, headers=manager.headers), 404, "not_found")


async def test_a_zone_with_slots_is_kept(client: Client, manager: SignedInUser) -> None:
    used, unused = await add_zone(client, manager), await add_zone(client, manager)
    await add_slot(client, manager, used)

    assert_problem(
        await client.delete(f"/api/delivery-zones/{used['id']}", headers=manager.headers),
        409,
        "zone_in_use",
    )
    gone = await client.delete(f"/api/delivery-zones/{unused['id']}", headers=manager.headers)
    assert gone.status_code == 204
    assert (await client.get(f"/api/delivery-zones/{used['id']}")).status_code == 200
    assert_problem(await client.get(f"/api/delivery-zones/{unused['id']}"), 404, "not_found")


async def test_pickup_points_are_kept_and_closed(client: Client, manager: SignedInUser) -> None:
    point = await add_point(client, manager, instructions="Ring the bell")
    assert point["is_active"] is True
    assert point["address"] == {
        "line1": "1 High St",
        "city": "Leeds",
        "postal_code": "LS1 1AA",
        "country": "GB",
    }
    assert point in (await client.get("/api/pickup-points")).json()["items"]

    closed = await client.patch(
        f"/api/pickup-points/{point['id']}",
        json={"is_active": False, "instructions": None},
        headers=manager.headers,
    )

    assert closed.status_code == 200, closed.text
    assert closed.json() == {**point, "is_active": False, "instructions": None}
    open_ids = [p["id"] for p in (await client.get("/api/pickup-points")).json()["items"]]
    every = (await client.get("/api/pickup-points?include_inactive=true")).json()["items"]
    assert point["id"] not in open_ids
    assert point["id"] in [p["id"] for p in every]


async def test_a_pickup_point_with_slots_is_kept(client: Client, manager: SignedInUser) -> None:
    used, unused = await add_point(client, manager), await add_point(client, manager)
    await add_slot(client, manager, used)

    assert_problem(
        await client.delete(f"/api/pickup-points/{used['id']}", headers=manager.headers),
        409,
        "pickup_point_in_use",
    )
    gone = await client.delete(f"/api/pickup-points/{unused['id']}", headers=manager.headers)
    assert gone.status_code == 204


async def test_a_bad_pickup_point_is_refused(client: Client, manager: SignedInUser) -> None:
    body = {
        "name": "Counter",
        "address": {"line1": "", "city": "Leeds", "postal_code": "LS1", "country": "ZZ"},
    }

    refused = assert_problem(
        await client.post("/api/pickup-points", json=body, headers=manager.headers),
        422,
        "validation_error",
    )

    assert {e["field"] for e in refused["errors"]} == {"address.line1", "address.country"}
