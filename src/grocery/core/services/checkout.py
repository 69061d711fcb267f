"""Checkout: the cart becomes an order in one transaction, or nothing changes at all.

The cart's lines are taken out of it first, so a line added while the order is being
placed is not lost with the emptied cart: it waits for the next order. Stock is taken by
one conditional update of all the lines' products, locked in id order so two carts never
wait on each other in a circle; the order is stored counted in its products' sales
(units, revenue, orders), on rows already locked. A promo code's use is counted by a
conditional increment under its max_uses, then the cart is priced by the code's rules
(core/promotions.py) and the delivery terms of the slot it holds, and the hold becomes
the order's booking (taken again when it ran out and the slot has room). Any refusal
(short stock, an unusable code, a full or closed slot, a minimum order not met) rolls
everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from grocery.core.alerts import StockMove
from grocery.core.cart import CartEntry, ShelfItem, short_of_stock
from grocery.core.errors import ErrorDetail, InsufficientStock, Invalid
from grocery.core.fulfilment.slots import HeldSlot, check_address_fits, checkout_terms, slot_full
from grocery.core.fulfilment.zones import DeliveryTerms, FulfilmentMethod
from grocery.core.identity import User
from grocery.core.mail import MailKind
from grocery.core.orders import (
    Answer,
    KeptAnswer,
    Order,
    TakenStock,
    check_idempotency_key,
    order_from_cart,
    replay,
    request_fingerprint,
)
from grocery.core.payments import MANUAL_PAYMENT, Payment
from grocery.core.placement import CartAtCheckout, KeptFor, KeyClaim, Placement
from grocery.core.ports.clock import Clock
from grocery.core.ports.orders import CheckoutWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.pricing import CartLine, PricedCart, check_minimum_order, price_cart
from grocery.core.promotions import PromoCode, normalise_code, promo_used_up
from grocery.core.services.alerts import watch_stock
from grocery.core.services.cart import customer_uses, typed_promo
from grocery.core.services.mail import order_mail
from grocery.core.stock import MovementKind, movements

Render = Callable[[Order], Answer]
"""How the entrypoint answers with a new order; the answer is what a replay gives again."""


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckoutRequest:
    user_id: UUID
    promo_code: str | None = None  # else the code applied to the cart, if any
    idempotency_key: str | None = None
    payment_method: str | None = None  # the card's, from the storefront's Stripe.js

    @property
    def fingerprint(self) -> str:
        code = None if self.promo_code is None else normalise_code(self.promo_code)
        asked: dict[str, object] = {"promo_code": code}
        if self.payment_method is not None:
            asked["payment_method"] = self.payment_method
        return request_fingerprint(asked)


class CheckoutService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[CheckoutWork],
        clock: Clock,
        currency: str,
        prices_include_tax: bool = False,
        require_slot: bool,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._currency = currency
        self._prices_include_tax = prices_include_tax
        self._require_slot = require_slot

    async def place_order(self, request: CheckoutRequest, render: Render) -> Answer:
        """The new order's answer, or the earlier answer for a key already used."""
        placed = await self._place(request, MANUAL_PAYMENT, render)
        assert isinstance(placed, Answer)  # with `render`, the new order is answered
        return placed

    async def _place(
        self, request: CheckoutRequest, payment: Payment, render: Render | None
    ) -> Answer | Order:
        """The opening every checkout shares, in one transaction: the Idempotency-Key claimed
        (a key used before answers what it answered then), the cart checked out, the slot
        booked, committed. With `render` the order is answered, the answer kept under the
        key and the customer mailed with it; without (a card's payment is still to come)
        the order is returned for the caller to go on with."""
        key = (
            None
            if request.idempotency_key is None
            else check_idempotency_key(request.idempotency_key)
        )
        now = self._clock.now()
        claim = None if key is None else KeyClaim(key=key, request_hash=request.fingerprint, at=now)
        async with self._uow() as uow:
            opened = await uow.placements.take_cart(request.user_id, claim)
            if isinstance(opened, KeptAnswer):
                return replay(opened, request.fingerprint)
            taken = await _check_out(
                uow,
                opened,
                request,
                self._currency,
                self._require_slot,
                now,
                prices_include_tax=self._prices_include_tax,
                payment=payment,
            )
            order = taken.order
            answer = None if render is None else render(order)
            await _stored(uow, taken, now, key=key, answer=answer)
            await book_slot(uow, order, now)
            await uow.commit()
        return order if answer is None else answer


@dataclass(frozen=True, slots=True)
class _CheckedOut:
    """A checkout's order, priced, with the stock it took, the code it used and its customer."""

    order: Order
    moves: list[StockMove]
    promo: PromoCode | None
    customer: User | None  # whom the order-placed mail goes to


async def _stored(
    uow: CheckoutWork, taken: _CheckedOut, now: datetime, *, key: str | None, answer: Answer | None
) -> None:
    """Write the order with its stock movements, and with `answer` its mail and the answer kept
    under `key`; then the code's redemption and the alerts its stock take opened."""
    order = taken.order
    sale = movements(taken.moves, MovementKind.SALE, now, order_id=order.id, user_id=order.user_id)
    mail = [] if answer is None else order_mail(MailKind.ORDER_PLACED, order, taken.customer, now)
    kept = None if answer is None or key is None else KeptFor(key=key, answer=answer)
    await uow.placements.place(Placement(order=order, movements=sale, mail=mail, kept=kept))
    if taken.promo is not None:
        await uow.redemptions.record(taken.promo.id, order.user_id, order.id, now)
    await watch_stock(uow, taken.moves, now)


