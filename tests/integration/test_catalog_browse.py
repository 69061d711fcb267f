"""The storefront over HTTP on PostgreSQL: every sort and filter in an exact order, keyset
pages, and the typo-tolerant search. Each test shops in its own uniquely named category."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from grocery.entrypoints.app import create_app
from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import (
    Client,
    Json,
    add_category,
    add_product,
    names,
    set_units_sold,
    tag,
)
from tests.integration.conftest import SignedInUser, make_settings
from tests.integration.proxy import CuttableProxy

# name, price, stock, units sold; added in this order, so ids and created_at rise down the list.
SHELF = [
    ("Apple", "3.00", 5, 5),
    ("banana", "1.50", 0, 9),
    ("Cherry", "2.25", 3, 5),
    ("Éclair", "1.50", 8, 0),
]


@pytest.fixture
async def shelf(client: Client, manager: SignedInUser, adapters: Adapters) -> Json:
    """A category stocked with SHELF; names carry the category's tag to stay unique."""
    category = await add_category(client, manager.headers)
    t = category["slug"].rpartition("-")[2]
    for name, price, stock, sold in SHELF:
        product = await add_product(
            client, manager.headers, category, f"{name} {t}", price=price, stock=stock
        )
        await set_units_sold(adapters.database, product, sold)
    return {**category, "tag": t}


def short(listed: list[str]) -> list[str]:
    return [name.rsplit(" ", 1)[0] for name in listed]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, ["banana", "Cherry", "Apple", "Éclair"]),  # popular: ties newest first
        ("popular", ["banana", "Cherry", "Apple", "Éclair"]),
        ("-popular", ["Éclair", "Apple", "Cherry", "banana"]),
        ("price", ["banana", "Éclair", "Cherry", "Apple"]),  # ties oldest first
        ("-price", ["Apple", "Cherry", "Éclair", "banana"]),
        ("newest", ["Éclair", "Cherry", "banana", "Apple"]),
        ("name", ["Apple", "banana", "Cherry", "Éclair"]),  # any case, accents aside
    ],
)
async def test_each_sort_gives_its_exact_order(
    client: Client, shelf: Json, sort: str | None, expected: list[str]
) -> None:
    params = {"category": shelf["slug"]} | ({"sort": sort} if sort else {})

    assert short(await names(client, **params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"in_stock": "true"}, ["Cherry", "Apple", "Éclair"]),
        ({"in_stock": "false"}, ["banana"]),
        (
            {"min_price": "1.50", "max_price": "2.25", "sort": "price"},
            ["banana", "Éclair", "Cherry"],
        ),
        ({"min_price": "2.26"}, ["Apple"]),
        ({"max_price": "1.49"}, []),
        ({"max_price": "2.25", "in_stock": "true", "sort": "name"}, ["Cherry", "Éclair"]),
    ],
)
async def test_each_filter_narrows_the_shelf(
    client: Client, shelf: Json, params: dict[str, str], expected: list[str]
) -> None:
    assert short(await names(client, category=shelf["slug"], **params)) == expected


@pytest.mark.parametrize("field", ["slug", "name", "id"])
async def test_category_filter_takes_slug_name_or_id_in_any_case(
    client: Client, shelf: Json, field: str
) -> None:
    ref = str(shelf[field]).upper() if field != "id" else shelf["id"]

    assert short(await names(client, category=ref)) == ["banana", "Cherry", "Apple", "Éclair"]


async def test_unknown_category_filter_finds_nothing(client: Client) -> None:
    response = await client.get("/api/products/", params={"category": f"nowhere-{tag()}"})

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


# --- keyset pages -------------------------------------------------------------

WALKS: list[dict[str, str]] = [
    *({"sort": sort} for sort in ("popular", "-popular", "price", "-price", "newest", "name")),
    {"q": "melon"},  # by relevance
]


@pytest.mark.parametrize("params", WALKS, ids=lambda params: "-".join(params.values()))
async def test_walking_pages_returns_every_product_once_while_products_are_added(
    client: Client, manager: SignedInUser, adapters: Adapters, params: dict[str, str]
) -> None:
    category = await add_category(client, manager.headers)
    for i in range(11):  # ties on purpose: the id decides within them
        product = await add_product(
            client, manager.headers, category, f"Melon {i:02} {tag()}", price=f"{1 + i % 3}.00"
        )
        await set_units_sold(adapters.database, product, i % 4)
    query: dict[str, Any] = {"category": category["slug"], **params}
    everything = await names(client, **query, limit=100)

    seen: list[str] = []
    cursor: str | None = None
    for page_number in range(20):
        page = await _page(client, query, cursor)
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # New stock lands mid-walk, before and after the walker's position.
        for extra in ("first", "last"):
            newcomer = await add_product(
                client,
                manager.headers,
                category,
                f"Melon {extra} {page_number} {tag()}",
                price="0.50" if extra == "first" else "9.00",
            )
            await set_units_sold(adapters.database, newcomer, 99 if extra == "first" else 0)

    assert len(seen) == len(set(seen)), "a product came twice"
    assert [name for name in seen if name in everything] == everything


