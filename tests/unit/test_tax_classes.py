"""Tax classes: the manager's form (core/taxes.py) and TaxClassService on in-memory adapters."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.core.catalog import Category
from grocery.core.errors import AlreadyExists, InUse, Invalid, NotFound
from grocery.core.services.taxes import TaxClassService
from grocery.core.taxes import rate_text, tax_class_draft


@pytest.mark.parametrize(
    ("typed", "rate"),
    [
        ("0", "0"),
        ("20", "20"),
        ("7.5", "7.5"),
        ("8.875", "8.875"),
        ("100", "100"),
        ("05.50", "5.5"),
    ],
)
def test_a_rate_is_a_percent_from_0_to_100(typed: str, rate: str) -> None:
    draft = tax_class_draft("  Standard   rate ", typed)

    assert draft.name == "Standard rate"
    assert rate_text(draft.rate) == rate


@pytest.mark.parametrize("typed", ["100.001", "101", "-1", "1e1", "7.1234", " 7", "", "NaN", "7."])
def test_a_rate_outside_0_to_100_or_not_plain_digits_is_refused(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        tax_class_draft("Standard", typed)

    assert [e["field"] for e in refused.value.errors] == ["rate"]


def test_every_wrong_field_is_named_at_once() -> None:
    with pytest.raises(Invalid) as refused:
        tax_class_draft("   ", "120")

    assert [e["field"] for e in refused.value.errors] == ["name", "rate"]


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def taxes(store: MemoryStore) -> TaxClassService:
    return TaxClassService(uow=lambda: MemoryUnitOfWork(store))


async def test_a_class_is_created_edited_and_listed(taxes: TaxClassService) -> None:
    standard = await taxes.create("Standard", "20")
    reduced = await taxes.create("Reduced", "5.5")

    renamed = await taxes.update(standard.id, name="VAT standard")
    raised = await taxes.update(reduced.id, rate="7")

    assert (renamed.name, renamed.rate) == ("VAT standard", Decimal(20))
    assert (raised.name, raised.rate) == ("Reduced", Decimal(7))
    assert await taxes.all() == [raised, renamed]


async def test_an_edit_is_judged_whole_and_saves_nothing_when_wrong(
    taxes: TaxClassService,
) -> None:
    standard = await taxes.create("Standard", "20")
    await taxes.create("Reduced", "5")

    with pytest.raises(Invalid):
        await taxes.update(standard.id, name="Standard", rate="200")
    with pytest.raises(AlreadyExists):
        await taxes.update(standard.id, name="reduced")

    assert standard in await taxes.all()


async def test_an_unknown_class_is_not_found(taxes: TaxClassService) -> None:
    with pytest.raises(NotFound):
        await taxes.update(uuid4(), rate="3")
    with pytest.raises(NotFound):
        await taxes.remove(uuid4())


async def test_a_class_in_use_stays_and_an_unused_one_goes(
    taxes: TaxClassService, store: MemoryStore
) -> None:
    standard = await taxes.create("Standard", "20")
    spare = await taxes.create("Spare", "1")
    bakery = Category(uuid4(), "Bakery", "bakery", standard.id)
    store.catalog.categories[bakery.id] = bakery

    with pytest.raises(InUse) as refused:
        await taxes.remove(standard.id)
    await taxes.remove(spare.id)

    assert refused.value.code == "tax_class_in_use"
    assert await taxes.all() == [standard]
