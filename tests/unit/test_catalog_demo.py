"""The demo catalog is a believable shop that passes the catalog's own rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from uuid import uuid4

from grocery.core.catalog import slugify
from grocery.core.catalog_edits import ProductEdit, new_product
from grocery.entrypoints.demo_catalog import DEMO_CATALOG


def test_ten_aisles_of_fifteen_products() -> None:
    assert len(DEMO_CATALOG) == 10
    assert {len(items) for items in DEMO_CATALOG.values()} == {15}


def test_every_demo_product_is_valid_with_a_unique_slug() -> None:
    slugs = [
        new_product(
            ProductEdit(
                name=name,
                category_id=uuid4(),
                price=price,
                stock=stock,
                unit=unit,
                description=description,
            ),
            id=uuid4(),
            created_at=datetime.now(UTC),
            default_threshold=10,
        ).slug
        for items in DEMO_CATALOG.values()
        for name, unit, price, stock, description in items
    ]

    assert len(slugs) == len(set(slugs)) == 150
    assert len({slugify(name) for name in DEMO_CATALOG}) == 10


def test_some_shelves_are_low_or_empty_for_the_demo() -> None:
    stocks = [item[3] for items in DEMO_CATALOG.values() for item in items]

    assert 0 in stocks
    assert any(0 < stock < 10 for stock in stocks)


_PACK_SIZE = re.compile(r"\b\d+(\.\d+)? ?(g|kg|ml|l)\b")


def test_a_demo_price_is_for_what_its_unit_says() -> None:
    """Nothing is priced per gram or millilitre ("Digestive Biscuits 1.29, unit g" read as
    1.29 a gram); kg and l are for goods sold loose, so a pack size belongs to packs."""
    for items in DEMO_CATALOG.values():
        for name, unit, _, _, description in items:
            assert unit not in ("g", "ml"), name
            if unit in ("kg", "l"):
                assert not _PACK_SIZE.search(description), f"{name} ({unit}): {description}"
