"""A customer's addresses over HTTP on PostgreSQL: their own only, the default, the checks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.catalog_shop import Client, assert_problem
from tests.integration.conftest import SignedInUser
from tests.integration.places_shop import add_address

SOME_ID = "0190a000-0000-7000-8000-000000000000"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/addresses"),
        ("POST", "/api/addresses"),
        ("GET", f"/api/addresses/{SOME_ID}"),
        ("PATCH", f"/api/addresses/{SOME_ID}"),
        ("DELETE", f"/api/addresses/{SOME_ID}"),
    ],
)
async def test_addresses_need_a_signed_in_caller(client: Client, method: str, path: str) -> None:
    assert_problem(await client.request(method, path, json={}), 401, "not_authenticated")


async def test_the_first_address_is_the_default_and_comes_back_tidied(
    client: Client, ann: SignedInUser
) -> None:
    home = await add_address(
        client, ann, label="Home", country="gb", line2="  ", phone="+44 20 7946 0000"
    )
    work = await add_address(client, ann, label="Work", is_default=False)

    assert home["is_default"] is True
    assert (home["country"], home["line2"], home["phone"]) == ("GB", None, "+44 20 7946 0000")
    assert set(home) >= {
        "id",
        "label",
        "recipient",
        "line1",
        "line2",
        "city",
        "postal_code",
        "country",
        "phone",
        "instructions",
        "is_default",
    }
    assert work["is_default"] is False
    listed = await client.get("/api/addresses", headers=ann.headers)
    assert listed.status_code == 200
    assert listed.json() == {"items": [home, work], "next_cursor": None}


async def test_the_default_moves_and_passes_to_the_oldest_when_deleted(
    client: Client, ann: SignedInUser
) -> None:
    home, flat, office = [await add_address(client, ann, label=n) for n in ("a", "b", "c")]

    moved = await client.patch(
        f"/api/addresses/{office['id']}", json={"is_default": True}, headers=ann.headers
    )
    assert moved.status_code == 200 and moved.json()["is_default"] is True
    gone = await client.delete(f"/api/addresses/{office['id']}", headers=ann.headers)
    assert gone.status_code == 204

    listed = (await client.get("/api/addresses", headers=ann.headers)).json()["items"]
    assert [(a["id"], a["is_default"]) for a in listed] == [(home["id"], True), (flat["id"], False)]


async def test_an_address_can_be_edited_and_cleared_field_by_field(
    client: Client, ann: SignedInUser
) -> None:
    home = await add_address(client, ann, label="Home", instructions="Side door")

    response = await client.patch(
        f"/api/addresses/{home['id']}",
        json={"city": "Leeds", "postal_code": "LS1 1AA", "instructions": None},
        headers=ann.headers,
    )

    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["city"], changed["postal_code"], changed["instructions"]) == (
        "Leeds",
        "LS1 1AA",
        None,
    )
    assert changed["label"] == "Home"
    shown = await client.get(f"/api/addresses/{home['id']}", headers=ann.headers)
    assert shown.json() == changed


async def test_another_customers_address_is_not_found(
    client: Client, ann: SignedInUser, bob: SignedInUser
) -> None:
    home = await add_address(client, ann)
    path = f"/api/addresses/{home['id']}"

    assert_problem(await client.get(path, headers=bob.headers), 404, "not_found")
    assert_problem(
        await client.patch(path, json={"city": "X"}, headers=bob.headers), 404, "not_found"
    )
    assert_problem(await client.delete(path, headers=bob.headers), 404, "not_found")
    assert (await client.get("/api/addresses", headers=bob.headers)).json()["items"] == []
    assert (await client.get(path, headers=ann.headers)).json() == home


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "GBR"}, "country"),
        ({"recipient": " "}, "recipient"),
        ({"postal_code": "!!"}, "postal_code"),
        ({"phone": "call me"}, "phone"),
        ({"line1": "x" * 201}, "line1"),
    ],
)
async def test_a_bad_address_is_refused_and_nothing_is_kept(
    client: Client, ann: SignedInUser, fields: dict[str, Any], wrong: str
) -> None:
    body = {
        "recipient": "Ada",
        "line1": "1 A St",
        "city": "London",
        "postal_code": "E1 6AN",
        "country": "GB",
        **fields,
    }

    refused = assert_problem(
        await client.post("/api/addresses", json=body, headers=ann.headers), 422, "validation_error"
    )

    assert wrong in [error["field"] for error in refused["errors"]]
    assert (await client.get("/api/addresses", headers=ann.headers)).json()["items"] == []


async def test_a_missing_field_and_an_unset_default_are_refused(
    client: Client, ann: SignedInUser
) -> None:
    assert_problem(
        await client.post("/api/addresses", json={"recipient": "Ada"}, headers=ann.headers),
        422,
        "validation_error",
    )
    home = await add_address(client, ann)
    refused = assert_problem(
        await client.patch(
            f"/api/addresses/{home['id']}", json={"is_default": False}, headers=ann.headers
        ),
        422,
        "validation_error",
    )
    assert refused["errors"][0]["field"] == "is_default"
    assert (await client.get(f"/api/addresses/{home['id']}", headers=ann.headers)).json() == home