async def _page(client: Client, query: dict[str, Any], cursor: str | None) -> Json:
    params = {**query, "limit": 4} | ({"cursor": cursor} if cursor else {})
    response = await client.get("/api/products", params=params)
    assert response.status_code == 200, response.text
    page: Json = response.json()
    assert len(page["items"]) <= 4
    return page


async def test_last_page_has_no_cursor(client: Client, shelf: Json) -> None:
    first = (
        await client.get("/api/products", params={"category": shelf["slug"], "limit": 3})
    ).json()
    rest = (
        await client.get(
            "/api/products",
            params={"category": shelf["slug"], "limit": 3, "cursor": first["next_cursor"]},
        )
    ).json()

    assert len(first["items"]) == 3 and first["next_cursor"]
    assert short([item["name"] for item in rest["items"]]) == ["Éclair"]
    assert rest["next_cursor"] is None


# --- search -------------------------------------------------------------------


@pytest.fixture
async def produce(client: Client, manager: SignedInUser) -> Json:
    category = await add_category(client, manager.headers, f"Produce {tag()}")
    for name, description in [
        ("Bananas", "Ripe Cavendish bananas."),
        ("Strawberries", "Sweet British strawberries."),
        ("Raw Honey", "Unfiltered wildflower honey."),
        ("Crème Fraîche", "Thick cultured cream."),
        ("Apple Juice", "Cloudy, pressed."),
        ("Cider", "Pressed from Somerset apples."),
    ]:
        await add_product(
            client, manager.headers, category, f"{name} {tag()}", description=description
        )
    return category


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bananna", ["Bananas"]),  # a typo
        ("straw", ["Strawberries"]),  # a prefix
        ("STRAWBERRY", ["Strawberries"]),  # stemmed, any case
        ("creme fraiche", ["Crème Fraîche"]),  # accents aside
        ("wildflower", ["Raw Honey"]),  # from the description
        ("apple", ["Apple Juice", "Cider"]),  # the name outranks the description
    ],
)
async def test_search_is_typo_tolerant_and_ranked(
    client: Client, produce: Json, q: str, expected: list[str]
) -> None:
    assert short(await names(client, category=produce["slug"], q=q)) == expected


async def test_search_with_a_sort_keeps_that_sort(
    client: Client, produce: Json, manager: SignedInUser
) -> None:
    await add_product(client, manager.headers, produce, f"Apple Pie {tag()}", price="0.10")

    found = short(await names(client, category=produce["slug"], q="apple", sort="price"))

    assert found == ["Apple Pie", "Apple Juice", "Cider"]


async def test_search_finds_products_by_their_category_even_after_a_rename(
    client: Client, manager: SignedInUser, produce: Json
) -> None:
    before = await names(client, category=produce["slug"], q="produce")
    new_name = f"Greengrocer {tag()}"
    renamed = await client.patch(
        f"/api/categories/{produce['id']}", json={"name": new_name}, headers=manager.headers
    )

    assert renamed.status_code == 200
    assert len(before) == 6
    assert len(await names(client, category=produce["slug"], q="greengrocer")) == 6
    assert await names(client, category=produce["slug"], q="produce") == []


# --- refusals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"min_price": "-1"}, "min_price"),
        ({"max_price": "ten"}, "max_price"),
        ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ({"cursor": "%%%"}, "cursor"),
    ],
)
async def test_bad_queries_are_422(client: Client, params: dict[str, str], field: str) -> None:
    response = await client.get("/api/products", params=params)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert field in {error["field"] for error in response.json()["errors"]}


async def test_a_cursor_from_another_sort_is_422(client: Client, shelf: Json) -> None:
    first = await client.get("/api/products", params={"category": shelf["slug"], "limit": 1})

    response = await client.get(
        "/api/products",
        params={"category": shelf["slug"], "sort": "price", "cursor": first.json()["next_cursor"]},
    )

    assert response.status_code == 422


async def test_the_storefront_is_503_while_the_database_is_down(database_url: str) -> None:
    proxy = CuttableProxy(database_url)
    proxy.open()
    async with AsyncTestClient(app=create_app(make_settings(proxy.url))) as client:
        assert (await client.get("/api/products")).status_code == 200
        proxy.cut()
        down = await client.get("/api/products")
        detail = await client.get("/api/products/anything")
        proxy.open()
        back = await client.get("/api/products")
    proxy.close()

    assert down.status_code == detail.status_code == 503
    assert down.json()["code"] == "service_unavailable"
    assert "SELECT" not in down.text
    assert back.status_code == 200
