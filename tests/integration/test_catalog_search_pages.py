"""A search by relevance across the line between words found and look-alikes: the reader runs
it as two statements (words first, the trigram match only when they don't fill the page),
and the pages must read exactly as the one ranked list."""

from __future__ import annotations

from typing import Any

import pytest

from grocery.entrypoints.wiring import Adapters
from tests.integration.catalog_shop import Client, Json, add_category, add_product, names, tag
from tests.integration.conftest import SignedInUser


@pytest.fixture
async def melons(client: Client, manager: SignedInUser, adapters: Adapters) -> Json:
    """Three products whose name has the word `melon`, three that only look like it."""
    category = await add_category(client, manager.headers)
    for name in ("Melon", "Watermelon"):
        for i in range(3):
            await add_product(client, manager.headers, category, f"{name} {i} {tag()}")
    return category


async def test_words_found_come_before_look_alikes(client: Client, melons: Json) -> None:
    found = await names(client, category=melons["slug"], q="melon", limit=100)

    assert [name.split()[0] for name in found] == ["Melon"] * 3 + ["Watermelon"] * 3


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5])
async def test_pages_across_the_line_read_as_one_list(
    client: Client, melons: Json, limit: int
) -> None:
    everything = await names(client, category=melons["slug"], q="melon", limit=100)

    walked: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"category": melons["slug"], "q": "melon", "limit": limit}
        response = await client.get(
            "/api/products", params=params | ({"cursor": cursor} if cursor else {})
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        walked += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert walked == everything
