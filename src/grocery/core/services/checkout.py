"""Checkout: the cart becomes an order in one transaction, or nothing changes at all.

The cart's lines are taken out of it first, so a line added while the order is being
placed is not lost with the emptied cart: it waits for the next order. Stock is taken by
one conditional update of all the lines' products, locked in id order so two carts never
wait on each other in a circle; the order is stored counted in its products' sales
(units, revenue, orders), on rows already locked. A promo code's use is counted by a
conditional increment under its max_uses. Any refusal (short stock, an unusable code)
rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from grocery.core.cart import CartEntry
from grocery.core.errors import ErrorDetail, InsufficientStock, Invalid
from grocery.core.orders import (
    Answer,
    Order,
    TakenStock,
    check_idempotency_key,
    order_from_cart,
    replay,
    request_fingerprint,
)
from grocery.core.ports.clock import Clock
from grocery.core.ports.orders import CheckoutWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.pricing import price_cart
from grocery.core.promotions import (
    PromoCode,
    PromoRejected,
    PromoRejection,
    normalise_code,
    promo_not_found,
)
from grocery.core.services.alerts import watch_stock

Render = Callable[[Order], Answer]
"""How the entrypoint answers with a new order; the answer is what a replay gives again."""


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckoutRequest:
    user_id: UUID
    promo_code: str | None = None  # else the code applied to the cart, if any
    idempotency_key: str | None = None

    @property
    def fingerprint(self) -> str:
        code = None if self.promo_code is None else normalise_code(self.promo_code)
        return request_fingerprint({"promo_code": code})


class CheckoutService:
    def __init__(
        self, *, uow: UnitOfWorkFactory[CheckoutWork], clock: Clock, currency: str
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._currency = currency

    async def place_order(self, request: CheckoutRequest, render: Render) -> Answer:
        """The new order's answer, or the earlier answer for a key already used."""
        key = (
            None
            if request.idempotency_key is None
            else check_idempotency_key(request.idempotency_key)
        )
        now = self._clock.now()
        async with self._uow() as uow:
            if key is not None:
                kept = await uow.idempotency_keys.claim(
                    request.user_id, key, request.fingerprint, now
                )
                if kept is not None:
                    return replay(kept, request.fingerprint)
            order = await _check_out(uow, request, self._currency, now)
            answer = render(order)
            if key is not None:
                await uow.idempotency_keys.answer(request.user_id, key, answer, order.id)
            await uow.commit()
        return answer


async def _check_out(
    uow: CheckoutWork, request: CheckoutRequest, currency: str, now: datetime
) -> Order:
    """Every write of a checkout, within `uow`; raises (and the caller rolls back) on refusal."""
    user_id = request.user_id
    taken = await uow.cart.take_all(user_id)
    wanted = _summed(taken.entries)
    if not wanted:
        raise Invalid("Your cart is empty.", code="cart_empty")
    promo = await _chosen_promo(uow, request.promo_code, taken.promo_id)
    stock = await _take_stock(uow, wanted)
    cart = price_cart([t.line for t in stock], promo, now)
    if promo is not None:
        await _redeem(uow, promo, user_id)
    order = order_from_cart(
        cart,
        user_id=user_id,
        promo_code_id=None if promo is None else promo.id,
        currency=currency,
        now=now,
    )
    await uow.orders.add(order)
    if promo is not None:
        await uow.redemptions.record(promo.id, user_id, order.id, now)
    await watch_stock(uow, (t.move for t in stock), now)
    return order


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
        promo = await uow.promo_codes.by_code(normalise_code(code))
        if promo is None:
            raise promo_not_found()
        return promo
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
    errors: list[ErrorDetail] = []
    for product_id, quantity in requested.items():
        item = shelf.get(product_id)
        available = item.stock if item is not None and item.available else 0
        name = item.name if item is not None else "This product"
        errors.append(
            {
                "field": "items",
                "message": f"{name}: {quantity} wanted, {available} in stock",
                "product_id": str(product_id),
                "requested": quantity,
                "available": available,
            }
        )
    return InsufficientStock("Some products in your cart are short of stock.", errors=errors)


async def _redeem(uow: CheckoutWork, promo: PromoCode, user_id: UUID) -> None:
    """Count the use under max_uses, then check this customer's own limit.

    The claim locks the code's row, so a concurrent checkout by the same customer waits
    here and then counts this one's redemption.
    """
    if not await uow.redemptions.claim(promo.id):
        raise PromoRejected(PromoRejection.USAGE_LIMIT_REACHED)
    limit = promo.max_uses_per_customer
    if limit is not None and await uow.promo_codes.uses_by_customer(promo.id, user_id) >= limit:
        raise PromoRejected(PromoRejection.CUSTOMER_LIMIT_REACHED)
