"""TaxClassRepository, and the tax class a category or a product points at."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from uuid import uuid4

import pytest

from grocery.core.errors import AlreadyExists, InUse, Invalid
from grocery.core.taxes import TaxClass
from tests.ports.shop import OpenWork, Seed, a_category, a_product


def a_tax_class(**fields: object) -> TaxClass:
    values: dict[str, object] = {"id": uuid4(), "name": f"VAT {uuid4().hex[:8]}"}
    values["rate"] = Decimal("20.000")
    return TaxClass(**{**values, **fields})  # type: ignore[arg-type]


async def stored(uow: OpenWork, tax_class: TaxClass) -> TaxClass:
    async with uow() as work:
        await work.tax_classes.add(tax_class)
        await work.commit()
    return tax_class


async def test_classes_are_listed_by_name_with_their_rates(uow: OpenWork) -> None:
    reduced = await stored(uow, a_tax_class(name="Reduced", rate=Decimal("5.500")))
    standard = await stored(uow, a_tax_class(name="Standard", rate=Decimal("8.875")))
    zero = await stored(uow, a_tax_class(name="Exempt", rate=Decimal(0)))

    async with uow() as work:
        assert await work.tax_classes.all() == [zero, reduced, standard]
        assert await work.tax_classes.get(standard.id) == standard
        assert await work.tax_classes.get(uuid4()) is None


async def test_a_name_taken_ignoring_case_is_refused(uow: OpenWork) -> None:
    await stored(uow, a_tax_class(name="Standard"))
    reduced = await stored(uow, a_tax_class(name="Reduced"))

    async with uow() as work:
        with pytest.raises(AlreadyExists) as refused:
            await work.tax_classes.add(a_tax_class(name="STANDARD"))
    assert refused.value.errors == [{"field": "name", "message": "is already taken"}]
    async with uow() as work:
        with pytest.raises(AlreadyExists):
            await work.tax_classes.update(replace(reduced, name="standard"))

    async with uow() as work:
        assert [t.name for t in await work.tax_classes.all()] == ["Reduced", "Standard"]


async def test_an_update_changes_name_and_rate(uow: OpenWork) -> None:
    standard = await stored(uow, a_tax_class(name="Standard"))
    raised = replace(standard, name="standard", rate=Decimal("21.000"))

    async with uow() as work:
        await work.tax_classes.update(raised)
        await work.commit()

    async with uow() as work:
        assert await work.tax_classes.get(standard.id) == raised


async def test_an_unused_class_is_deleted(uow: OpenWork) -> None:
    standard = await stored(uow, a_tax_class())

    async with uow() as work:
        await work.tax_classes.delete(standard.id)
        await work.tax_classes.delete(uuid4())  # an unknown one: nothing to do
        await work.commit()

    async with uow() as work:
        assert await work.tax_classes.all() == []


@pytest.mark.parametrize("taxed", ["category", "archived product"])
async def test_a_class_in_use_is_not_deleted(uow: OpenWork, seed: Seed, taxed: str) -> None:
    standard = await stored(uow, a_tax_class())
    if taxed == "category":
        await seed.category(tax_class_id=standard.id)
    else:
        await seed.archived(await seed.product(tax_class_id=standard.id))

    async with uow() as work:
        with pytest.raises(InUse) as refused:
            await work.tax_classes.delete(standard.id)
    assert refused.value.code == "tax_class_in_use"

    async with uow() as work:
        assert await work.tax_classes.get(standard.id) == standard


async def test_categories_and_products_keep_their_class(uow: OpenWork, seed: Seed) -> None:
    standard = await stored(uow, a_tax_class())
    category = await seed.category(tax_class_id=standard.id)
    product = await seed.product(category, tax_class_id=standard.id)

    async with uow() as work:
        assert (await work.categories.get(str(category.id))) == category
        assert (await work.products.get(product.id)) == product
        await work.categories.update(replace(category, tax_class_id=None))
        await work.products.update(replace(product, tax_class_id=None))
        await work.commit()

    async with uow() as work:
        found = await work.categories.get(str(category.id))
        assert found is not None and found.tax_class_id is None
        kept = await work.products.get(product.id)
        assert kept is not None and kept.tax_class_id is None


async def test_an_unknown_class_is_refused_naming_the_field(uow: OpenWork, seed: Seed) -> None:
    category = await seed.category()
    unknown = uuid4()

    for write in (
        lambda work: work.categories.add(a_category(tax_class_id=unknown)),
        lambda work: work.categories.update(replace(category, tax_class_id=unknown)),
        lambda work: work.products.add(a_product(category, tax_class_id=unknown)),
    ):
        async with uow() as work:
            with pytest.raises(Invalid) as refused:
                await write(work)
        assert refused.value.errors == [{"field": "tax_class_id", "message": "no such tax class"}]
