"""Loading the demo catalog into its own database: everything once, nothing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from grocery.adapters.sql import migrate
from grocery.core.services.catalog import CatalogService
from grocery.entrypoints.app import build_catalog_service
from grocery.entrypoints.demo_catalog import DemoLoad, load_demo_catalog
from grocery.entrypoints.wiring import build_adapters
from tests.integration.conftest import make_settings
from tests.integration.database import fresh_database


@pytest.fixture(scope="module")
async def catalog(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[CatalogService]:
    with fresh_database(tmp_path_factory.mktemp("demo")) as url:
        migrate.upgrade(url)
        settings = make_settings(url)
        adapters = build_adapters(settings)
        yield build_catalog_service(settings, adapters)
        await adapters.database.dispose()


async def test_demo_catalog_loads_once_and_is_idempotent(catalog: CatalogService) -> None:
    first = await load_demo_catalog(catalog)
    second = await load_demo_catalog(catalog)

    assert first == DemoLoad(categories_added=10, products_added=150)
    assert second == DemoLoad(categories_added=0, products_added=0)
    categories = await catalog.categories()
    assert sum(category.product_count for category in categories) == 150
    fruit = await catalog.category("fruit")
    assert fruit.product_count == 15


async def test_the_demo_shop_sells_loose_fruit_vegetables_and_counter_cheese_by_weight(
    catalog: CatalogService,
) -> None:
    await load_demo_catalog(catalog)
    weighed = {}
    for slug in ("honeycrisp-apples", "carrots", "mature-cheddar"):
        product = await catalog.product(slug)
        weighed[slug] = (product.sold_by, product.unit, product.step_kg, product.step_price)
    assert weighed == {
        "honeycrisp-apples": ("weight", "kg", Decimal("0.500"), Decimal("2.50")),
        "carrots": ("weight", "kg", Decimal("0.500"), Decimal("0.65")),
        "mature-cheddar": ("weight", "kg", Decimal("0.250"), Decimal("3.23")),
    }