async def _check_out(
    uow: CheckoutWork,
    opened: CartAtCheckout,
    request: CheckoutRequest,
    currency: str,
    require_slot: bool,
    now: datetime,
    *,
    prices_include_tax: bool,
    payment: Payment,
) -> _CheckedOut:
    """The cart `opened` priced into an order, its stock taken, within `uow`; raises (and
    the caller rolls back) on refusal. Nothing of the order is written yet."""
    user_id = request.user_id
    taken, held = opened.cart, opened.held
    wanted = _summed(taken.entries)
    if not wanted:
        raise Invalid("Your cart is empty.", code="cart_empty")
    delivery = checkout_terms(held, now, require_slot=require_slot)
    _check_still_delivered(held, opened.address_zone_id)
    promo = await _chosen_promo(uow, request.promo_code, taken.promo_id)
    stock = await _take_stock(uow, wanted)
    # Lines are priced from the rows their stock was taken from; the cart's lines say
    # what the customer wants done about substitutes.
    choices = {entry.product_id: entry.choice for entry in taken.entries}
    lines = [replace(t.line, choice=choices[t.line.product_id]) for t in stock]
    cart = await _priced(uow, lines, promo, user_id, delivery, now, prices_include_tax)
    check_minimum_order(delivery, cart.goods)
    order = order_from_cart(
        cart,
        user_id=user_id,
        promo_code_id=None if promo is None else promo.id,
        fulfilment=None if held is None else held.order_fulfilment,
        currency=currency,
        now=now,
    )
    moves = [t.move for t in stock]
    return _CheckedOut(replace(order, payment=payment), moves, promo, opened.customer)


def _check_still_delivered(held: HeldSlot | None, zone_id: UUID | None) -> None:
    """Invalid `not_delivered_here` when the held address's postal code, now in `zone_id`,
    no longer falls in its slot's zone: a manager may have edited the zones since the hold."""
    if held is None or held.address is None or held.slot.method is FulfilmentMethod.PICKUP:
        return
    check_address_fits(held.slot, held.address, zone_id)


async def book_slot(uow: CheckoutWork, order: Order, now: datetime) -> None:
    """Turn the customer's hold into the order's booking, or Conflict `slot_full`.

    Done last, right before the commit: every checkout of the slot waits for its row's lock,
    so it is held for the shortest time (and taken after the stock's, as everywhere, so no
    two checkouts wait on each other in a circle).
    """
    slot = order.fulfilment
    if slot is not None and not await uow.bookings.book(slot.slot_id, order.id, order.user_id, now):
        raise slot_full()


def _summed(entries: Sequence[CartEntry]) -> dict[UUID, int]:
    """Units per product, in the cart's order."""
    wanted: dict[UUID, int] = {}
    for entry in entries:
        wanted[entry.product_id] = wanted.get(entry.product_id, 0) + entry.quantity
    return wanted


async def _chosen_promo(
    uow: CheckoutWork, code: str | None, applied: UUID | None
) -> PromoCode | None:
    """The code sent with the checkout, else the one applied to the cart."""
    if code is not None:
        return await typed_promo(uow.promo_codes, code)
    return None if applied is None else await uow.promo_codes.get(applied)


async def _take_stock(uow: CheckoutWork, wanted: dict[UUID, int]) -> list[TakenStock]:
    """Take every line's stock, the lines back in the cart's order.

    InsufficientStock naming every short product when any is; the caller rolls back
    what was taken.
    """
    taken = await uow.stock.take(wanted)
    short = {product_id: units for product_id, units in wanted.items() if product_id not in taken}
    if short:
        raise await _shortage(uow, short)
    return [taken[product_id] for product_id in wanted]


async def _shortage(uow: CheckoutWork, requested: dict[UUID, int]) -> InsufficientStock:
    shelf = await uow.shelf.for_cart(list(requested))
    errors = [_short(shelf.get(product_id), product_id, n) for product_id, n in requested.items()]
    return InsufficientStock("Some products in your cart are short of stock.", errors=errors)


def _short(item: ShelfItem | None, product_id: UUID, quantity: int) -> ErrorDetail:
    available = 0 if item is None else item.on_shelf
    name = "This product" if item is None else item.name
    message = f"{name}: {quantity} wanted, {available} in stock"
    return short_of_stock("items", message, product_id, quantity, available)


async def _priced(
    uow: CheckoutWork,
    lines: list[CartLine],
    promo: PromoCode | None,
    user_id: UUID,
    delivery: DeliveryTerms | None,
    now: datetime,
    prices_include_tax: bool,
) -> PricedCart:
    """The lines priced strictly, the code's use counted under its max_uses.

    The claim locks the code's row before the customer's own redemptions are counted, so a
    concurrent checkout by the same customer waits on it and then counts this one's. The
    code's rules then give the first reason it can't be used; a claim that found the code
    used up (a use taken since it was read) refuses after them.
    """
    with_tax = prices_include_tax
    if promo is None:
        return price_cart(
            lines, None, now, uses_by_customer=0, delivery=delivery, prices_include_tax=with_tax
        )
    claimed = await uow.redemptions.claim(promo.id)
    uses = await customer_uses(uow.promo_codes, promo, user_id)
    cart = price_cart(
        lines, promo, now, uses_by_customer=uses, delivery=delivery, prices_include_tax=with_tax
    )
    if not claimed:
        raise promo_used_up()
    return cart
