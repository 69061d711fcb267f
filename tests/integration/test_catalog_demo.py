"""Loading the demo catalog into its own database: everything once, nothing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from grocery.adapters.sql import migrate
from grocery.config import Settings
from grocery.core.services.catalog import CatalogService
from grocery.entrypoints.app import build_catalog_service, build_tax_service
from grocery.entrypoints.demo_catalog import DemoLoad, load_demo_catalog
from grocery.entrypoints.demo_taxes import tax_the_demo_shop
from grocery.entrypoints.wiring import Adapters, build_adapters
from tests.integration.conftest import make_settings
from tests.integration.database import fresh_database


@pytest.fixture(scope="module")
async def demo_shop(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[Settings, Adapters]]:
    with fresh_database(tmp_path_factory.mktemp("demo")) as url:
        migrate.upgrade(url)
        settings = make_settings(url)
        adapters = build_adapters(settings)
        yield settings, adapters
        await adapters.database.dispose()


@pytest.fixture(scope="module")
def catalog(demo_shop: tuple[Settings, Adapters]) -> CatalogService:
    return build_catalog_service(*demo_shop)


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


async def test_the_demo_shop_taxes_some_aisles_and_products_once(
    catalog: CatalogService, demo_shop: tuple[Settings, Adapters]
) -> None:
    await load_demo_catalog(catalog)
    taxes = build_tax_service(demo_shop[1])

    first = await tax_the_demo_shop(taxes, catalog)
    second = await tax_the_demo_shop(taxes, catalog)

    classes = {tax_class.id: (tax_class.name, tax_class.rate) for tax_class in await taxes.all()}
    household = await catalog.category("household")
    frozen = await catalog.category("frozen")
    ice_cream = await catalog.product("vanilla-ice-cream")
    fruit = await catalog.category("fruit")
    assert (first, second) == (2, 0)
    assert classes[household.tax_class_id] == ("Standard rate", Decimal(20))
    assert classes[frozen.tax_class_id] == ("Reduced rate", Decimal(5))
    assert classes[ice_cream.tax_class_id] == ("Standard rate", Decimal(20))  # its own wins
    assert fruit.tax_class_id is None
