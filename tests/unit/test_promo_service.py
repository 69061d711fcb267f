"""PromoCodeService on the in-memory adapters: the manager's use cases for promo codes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.core.catalog import Category
from grocery.core.errors import AlreadyExists, Invalid, NotFound
from grocery.core.promotions import MAX_AMOUNT, MAX_COUNT, DiscountType, PromoCode, PromoEdit
from grocery.core.services.promotions import PromoCodeService

D = Decimal
NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


class TickingClock:
    """A minute later on every reading, so codes made one after another differ in time."""

    def __init__(self) -> None:
        self.moment = NOW

    def now(self) -> datetime:
        self.moment += timedelta(minutes=1)
        return self.moment


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def promos(store: MemoryStore) -> PromoCodeService:
    return PromoCodeService(uow=lambda: MemoryUnitOfWork(store), clock=TickingClock())


def category(store: MemoryStore) -> UUID:
    made = Category(id=uuid4(), name="Bakery", slug="bakery")
    store.catalog.categories[made.id] = made
    return made.id


def percent(code: str = "save10", value: str = "10", **terms: object) -> PromoEdit:
    return PromoEdit(
        code=code,
        discount_type=DiscountType.PERCENT,
        value=value,
        **terms,  # type: ignore[arg-type]
    )


def fields_of(error: Invalid) -> list[str]:
    return [str(problem["field"]) for problem in error.errors]


# --- creating -----------------------------------------------------------------


async def test_a_new_code_is_normalised_and_active_by_default(promos: PromoCodeService) -> None:
    promo = await promos.create(percent(" save10 ", "12.5", min_order_amount="20"))

    assert promo.code == "SAVE10"
    assert (promo.value, promo.min_order_amount) == (D("12.50"), D("20.00"))
    assert (promo.is_active, promo.times_used, promo.category_ids) == (True, 0, frozenset())
    assert promo.created_at > NOW
    assert await promos.get(promo.id) == promo


async def test_a_code_may_be_limited_to_known_categories(
    store: MemoryStore, promos: PromoCodeService
) -> None:
    bakery = category(store)

    promo = await promos.create(percent(category_ids=frozenset({bakery})))

    assert (await promos.get(promo.id)).category_ids == {bakery}


async def test_unknown_categories_are_invalid(store: MemoryStore, promos: PromoCodeService) -> None:
    bakery, ghost = category(store), uuid4()

    with pytest.raises(Invalid) as caught:
        await promos.create(percent(category_ids=frozenset({bakery, ghost})))

    assert caught.value.errors == [
        {"field": "category_ids", "message": f"no such category: {ghost}"}
    ]
    assert store.promotions.promo_codes == {}


async def test_codes_are_unique_ignoring_case(promos: PromoCodeService) -> None:
    await promos.create(percent("SPRING"))

    with pytest.raises(AlreadyExists) as caught:
        await promos.create(percent("spring"))

    assert caught.value.code == "already_exists"


async def test_a_new_code_needs_code_type_and_value(promos: PromoCodeService) -> None:
    with pytest.raises(Invalid) as caught:
        await promos.create(PromoEdit(is_active=False))

    assert fields_of(caught.value) == ["code", "discount_type", "value"]


async def test_every_broken_term_is_reported_at_once(promos: PromoCodeService) -> None:
    edit = percent(
        "no spaces allowed",
        "150",
        starts_at=NOW,
        expires_at=NOW - timedelta(days=1),
        min_order_amount="12.345",
        max_discount="-1",
        max_uses=0,
    )

    with pytest.raises(Invalid) as caught:
        await promos.create(edit)

    assert sorted(fields_of(caught.value)) == [
        "code",
        "expires_at",
        "max_discount",
        "max_uses",
        "min_order_amount",
        "value",
    ]


async def test_an_unreadable_amount_is_reported_once(promos: PromoCodeService) -> None:
    with pytest.raises(Invalid) as caught:
        await promos.create(PromoEdit(code="X", discount_type=DiscountType.FIXED, value="1e2"))

    assert fields_of(caught.value) == ["value"]


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"value": str(MAX_AMOUNT + 1), "discount_type": DiscountType.FIXED}, "value"),
        ({"min_order_amount": str(MAX_AMOUNT + 1)}, "min_order_amount"),
        ({"max_uses": MAX_COUNT + 1}, "max_uses"),
        ({"max_uses_per_customer": MAX_COUNT + 1}, "max_uses_per_customer"),
    ],
)
async def test_amounts_and_counts_beyond_the_columns_are_invalid(
    promos: PromoCodeService, terms: dict[str, object], field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        await promos.create(replace(percent(), **terms))  # type: ignore[arg-type]

    assert fields_of(caught.value) == [field]


# --- reading and listing ------------------------------------------------------


async def test_an_unknown_id_is_not_found(promos: PromoCodeService) -> None:
    with pytest.raises(NotFound):
        await promos.get(uuid4())


async def test_codes_list_newest_first_in_pages(promos: PromoCodeService) -> None:
    made = [await promos.create(percent(f"CODE{n}")) for n in range(5)]

    first = await promos.page(before=None, limit=2)
    second = await promos.page(before=first.last_id, limit=2)
    last = await promos.page(before=second.last_id, limit=2)

    seen = [promo.code for page in (first, second, last) for promo in page.promos]
    assert seen == [promo.code for promo in reversed(made)]
    assert last.last_id is None


# --- editing ------------------------------------------------------------------


async def test_an_edit_changes_only_what_it_names(promos: PromoCodeService) -> None:
    promo = await promos.create(percent(max_uses=10, expires_at=NOW + timedelta(days=9)))

    edited = await promos.update(promo.id, PromoEdit(value="15", expires_at=None))

    assert (edited.value, edited.expires_at) == (D("15.00"), None)
    assert (edited.code, edited.max_uses, edited.created_at) == ("SAVE10", 10, promo.created_at)
    assert await promos.get(promo.id) == edited


async def test_an_edit_is_judged_on_the_whole_code(promos: PromoCodeService) -> None:
    promo = await promos.create(
        PromoEdit(code="FIVER", discount_type=DiscountType.FIXED, value="150")
    )

    with pytest.raises(Invalid) as caught:
        await promos.update(promo.id, PromoEdit(discount_type=DiscountType.PERCENT))

    assert fields_of(caught.value) == ["value"]
    assert (await promos.get(promo.id)).discount_type is DiscountType.FIXED


async def test_an_edit_cant_take_another_codes_name(promos: PromoCodeService) -> None:
    await promos.create(percent("TAKEN"))
    promo = await promos.create(percent("MINE"))

    with pytest.raises(AlreadyExists):
        await promos.update(promo.id, PromoEdit(code="taken"))


async def test_max_uses_cant_drop_below_the_uses_so_far(
    store: MemoryStore, promos: PromoCodeService
) -> None:
    promo = await promos.create(percent(max_uses=10))
    store.promotions.promo_codes[promo.id] = replace(promo, times_used=4)

    with pytest.raises(Invalid) as caught:
        await promos.update(promo.id, PromoEdit(max_uses=3))
    assert fields_of(caught.value) == ["max_uses"]

    assert (await promos.update(promo.id, PromoEdit(max_uses=4))).max_uses == 4


async def test_editing_an_unknown_code_is_not_found(promos: PromoCodeService) -> None:
    with pytest.raises(NotFound):
        await promos.update(uuid4(), PromoEdit(is_active=False))


# --- removing -----------------------------------------------------------------


async def test_an_unused_code_is_deleted_and_leaves_the_carts(
    store: MemoryStore, promos: PromoCodeService
) -> None:
    promo = await promos.create(percent())
    shopper = uuid4()
    store.carts.applied_promos[shopper] = promo.id

    await promos.remove(promo.id)

    with pytest.raises(NotFound):
        await promos.get(promo.id)
    assert shopper not in store.carts.applied_promos


async def test_a_used_code_is_only_switched_off(
    store: MemoryStore, promos: PromoCodeService
) -> None:
    promo = await promos.create(percent())
    used: PromoCode = replace(promo, times_used=2)
    store.promotions.promo_codes[promo.id] = used

    await promos.remove(promo.id)

    assert await promos.get(promo.id) == replace(used, is_active=False)


async def test_removing_an_unknown_code_is_not_found(promos: PromoCodeService) -> None:
    with pytest.raises(NotFound):
        await promos.remove(uuid4())
