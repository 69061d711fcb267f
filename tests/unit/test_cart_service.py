"""CartService and WishlistService on the in-memory adapters: lines, stock, promo codes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from grocery.adapters.blobs import make_blob_store
from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.core.catalog import Category, Product, ProductImage, Unit
from grocery.core.errors import DomainError, InsufficientStock, Invalid, NotFound
from grocery.core.pricing import PricedCart
from grocery.core.promotions import DiscountType, PromoCode, PromoRejected, PromoRejection
from grocery.core.services.cart import CartService
from grocery.core.services.wishlist import WishlistService

D = Decimal
NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


class FixedClock:
    def __init__(self) -> None:
        self.moment = NOW

    def now(self) -> datetime:
        return self.moment

    def tick(self) -> None:
        """A second on: lines are kept oldest first by when they were added."""
        self.moment += timedelta(seconds=1)


class Shop:
    """A store with one category, the cart and wishlist services, and ways to stock it."""

    def __init__(self) -> None:
        self.store = MemoryStore()
        self.clock = FixedClock()
        self.cart = CartService(uow=self.uow, clock=self.clock)
        blobs = make_blob_store(
            "memory://", public_base_url=None, presign=False, presign_ttl_seconds=60, env={}
        )
        self.wishlist = WishlistService(uow=self.uow, clock=self.clock, blobs=blobs)
        self.produce = self.category("Produce")

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    def category(self, name: str) -> UUID:
        category = Category(id=uuid4(), name=name, slug=name.lower())
        self.store.catalog.categories[category.id] = category
        return category.id

    def product(
        self, price: str = "2.50", *, stock: int = 10, category: UUID | None = None
    ) -> Product:
        product_id = uuid4()
        product = Product(
            id=product_id,
            category_id=category or self.produce,
            name=f"Item {product_id.hex[:6]}",
            slug=f"item-{product_id.hex[:6]}",
            description="",
            price=D(price),
            stock=stock,
            unit=Unit.PIECE,
            low_stock_threshold=0,
            created_at=NOW,
        )
        self.store.catalog.products[product.id] = product
        return product

    def change(self, product: Product, **fields: object) -> None:
        stored = self.store.catalog.products[product.id]
        self.store.catalog.products[product.id] = replace(stored, **fields)  # type: ignore[arg-type]

    def promo(self, code: str = "SAVE10", **terms: object) -> PromoCode:
        values: dict[str, object] = {
            "discount_type": DiscountType.PERCENT,
            "value": D("10"),
            **terms,
        }
        promo = PromoCode(id=uuid4(), code=code, created_at=NOW, **values)  # type: ignore[arg-type]
        self.store.promotions.promo_codes[promo.id] = promo
        return promo


@pytest.fixture
def shop() -> Shop:
    return Shop()


ANN, BOB = uuid4(), uuid4()


def quantities(cart: PricedCart) -> dict[UUID, int]:
    return {line.product_id: line.quantity for line in cart.lines}


def only_error(error: DomainError) -> dict[str, object]:
    assert len(error.errors) == 1
    return dict(error.errors[0])


# --- adding -------------------------------------------------------------------


async def test_adding_makes_a_line_priced_now(shop: Shop) -> None:
    apples = shop.product("2.50")

    change = await shop.cart.add(ANN, apples.id, 3)

    assert change.created is True
    (line,) = change.cart.lines
    assert (line.product_id, line.quantity, line.line_total) == (apples.id, 3, D("7.50"))
    assert (change.cart.subtotal, change.cart.discount, change.cart.total) == (
        D("7.50"),
        D("0.00"),
        D("7.50"),
    )


async def test_adding_again_grows_the_line(shop: Shop) -> None:
    apples = shop.product()
    await shop.cart.add(ANN, apples.id, 2)

    change = await shop.cart.add(ANN, apples.id, 3)

    assert change.created is False
    assert quantities(change.cart) == {apples.id: 5}


async def test_lines_keep_the_order_they_were_added_in(shop: Shop) -> None:
    first, second = shop.product(), shop.product()
    await shop.cart.add(ANN, first.id, 1)
    shop.clock.tick()
    await shop.cart.add(ANN, second.id, 1)
    shop.clock.tick()
    await shop.cart.add(ANN, first.id, 1)

    cart = await shop.cart.view(ANN)

    assert [line.product_id for line in cart.lines] == [first.id, second.id]


async def test_an_add_answers_the_whole_cart_its_line_grown_in_place(shop: Shop) -> None:
    first, second = shop.product(), shop.product()
    await shop.cart.add(ANN, first.id, 1)
    shop.clock.tick()
    await shop.cart.add(ANN, second.id, 1)
    shop.clock.tick()

    grown = await shop.cart.add(ANN, first.id, 2)
    shop.clock.tick()
    third = await shop.cart.add(ANN, (newest := shop.product()).id, 1)

    assert [(line.product_id, line.quantity) for line in grown.cart.lines] == [
        (first.id, 3),
        (second.id, 1),
    ]
    assert [line.product_id for line in third.cart.lines] == [first.id, second.id, newest.id]
    assert third.cart == await shop.cart.view(ANN)


@pytest.mark.parametrize("quantity", [0, -1, 1000])
async def test_quantity_outside_1_to_999_is_invalid(shop: Shop, quantity: int) -> None:
    apples = shop.product(stock=5000)

    with pytest.raises(Invalid) as caught:
        await shop.cart.add(ANN, apples.id, quantity)

    assert caught.value.code == "validation_error"
    assert only_error(caught.value)["field"] == "quantity"
    assert (await shop.cart.view(ANN)).lines == ()


async def test_unknown_and_archived_products_are_not_found(shop: Shop) -> None:
    archived = shop.product()
    shop.change(archived, archived=True)

    for product_id in (uuid4(), archived.id):
        with pytest.raises(NotFound):
            await shop.cart.add(ANN, product_id, 1)


async def test_more_than_in_stock_is_refused_counting_what_the_line_holds(shop: Shop) -> None:
    apples = shop.product(stock=10)
    await shop.cart.add(ANN, apples.id, 8)

    with pytest.raises(InsufficientStock) as caught:
        await shop.cart.add(ANN, apples.id, 3)

    assert caught.value.code == "insufficient_stock"
    assert only_error(caught.value) == {
        "field": "quantity",
        "message": "only 10 in stock",
        "product_id": str(apples.id),
        "requested": 11,
        "available": 10,
    }
    assert quantities(await shop.cart.view(ANN)) == {apples.id: 8}


async def test_a_line_holds_at_most_999_even_with_more_in_stock(shop: Shop) -> None:
    rice = shop.product(stock=5000)
    await shop.cart.add(ANN, rice.id, 990)

    with pytest.raises(Invalid) as caught:
        await shop.cart.add(ANN, rice.id, 10)

    assert caught.value.code == "validation_error"
    assert only_error(caught.value)["field"] == "quantity"
    assert (await shop.cart.add(ANN, rice.id, 9)).cart.lines[0].quantity == 999


# --- viewing ------------------------------------------------------------------


async def test_the_cart_shows_todays_price(shop: Shop) -> None:
    apples = shop.product("2.50")
    await shop.cart.add(ANN, apples.id, 2)
    shop.change(apples, price=D("3.00"))

    cart = await shop.cart.view(ANN)

    assert (cart.lines[0].unit_price, cart.total) == (D("3.00"), D("6.00"))


async def test_archived_or_short_lines_show_unavailable_and_cost_nothing(shop: Shop) -> None:
    kept, archived, short = shop.product("1.00"), shop.product("2.00"), shop.product("4.00")
    for product in (kept, archived, short):
        await shop.cart.add(ANN, product.id, 2)
    shop.change(archived, archived=True)
    shop.change(short, stock=1)

    cart = await shop.cart.view(ANN)

    available = {line.product_id: line.available for line in cart.lines}
    assert available == {kept.id: True, archived.id: False, short.id: False}
    assert cart.total == D("2.00")


async def test_an_empty_cart_costs_nothing(shop: Shop) -> None:
    cart = await shop.cart.view(ANN)

    assert (cart.lines, cart.total, cart.promo_code) == ((), D("0.00"), None)


# --- changing quantities and removing -----------------------------------------


async def test_setting_a_quantity_replaces_it(shop: Shop) -> None:
    apples = shop.product()
    await shop.cart.add(ANN, apples.id, 2)

    cart = await shop.cart.set_quantity(ANN, apples.id, 7)

    assert quantities(cart) == {apples.id: 7}


async def test_setting_a_quantity_keeps_the_line_in_its_place(shop: Shop) -> None:
    apples, pears = shop.product(), shop.product()
    await shop.cart.add(ANN, apples.id, 2)
    shop.clock.tick()
    await shop.cart.add(ANN, pears.id, 1)

    cart = await shop.cart.set_quantity(ANN, apples.id, 5)

    assert [(line.product_id, line.quantity) for line in cart.lines] == [
        (apples.id, 5),
        (pears.id, 1),
    ]
    assert cart == await shop.cart.view(ANN)


async def test_setting_zero_removes_the_line(shop: Shop) -> None:
    apples, pears = shop.product(), shop.product()
    await shop.cart.add(ANN, apples.id, 2)
    await shop.cart.add(ANN, pears.id, 1)

    cart = await shop.cart.set_quantity(ANN, apples.id, 0)

    assert quantities(cart) == {pears.id: 1}


async def test_setting_a_line_not_in_the_cart_is_not_found(shop: Shop) -> None:
    apples = shop.product()

    with pytest.raises(NotFound):
        await shop.cart.set_quantity(ANN, apples.id, 1)


async def test_setting_more_than_in_stock_is_refused(shop: Shop) -> None:
    apples = shop.product(stock=4)
    await shop.cart.add(ANN, apples.id, 1)

    with pytest.raises(InsufficientStock) as caught:
        await shop.cart.set_quantity(ANN, apples.id, 5)

    assert only_error(caught.value)["requested"] == 5
    assert quantities(await shop.cart.view(ANN)) == {apples.id: 1}


@pytest.mark.parametrize("quantity", [-1, 1000])
async def test_setting_a_quantity_outside_0_to_999_is_invalid(shop: Shop, quantity: int) -> None:
    apples = shop.product()
    await shop.cart.add(ANN, apples.id, 1)

    with pytest.raises(Invalid):
        await shop.cart.set_quantity(ANN, apples.id, quantity)


async def test_an_archived_line_can_only_be_removed(shop: Shop) -> None:
    apples = shop.product()
    await shop.cart.add(ANN, apples.id, 1)
    shop.change(apples, archived=True)

    with pytest.raises(InsufficientStock) as caught:
        await shop.cart.set_quantity(ANN, apples.id, 2)
    assert only_error(caught.value)["available"] == 0

    assert (await shop.cart.set_quantity(ANN, apples.id, 0)).lines == ()


async def test_removing_a_line(shop: Shop) -> None:
    apples = shop.product()
    await shop.cart.add(ANN, apples.id, 1)

    await shop.cart.remove(ANN, apples.id)

    assert (await shop.cart.view(ANN)).lines == ()
    with pytest.raises(NotFound):
        await shop.cart.remove(ANN, apples.id)


async def test_emptying_drops_every_line_and_the_code(shop: Shop) -> None:
    shop.promo("SAVE10")
    for product in (shop.product(), shop.product()):
        await shop.cart.add(ANN, product.id, 1)
    await shop.cart.apply_promo(ANN, "SAVE10")

    await shop.cart.empty(ANN)

    cart = await shop.cart.view(ANN)
    assert (cart.lines, cart.promo_code) == ((), None)


async def test_each_customer_has_their_own_cart(shop: Shop) -> None:
    apples = shop.product()
    await shop.cart.add(ANN, apples.id, 2)

    assert (await shop.cart.view(BOB)).lines == ()
    with pytest.raises(NotFound):
        await shop.cart.remove(BOB, apples.id)
    with pytest.raises(NotFound):
        await shop.cart.set_quantity(BOB, apples.id, 5)
    await shop.cart.empty(BOB)

    assert quantities(await shop.cart.view(ANN)) == {apples.id: 2}


# --- promo codes --------------------------------------------------------------


async def test_applying_a_code_prices_the_cart_with_it(shop: Shop) -> None:
    shop.promo("SAVE10", value=D("10"))
    apples = shop.product("5.00")
    await shop.cart.add(ANN, apples.id, 3)

    cart = await shop.cart.apply_promo(ANN, "  save10 ")

    assert (cart.subtotal, cart.discount, cart.total) == (D("15.00"), D("1.50"), D("13.50"))
    assert cart.promo_code == "SAVE10"
    assert (await shop.cart.view(ANN)).promo_code == "SAVE10"
    assert (await shop.cart.view(BOB)).promo_code is None


async def test_a_code_limited_to_a_category_discounts_only_its_lines(shop: Shop) -> None:
    bakery = shop.category("Bakery")
    shop.promo(
        "BREAD", discount_type=DiscountType.FIXED, value=D("1.00"), category_ids=frozenset({bakery})
    )
    apples, bread = shop.product("5.00"), shop.product("3.00", category=bakery)
    for product in (apples, bread):
        await shop.cart.add(ANN, product.id, 1)

    cart = await shop.cart.apply_promo(ANN, "BREAD")

    discounts = {line.product_id: line.discount for line in cart.lines}
    assert discounts == {apples.id: D("0.00"), bread.id: D("1.00")}


REFUSALS: list[tuple[dict[str, object], PromoRejection]] = [
    ({"is_active": False}, PromoRejection.INACTIVE),
    ({"starts_at": NOW + timedelta(days=1)}, PromoRejection.NOT_STARTED),
    ({"expires_at": NOW}, PromoRejection.EXPIRED),
    ({"min_order_amount": D("50.00")}, PromoRejection.MIN_ORDER_NOT_MET),
    ({"max_uses": 3, "times_used": 3}, PromoRejection.USAGE_LIMIT_REACHED),
    ({"category_ids": frozenset({uuid4()})}, PromoRejection.NOT_APPLICABLE),
]


@pytest.mark.parametrize(("terms", "reason"), REFUSALS)
async def test_an_unusable_code_is_refused_with_its_reason(
    shop: Shop, terms: dict[str, object], reason: PromoRejection
) -> None:
    shop.promo("GOOD")
    shop.promo("ODD", **terms)
    apples = shop.product("5.00")
    await shop.cart.add(ANN, apples.id, 1)
    await shop.cart.apply_promo(ANN, "GOOD")

    with pytest.raises(PromoRejected) as caught:
        await shop.cart.apply_promo(ANN, "ODD")

    assert caught.value.code == reason.value
    assert (await shop.cart.view(ANN)).promo_code == "GOOD"


async def test_an_unknown_code_is_not_found(shop: Shop) -> None:
    with pytest.raises(PromoRejected) as caught:
        await shop.cart.apply_promo(ANN, "NOPE")

    assert caught.value.code == "promo_not_found"


async def test_the_customers_own_uses_count_towards_their_limit(shop: Shop) -> None:
    promo = shop.promo("ONCE", max_uses_per_customer=1)
    apples = shop.product("5.00")
    for customer in (ANN, BOB):
        await shop.cart.add(customer, apples.id, 1)
    shop.store.promotions.redemptions[promo.id, ANN] = 1

    with pytest.raises(PromoRejected) as caught:
        await shop.cart.apply_promo(ANN, "ONCE")

    assert caught.value.code == "promo_customer_limit_reached"
    assert (await shop.cart.apply_promo(BOB, "ONCE")).promo_code == "ONCE"


async def test_a_saved_code_that_expired_is_left_off_with_the_reason(shop: Shop) -> None:
    shop.promo("SOON", expires_at=NOW + timedelta(hours=1))
    apples = shop.product("5.00")
    await shop.cart.add(ANN, apples.id, 2)
    await shop.cart.apply_promo(ANN, "SOON")
    shop.clock.moment = NOW + timedelta(hours=2)

    cart = await shop.cart.view(ANN)

    assert (cart.promo_code, cart.promo_rejection) == (None, PromoRejection.EXPIRED)
    assert (cart.discount, cart.total) == (D("0.00"), D("10.00"))


async def test_a_saved_code_comes_back_once_the_cart_qualifies_again(shop: Shop) -> None:
    shop.promo("BIG", min_order_amount=D("10.00"))
    apples = shop.product("5.00")
    await shop.cart.add(ANN, apples.id, 2)
    await shop.cart.apply_promo(ANN, "BIG")

    smaller = await shop.cart.set_quantity(ANN, apples.id, 1)
    assert smaller.promo_rejection is PromoRejection.MIN_ORDER_NOT_MET

    again = await shop.cart.set_quantity(ANN, apples.id, 2)
    assert (again.promo_code, again.discount) == ("BIG", D("1.00"))


async def test_dropping_the_code(shop: Shop) -> None:
    shop.promo("SAVE10")
    apples = shop.product("5.00")
    await shop.cart.add(ANN, apples.id, 1)
    await shop.cart.apply_promo(ANN, "SAVE10")

    await shop.cart.drop_promo(ANN)

    cart = await shop.cart.view(ANN)
    assert (cart.promo_code, cart.discount) == (None, D("0.00"))


# --- the wishlist -------------------------------------------------------------


async def test_wishing_is_idempotent(shop: Shop) -> None:
    apples = shop.product("2.50")

    first = await shop.wishlist.add(ANN, apples.id)
    shop.clock.moment = NOW + timedelta(minutes=5)
    again = await shop.wishlist.add(ANN, apples.id)

    assert (first.created, again.created) == (True, False)
    assert again.entry.product.added_at == NOW
    page = await shop.wishlist.page(ANN, after=None, limit=20)
    assert [entry.product.product_id for entry in page.entries] == [apples.id]


async def test_a_wished_product_carries_its_summary_and_first_image(shop: Shop) -> None:
    apples = shop.product("2.50", stock=0)
    for key in ("products/a/second.png", "products/a/first.png"):
        image = ProductImage(
            id=uuid4(),
            product_id=apples.id,
            key=key,
            content_type="image/png",
            size=10,
            width=1,
            height=1,
        )
        shop.store.catalog.images[image.id] = image
    first_id = min(shop.store.catalog.images)

    entry = (await shop.wishlist.add(ANN, apples.id)).entry

    assert (entry.product.name, entry.product.slug, entry.product.price) == (
        apples.name,
        apples.slug,
        D("2.50"),
    )
    assert entry.product.in_stock is False
    assert entry.image_url == f"/media/{shop.store.catalog.images[first_id].key}"


async def test_unknown_or_archived_products_cant_be_wished(shop: Shop) -> None:
    archived = shop.product()
    shop.change(archived, archived=True)

    for product_id in (uuid4(), archived.id):
        with pytest.raises(NotFound):
            await shop.wishlist.add(ANN, product_id)


async def test_the_wishlist_pages_newest_first(shop: Shop) -> None:
    products = [shop.product() for _ in range(5)]
    for minute, product in enumerate(products):
        shop.clock.moment = NOW + timedelta(minutes=minute)
        await shop.wishlist.add(ANN, product.id)

    first = await shop.wishlist.page(ANN, after=None, limit=2)
    second = await shop.wishlist.page(ANN, after=first.next_mark, limit=2)
    last = await shop.wishlist.page(ANN, after=second.next_mark, limit=2)

    seen = [e.product.product_id for page in (first, second, last) for e in page.entries]
    assert seen == [p.id for p in reversed(products)]
    assert last.next_mark is None


async def test_removing_from_the_wishlist(shop: Shop) -> None:
    apples = shop.product()
    await shop.wishlist.add(ANN, apples.id)

    with pytest.raises(NotFound):
        await shop.wishlist.remove(BOB, apples.id)
    await shop.wishlist.remove(ANN, apples.id)

    assert (await shop.wishlist.page(ANN, after=None, limit=20)).entries == []
    with pytest.raises(NotFound):
        await shop.wishlist.remove(ANN, apples.id)


async def test_moving_to_the_cart_adds_one_and_leaves_the_wishlist(shop: Shop) -> None:
    apples, pears = shop.product(), shop.product()
    await shop.cart.add(ANN, pears.id, 2)
    for product in (apples, pears):
        await shop.wishlist.add(ANN, product.id)

    await shop.wishlist.move_to_cart(ANN, apples.id)
    cart = await shop.wishlist.move_to_cart(ANN, pears.id)

    assert quantities(cart) == {pears.id: 3, apples.id: 1}
    assert (await shop.wishlist.page(ANN, after=None, limit=20)).entries == []


async def test_moving_what_isnt_wished_is_not_found(shop: Shop) -> None:
    apples = shop.product()
    await shop.wishlist.add(ANN, apples.id)

    with pytest.raises(NotFound):
        await shop.wishlist.move_to_cart(BOB, apples.id)
    assert (await shop.cart.view(BOB)).lines == ()


async def test_a_refused_move_changes_neither_list(shop: Shop) -> None:
    apples = shop.product(stock=0)
    await shop.wishlist.add(ANN, apples.id)

    with pytest.raises(InsufficientStock):
        await shop.wishlist.move_to_cart(ANN, apples.id)

    assert (await shop.cart.view(ANN)).lines == ()
    page = await shop.wishlist.page(ANN, after=None, limit=20)
    assert [e.product.product_id for e in page.entries] == [apples.id]
