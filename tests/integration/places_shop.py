"""Helpers for the delivery and pickup HTTP tests: each test makes its own zones (with
prefixes of its own) and pickup points, so other tests' slots never show in its lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.catalog_shop import Client, Json, tag
from tests.integration.conftest import SignedInUser


def prefix() -> str:
    """A postal-code prefix no other test uses."""
    return f"Z{tag().upper()}"


async def add_zone(client: Client, manager: SignedInUser, **fields: Any) -> Json:
    body = {"name": f"Zone {tag()}", "postal_code_prefixes": [prefix()], "fee": "4.99", **fields}
    response = await client.post("/api/delivery-zones", json=body, headers=manager.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def add_point(client: Client, manager: SignedInUser, **fields: Any) -> Json:
    body = {
        "name": f"Counter {tag()}",
        "address": {
            "line1": "1 High St",
            "city": "Leeds",
            "postal_code": "LS1 1AA",
            "country": "GB",
        },
        **fields,
    }
    response = await client.post("/api/pickup-points", json=body, headers=manager.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def hours_from_now(hours: float) -> str:
    moment = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return (moment + timedelta(hours=hours)).isoformat()


def slot_body(place: Json, starts_in_hours: float = 48, **fields: Any) -> Json:
    """A two-hour slot at the zone (a zone has prefixes) or the pickup point."""
    delivery = "postal_code_prefixes" in place
    return {
        "method": "delivery" if delivery else "pickup",
        "zone_id" if delivery else "pickup_point_id": place["id"],
        "starts_at": hours_from_now(starts_in_hours),
        "ends_at": hours_from_now(starts_in_hours + 2),
        "capacity": 5,
        **fields,
    }


async def add_slot(client: Client, manager: SignedInUser, place: Json, **fields: Any) -> Json:
    response = await client.post(
        "/api/slots", json=slot_body(place, **fields), headers=manager.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def add_address(client: Client, customer: SignedInUser, **fields: Any) -> Json:
    body = {
        "recipient": "Ada Lovelace",
        "line1": "12 St James's Square",
        "city": "London",
        "postal_code": "SW1Y 4JH",
        "country": "GB",
        **fields,
    }
    response = await client.post("/api/addresses", json=body, headers=customer.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())
