"""The cart: each customer's lines, priced live whenever it is shown or changed.

Every use case names the customer by id, taken from their own access token, so one
customer can never address another's cart. Stock is checked as lines are added or
changed, but not held: checkout takes it (and refuses lines that went short meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from grocery.core.cart import CartContents, ShelfItem, check_quantity, for_sale, too_many
from grocery.core.errors import Invalid, NotFound
from grocery.core.fulfilment.slots import HeldSlot
from grocery.core.fulfilment.zones import DeliveryTerms
from grocery.core.ports.carts import CartWork
from grocery.core.ports.clock import Clock
from grocery.core.ports.promotions import PromoCodeRepository
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.pricing import PricedCart, price_cart, price_cart_leniently
from grocery.core.promotions import PromoCode, normalise_code, promo_not_found
from grocery.core.substitutions import SubstitutionRequest, substitution_choice


@dataclass(frozen=True, slots=True)
class CartChange:
    cart: PricedCart
    created: bool  # the change made a new line (rather than growing one)


class CartService:
    def __init__(
        self, *, uow: UnitOfWorkFactory[CartWork], clock: Clock, prices_include_tax: bool = False
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._prices_include_tax = prices_include_tax

    async def view(self, user_id: UUID) -> PricedCart:
        """The cart priced now; a saved code it can no longer use is left off, with the reason."""
        async with self._uow() as uow:
            return await priced_cart(uow, user_id, self._clock.now(), self._prices_include_tax)

    async def add(
        self,
        user_id: UUID,
        product_id: UUID,
        quantity: int,
        choice: SubstitutionRequest | None = None,
    ) -> CartChange:
        """Add to the product's line (making it when new); with `choice`, the line's
        substitution choice is set too (else a line keeps its own)."""
        check_quantity(quantity)
        now = self._clock.now()
        async with self._uow() as uow:
            contents, created = await put_in_cart(uow, user_id, product_id, quantity, now)
            if choice is not None:
                contents = await _choose(uow, user_id, contents, product_id, choice)
            cart = await priced_contents(uow, user_id, contents, now, self._prices_include_tax)
            await uow.commit()
        return CartChange(cart=cart, created=created)

    async def set_quantity(
        self,
        user_id: UUID,
        product_id: UUID,
        quantity: int | None,
        choice: SubstitutionRequest | None = None,
    ) -> PricedCart:
        """Set a line's quantity (0 removes the line), its substitution choice, or both."""
        if quantity is None and choice is None:
            raise Invalid(
                "Send a quantity or a substitution choice.",
                errors=[{"field": "quantity", "message": "is required without a choice"}],
            )
        if quantity is not None:
            check_quantity(quantity, allow_zero=True)
        now = self._clock.now()
        async with self._uow() as uow:
            contents = await uow.shelf.in_cart(user_id)
            item = contents.shelf.get(product_id)
            if item is None:
                raise _not_in_cart()
            if quantity is not None:
                contents = await _set_quantity(uow, user_id, contents, item, quantity)
            if choice is not None and quantity != 0:
                contents = await _choose(uow, user_id, contents, product_id, choice)
            cart = await priced_contents(uow, user_id, contents, now, self._prices_include_tax)
            await uow.commit()
        return cart

    async def remove(self, user_id: UUID, product_id: UUID) -> None:
        async with self._uow() as uow:
            if not await uow.cart.remove(user_id, product_id):
                raise _not_in_cart()
            await uow.commit()

    async def empty(self, user_id: UUID) -> None:
        """Every line goes, and the applied code with them: an empty cart starts afresh."""
        async with self._uow() as uow:
            await uow.cart.empty(user_id)
            await uow.commit()

    async def apply_promo(self, user_id: UUID, code: str) -> PricedCart:
        """Apply a code the cart can use now; PromoRejected (422) says why it can't."""
        now = self._clock.now()
        async with self._uow() as uow:
            promo = await typed_promo(uow.promo_codes, code)
            uses = await customer_uses(uow.promo_codes, promo, user_id)
            lines = (await uow.shelf.in_cart(user_id)).lines
            held = await uow.holds.of_customer(user_id)
            cart = with_slot(
                price_cart(
                    lines,
                    promo,
                    now,
                    uses_by_customer=uses,
                    delivery=terms_of(held),
                    prices_include_tax=self._prices_include_tax,
                ),
                held,
            )
            await uow.cart.set_promo(user_id, promo.id)
            await uow.commit()
        return cart

    async def drop_promo(self, user_id: UUID) -> None:
        async with self._uow() as uow:
            await uow.cart.set_promo(user_id, None)
            await uow.commit()


