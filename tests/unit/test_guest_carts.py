"""Guest carts on the in-memory adapters: the merge rules, and the guest cart's life
(opened, known by its token, idle too long, merged once)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from grocery.adapters.security import hash_refresh_token, new_guest_cart_token
from grocery.core.cart import CartContents, CartEntry, ShelfItem
from grocery.core.errors import NotAuthenticated, NotFound
from grocery.core.guest_carts import GUEST_CART_IDLE, MergedLine, merged_lines
from grocery.core.services.auth import RefreshTokenMint
from grocery.core.services.guest_carts import GuestCartService
from grocery.core.substitutions import NO_PREFERENCE, Substitution, SubstitutionChoice
from tests.unit.test_cart_service import Shop

NONE = SubstitutionChoice(Substitution.NONE)


def _item(stock: int = 10, *, available: bool = True) -> ShelfItem:
    product_id = uuid4()
    return ShelfItem(
        product_id=product_id,
        name="Item",
        slug=f"item-{product_id.hex}",
        unit_price=Decimal("1.00"),
        stock=stock,
        category_id=uuid4(),
        available=available,
    )


def _cart(*entries: CartEntry) -> CartContents:
    return CartContents(entries=list(entries), shelf={}, promo_id=None)


def _line(item: ShelfItem, quantity: int, choice: SubstitutionChoice = NO_PREFERENCE) -> CartEntry:
    return CartEntry(product_id=item.product_id, quantity=quantity, choice=choice)


def _shelf(*items: ShelfItem) -> dict[UUID, ShelfItem]:
    return {item.product_id: item for item in items}


# --- the merge rules ----------------------------------------------------------


def test_quantities_are_summed_up_to_the_stock_and_the_line_limit() -> None:
    scarce, plenty, fresh = _item(stock=5), _item(stock=5000), _item(stock=3)
    customer = _cart(_line(scarce, 3), _line(plenty, 600))

    merged = merged_lines(
        customer,
        [_line(scarce, 4), _line(plenty, 600), _line(fresh, 9)],
        _shelf(scarce, plenty, fresh),
    )

    assert [(m.product_id, m.added, m.room) for m in merged] == [
        (scarce.product_id, 2, 5),
        (plenty.product_id, 399, 999),
        (fresh.product_id, 3, 3),
    ]


def test_a_customers_line_over_the_stock_is_kept_as_it_is() -> None:
    apples = _item(stock=4)

    assert merged_lines(_cart(_line(apples, 8)), [_line(apples, 1)], _shelf(apples)) == []


def test_products_no_longer_for_sale_are_left_behind() -> None:
    archived, sold_out, gone = _item(available=False), _item(stock=0), _item()

    merged = merged_lines(
        _cart(),
        [_line(archived, 1), _line(sold_out, 1), _line(gone, 1)],
        _shelf(archived, sold_out),
    )

    assert merged == []


def test_the_customers_own_choice_wins_and_the_guests_fills_a_default() -> None:
    chose, left_default, new = _item(), _item(), _item()
    preferred = SubstitutionChoice(Substitution.ALLOW, uuid4())
    customer = _cart(_line(chose, 1, NONE), _line(left_default, 1))

    merged = merged_lines(
        customer,
        [_line(chose, 1, preferred), _line(left_default, 1, NONE), _line(new, 1, preferred)],
        _shelf(chose, left_default, new),
    )

    assert [m.choice for m in merged] == [None, NONE, preferred]


def test_a_guests_choice_is_set_even_when_the_line_has_no_room_to_grow() -> None:
    full = _item(stock=2)

    merged = merged_lines(_cart(_line(full, 2)), [_line(full, 1, NONE)], _shelf(full))

    assert merged == [MergedLine(product_id=full.product_id, added=0, room=2, choice=NONE)]


# --- the service --------------------------------------------------------------


class GuestShop(Shop):
    def __init__(self) -> None:
        super().__init__()
        mint = RefreshTokenMint(new=new_guest_cart_token, hash=hash_refresh_token)
        self.guests = GuestCartService(uow=self.uow, mint=mint, clock=self.clock)


@pytest.fixture
def shop() -> GuestShop:
    return GuestShop()


async def test_a_token_opens_its_own_cart_only_and_is_stored_hashed(shop: GuestShop) -> None:
    first, second = await shop.guests.open(), await shop.guests.open()

    ids = {await shop.guests.holder(first), await shop.guests.holder(second)}

    assert len(ids) == 2
    stored = {cart.token_hash for cart in shop.store.carts.guests.values()}
    assert stored == {hash_refresh_token(first), hash_refresh_token(second)}
    with pytest.raises(NotAuthenticated) as refused:
        await shop.guests.holder("gc_forged")
    assert refused.value.code == "invalid_cart_token"


async def test_a_cart_lives_while_it_is_used_and_dies_idle(shop: GuestShop) -> None:
    token = await shop.guests.open()
    for _ in range(3):  # used every 29 days: it lives on
        shop.clock.moment += timedelta(days=29)
        await shop.guests.holder(token)

    shop.clock.moment += GUEST_CART_IDLE
    with pytest.raises(NotAuthenticated):
        await shop.guests.holder(token)


async def test_a_merge_brings_the_lines_and_the_code_and_ends_the_guest_cart(
    shop: GuestShop,
) -> None:
    apples, pears = shop.product("1.00"), shop.product("2.00")
    ann = uuid4()
    await shop.cart.add(ann, apples.id, 1)
    token = await shop.guests.open()
    guest_id = await shop.guests.holder(token)
    shop.clock.tick()
    await shop.cart.add(guest_id, pears.id, 2)
    await shop.cart.add(guest_id, apples.id, 3)

    cart = await shop.guests.merge(ann, token)

    assert [(line.product_id, line.quantity) for line in cart.lines] == [
        (apples.id, 4),
        (pears.id, 2),
    ]
    assert cart.subtotal == Decimal("8.00")
    with pytest.raises(NotFound):
        await shop.guests.merge(ann, token)
    with pytest.raises(NotAuthenticated):
        await shop.guests.holder(token)


async def test_an_idle_cart_cannot_be_merged(shop: GuestShop) -> None:
    token = await shop.guests.open()
    shop.clock.moment += GUEST_CART_IDLE + timedelta(seconds=1)

    with pytest.raises(NotFound):
        await shop.guests.merge(uuid4(), token)
