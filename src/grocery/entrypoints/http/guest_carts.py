"""Guest carts over HTTP: anyone may open one, and a customer brings one into their own cart
at sign-in. The guest's lines themselves go through the cart routes, with X-Cart-Token."""

from __future__ import annotations

import msgspec
from litestar import Controller, post
from litestar.params import JSONBody

from grocery.config import Settings
from grocery.core.identity import Principal
from grocery.core.services.guest_carts import GuestCartService
from grocery.entrypoints.http.auth import NO_STORE
from grocery.entrypoints.http.cart import CartOut
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import PUBLIC, signed_in


class GuestCartOut(msgspec.Struct):
    cart_token: str  # send it as X-Cart-Token on the cart routes


class CartTokenBody(msgspec.Struct):
    cart_token: str


class GuestCartController(Controller):
    path = "/"
    tags = ("cart",)
    cache_control = NO_STORE  # a token: never kept by a cache

    @post("/guest-carts", status_code=201, opt=PUBLIC)
    async def open(self, guest_carts: Injected[GuestCartService]) -> GuestCartOut:
        """Open an empty guest cart; its token is shown this once. It expires after 30
        days unused."""
        return GuestCartOut(cart_token=await guest_carts.open())

    @post("/cart/merge", status_code=200, guards=[signed_in])
    async def merge(
        self,
        data: JSONBody[CartTokenBody],
        principal: Injected[Principal],
        guest_carts: Injected[GuestCartService],
        settings: Injected[Settings],
    ) -> CartOut:
        """Bring a guest cart into your own: quantities are added (capped by the stock and
        999), your own substitution choices and promo code are kept, and the guest cart is
        gone. 404 when no live guest cart has the token."""
        cart = await guest_carts.merge(principal.user_id, data.cart_token)
        return CartOut.of(cart, settings.currency)
