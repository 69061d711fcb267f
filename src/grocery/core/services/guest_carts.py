"""Guest carts: opening one, knowing its holder by token, and merging it into a customer's
cart at sign-in. The guest's lines themselves are changed by a CartService whose unit of
work addresses guest carts (its `user_id` is then the guest cart's id)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from grocery.core.guest_carts import (
    GUEST_CART_IDLE,
    guest_cart_refused,
    merged_lines,
    no_such_guest_cart,
)
from grocery.core.ids import new_id
from grocery.core.ports.carts import GuestCartWork
from grocery.core.ports.clock import Clock
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.pricing import PricedCart
from grocery.core.services.auth import RefreshTokenMint
from grocery.core.services.cart import priced_cart


class GuestCartService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[GuestCartWork],
        mint: RefreshTokenMint,
        clock: Clock,
        prices_include_tax: bool = False,
    ) -> None:
        self._uow = uow
        self._mint = mint
        self._clock = clock
        self._prices_include_tax = prices_include_tax

    async def open(self) -> str:
        """A new, empty guest cart: its token, handed out this once (only its hash is kept)."""
        plain, token_hash = self._mint.new()
        async with self._uow() as uow:
            await uow.guest_carts.open(new_id(), token_hash, self._clock.now())
            await uow.commit()
        return plain

    async def holder(self, token: str) -> UUID:
        """The id of the live guest cart the token opens, now marked used; NotAuthenticated
        (`invalid_cart_token`) when none does."""
        now = self._clock.now()
        async with self._uow() as uow:
            cart_id = await uow.guest_carts.find(
                self._mint.hash(token), at=now, idle_since=now - GUEST_CART_IDLE
            )
            if cart_id is None:
                raise guest_cart_refused()
            await uow.commit()
        return cart_id

    async def merge(self, user_id: UUID, token: str) -> PricedCart:
        """The guest's lines join the customer's cart and the guest cart is gone; NotFound
        when no live guest cart has the token (merged already, say)."""
        now = self._clock.now()
        async with self._uow() as uow:
            taken = await uow.guest_carts.take(
                self._mint.hash(token), idle_since=now - GUEST_CART_IDLE
            )
            if taken is None:
                raise no_such_guest_cart()
            customer = await uow.shelf.in_cart(user_id)
            shelf = await uow.shelf.for_cart([entry.product_id for entry in taken.entries])
            for order, line in enumerate(merged_lines(customer, taken.entries, shelf)):
                if line.added:  # after the customer's lines, in the guest's order
                    at = now + timedelta(microseconds=order)
                    await uow.cart.add(user_id, line.product_id, line.added, at=at, room=line.room)
                if line.choice is not None:
                    await uow.cart.set_choice(user_id, line.product_id, line.choice)
            if customer.promo_id is None and taken.promo_id is not None:
                await uow.cart.set_promo(user_id, taken.promo_id)
            cart = await priced_cart(uow, user_id, now, self._prices_include_tax)
            await uow.commit()
        return cart