async def put_in_cart(
    uow: CartWork, user_id: UUID, product_id: UUID, quantity: int, now: datetime
) -> tuple[CartContents, bool]:
    """Add `quantity` to the product's line within `uow`: the cart as it stands then, and
    True when the line is new.

    NotFound for an unknown or archived product; the line may hold no more than the
    stock and the line limit, judged atomically against concurrent adds.
    """
    contents = await uow.shelf.in_cart(user_id, also=product_id)
    item = for_sale(contents.shelf.get(product_id))
    added = await uow.cart.add(user_id, product_id, quantity, at=now, room=item.room)
    if added is None:
        raise too_many(item, contents.quantity_of(product_id) + quantity)
    return contents.with_line(product_id, added.quantity), added.created


async def priced_cart(
    uow: CartWork, user_id: UUID, now: datetime, prices_include_tax: bool
) -> PricedCart:
    """The cart as it stands within `uow`, priced leniently (for showing it)."""
    contents = await uow.shelf.in_cart(user_id)
    return await priced_contents(uow, user_id, contents, now, prices_include_tax)


async def priced_contents(
    uow: CartWork, user_id: UUID, contents: CartContents, now: datetime, prices_include_tax: bool
) -> PricedCart:
    """`contents` priced leniently, with the code applied to them if any, delivered in the
    slot the cart holds if any."""
    promo_id = contents.promo_id
    promo = None if promo_id is None else await uow.promo_codes.get(promo_id)
    uses = 0 if promo is None else await customer_uses(uow.promo_codes, promo, user_id)
    held = await uow.holds.of_customer(user_id)
    cart = price_cart_leniently(
        contents.lines,
        promo,
        now,
        uses_by_customer=uses,
        delivery=terms_of(held),
        prices_include_tax=prices_include_tax,
    )
    return with_slot(cart, held)


def terms_of(held: HeldSlot | None) -> DeliveryTerms | None:
    """The delivery terms a cart holding `held` is priced on (None: it holds no slot)."""
    return None if held is None else held.terms


def with_slot(cart: PricedCart, held: HeldSlot | None) -> PricedCart:
    """The priced cart showing the slot it holds."""
    return cart if held is None else replace(cart, fulfilment=held.fulfilment)


async def typed_promo(promo_codes: PromoCodeRepository, code: str) -> PromoCode:
    """The code a customer typed, or PromoRejected `promo_not_found`."""
    promo = await promo_codes.by_code(normalise_code(code))
    if promo is None:
        raise promo_not_found()
    return promo


async def customer_uses(promo_codes: PromoCodeRepository, promo: PromoCode, user_id: UUID) -> int:
    """How often the customer redeemed the code, read only when the code limits each customer
    (the count can't change whether they may use any other)."""
    if not promo.limits_each_customer:
        return 0
    return await promo_codes.uses_by_customer(promo.id, user_id)


async def _set_quantity(
    uow: CartWork, user_id: UUID, contents: CartContents, item: ShelfItem, quantity: int
) -> CartContents:
    if quantity and quantity > item.room:
        raise too_many(item, quantity)
    product_id = item.product_id
    changed = (
        await uow.cart.set_quantity(user_id, product_id, quantity)
        if quantity
        else await uow.cart.remove(user_id, product_id)
    )
    if not changed:  # removed since the read, by the customer elsewhere
        raise _not_in_cart()
    return contents.with_line(product_id, quantity)


async def _choose(
    uow: CartWork,
    user_id: UUID,
    contents: CartContents,
    product_id: UUID,
    request: SubstitutionRequest,
) -> CartContents:
    """Set the line's substitution choice: a preferred substitute must be for sale."""
    choice = substitution_choice(product_id, request.substitution, request.preferred_substitute_id)
    preferred = choice.preferred_substitute_id
    if preferred is not None:
        item = (await uow.shelf.for_cart([preferred])).get(preferred)
        if item is None or not item.available:
            message = "is not a product for sale"
            raise Invalid(
                f"preferred_substitute_id {message}",
                errors=[{"field": "preferred_substitute_id", "message": message}],
            )
    if not await uow.cart.set_choice(user_id, product_id, choice):
        raise _not_in_cart()
    return contents.with_line(product_id, contents.quantity_of(product_id), choice)


def _not_in_cart() -> NotFound:
    return NotFound("This product is not in your cart.")
