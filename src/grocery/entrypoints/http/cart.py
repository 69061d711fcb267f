"""The cart over HTTP. Every path addresses the caller's own cart: a customer's, from their
access token, or a guest's, from the guest cart's token in X-Cart-Token; never from the
path or the body."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, UnsetType

from grocery.config import Settings
from grocery.core.cart import MAX_LINE_QUANTITY
from grocery.core.errors import DomainError
from grocery.core.fulfilment.slots import CartFulfilment
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.identity import Principal
from grocery.core.money import format_money
from grocery.core.pricing import PricedCart
from grocery.core.services.cart import CartService
from grocery.core.services.slot_holds import SlotHoldService
from grocery.core.substitutions import Substitution, SubstitutionRequest
from grocery.entrypoints.http.catalog import kg_text
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import documented
from grocery.entrypoints.http.guards import CartOwner, cart_holder, signed_in
from grocery.entrypoints.metrics import Tally


class SubstitutionFields(msgspec.Struct):
    """A line's substitution choice; sending either field sets the whole choice (a field left
    out takes its default: substitutes allowed, none preferred)."""

    substitution: str | UnsetType = UNSET  # "allow" or "none"
    preferred_substitute_id: UUID | UnsetType | None = UNSET

    def choice(self) -> SubstitutionRequest | None:
        if self.substitution is UNSET and self.preferred_substitute_id is UNSET:
            return None
        return SubstitutionRequest(
            substitution=Substitution.ALLOW if self.substitution is UNSET else self.substitution,
            preferred_substitute_id=None
            if self.preferred_substitute_id is UNSET
            else self.preferred_substitute_id,
        )


class AddToCartBody(SubstitutionFields, kw_only=True):
    product_id: UUID
    quantity: Annotated[int, documented(minimum=1, maximum=MAX_LINE_QUANTITY)] = 1


class QuantityBody(SubstitutionFields):
    quantity: (
        Annotated[int, documented("0 removes the line.", minimum=0, maximum=MAX_LINE_QUANTITY)]
        | None
    ) = None  # may be left out to change only the substitution choice


class PromoCodeChoice(msgspec.Struct):
    code: str


class CartLineOut(msgspec.Struct):
    product_id: UUID
    name: str
    unit_price: str
    quantity: int
    line_total: str
    available: bool
    discount: str  # this line's share of the promo's discount
    tax: str  # on line_total: added on top, or the part of it that is tax
    estimated: bool  # sold by weight: line_total is an estimate until the line is weighed
    estimated_weight_kg: str | None
    substitution: Substitution
    preferred_substitute_id: UUID | None


class SlotBody(msgspec.Struct):
    slot_id: UUID
    address_id: UUID | None = None  # required for a delivery slot: one of the caller's own


class SlotTimesOut(msgspec.Struct):
    id: UUID
    starts_at: datetime
    ends_at: datetime


class CartFulfilmentOut(msgspec.Struct):
    method: FulfilmentMethod
    slot: SlotTimesOut
    address_id: UUID | None
    pickup_point_id: UUID | None
    held_until: datetime  # once past, checkout takes the place again if there is room

    @classmethod
    def of(cls, held: CartFulfilment | None) -> CartFulfilmentOut | None:
        if held is None:
            return None
        return cls(
            method=held.method,
            slot=SlotTimesOut(id=held.slot_id, starts_at=held.starts_at, ends_at=held.ends_at),
            address_id=held.address_id,
            pickup_point_id=held.pickup_point_id,
            held_until=held.held_until,
        )


class CartOut(msgspec.Struct):
    items: list[CartLineOut]
    subtotal: str
    discount: str
    delivery_fee: str  # the slot's zone fee; 0.00 for pickup, without a slot, or over the threshold
    tax: str
    total: str  # subtotal - discount + delivery_fee (+ tax when prices exclude it)
    prices_include_tax: bool  # false: tax is added to the total
    promo_code: str | None
    currency: str
    # Why the saved code is left off now (a reason code such as "promo_expired"), else null.
    promo_problem: str | None
    fulfilment: CartFulfilmentOut | None  # the slot the cart holds

    @classmethod
    def of(cls, cart: PricedCart, currency: str) -> CartOut:
        return cls(
            items=[
                CartLineOut(
                    product_id=line.product_id,
                    name=line.name,
                    unit_price=format_money(line.unit_price),
                    quantity=line.quantity,
                    line_total=format_money(line.line_total),
                    available=line.available,
                    discount=format_money(line.discount),
                    tax=format_money(line.tax),
                    estimated=line.weighing is not None,
                    estimated_weight_kg=kg_text(line.estimated_weight_kg),
                    substitution=line.choice.substitution,
                    preferred_substitute_id=line.choice.preferred_substitute_id,
                )
                for line in cart.lines
            ],
            subtotal=format_money(cart.subtotal),
            discount=format_money(cart.discount),
            delivery_fee=format_money(cart.delivery_fee),
            tax=format_money(cart.tax),
            total=format_money(cart.total),
            prices_include_tax=cart.prices_include_tax,
            promo_code=cart.promo_code,
            currency=currency,
            promo_problem=None if cart.promo_rejection is None else cart.promo_rejection.value,
            fulfilment=CartFulfilmentOut.of(cart.fulfilment),
        )


@dataclass(frozen=True, slots=True)
class Carts:
    """The cart service of each kind of cart: customers' and guests'."""

    customers: CartService
    guests: CartService

    def of(self, owner: CartOwner) -> CartService:
        return self.guests if owner.guest else self.customers


class CartController(Controller):
    path = "/cart"
    tags = ("cart",)
    guards = (cart_holder,)

    @get("/")
    async def show(
        self,
        cart_owner: Injected[CartOwner],
        carts: Injected[Carts],
        settings: Injected[Settings],
    ) -> CartOut:
        """The cart priced now, with the applied promo code if it still applies."""
        return CartOut.of(await carts.of(cart_owner).view(cart_owner.owner_id), settings.currency)

    @post(
        "/items",
        responses={
            200: ResponseSpec(
                data_container=CartOut, description="The line grew", generate_examples=False
            )
        },
    )
    async def add_item(
        self,
        data: JSONBody[AddToCartBody],
        cart_owner: Injected[CartOwner],
        carts: Injected[Carts],
        settings: Injected[Settings],
    ) -> Response[CartOut]:
        """Add to the product's line: 201 when the line is new, 200 when it grew. A
        substitution choice sent along is set on the line."""
        change = await carts.of(cart_owner).add(
            cart_owner.owner_id, data.product_id, data.quantity, data.choice()
        )
        return Response(
            CartOut.of(change.cart, settings.currency), status_code=201 if change.created else 200
        )

    @patch("/items/{product_id:uuid}")
    async def set_quantity(
        self,
        product_id: FromPath[UUID],
        data: JSONBody[QuantityBody],
        cart_owner: Injected[CartOwner],
        carts: Injected[Carts],
        settings: Injected[Settings],
    ) -> CartOut:
        """Set the line's quantity (0 removes it), its substitution choice, or both."""
        priced = await carts.of(cart_owner).set_quantity(
            cart_owner.owner_id, product_id, data.quantity, data.choice()
        )
        return CartOut.of(priced, settings.currency)

    @delete("/items/{product_id:uuid}", status_code=204)
    async def remove_item(
        self,
        product_id: FromPath[UUID],
        cart_owner: Injected[CartOwner],
        carts: Injected[Carts],
    ) -> None:
        await carts.of(cart_owner).remove(cart_owner.owner_id, product_id)

    @delete("/", status_code=204)
    async def empty(self, cart_owner: Injected[CartOwner], carts: Injected[Carts]) -> None:
        """Every line and the applied promo code go."""
        await carts.of(cart_owner).empty(cart_owner.owner_id)

    @put("/promo")
    async def apply_promo(
        self,
        data: JSONBody[PromoCodeChoice],
        cart_owner: Injected[CartOwner],
        carts: Injected[Carts],
        settings: Injected[Settings],
    ) -> CartOut:
        """Apply a promo code; one the cart can't use answers 422 with the reason's code."""
        return CartOut.of(
            await carts.of(cart_owner).apply_promo(cart_owner.owner_id, data.code),
            settings.currency,
        )

    @delete("/promo", status_code=204)
    async def drop_promo(self, cart_owner: Injected[CartOwner], carts: Injected[Carts]) -> None:
        await carts.of(cart_owner).drop_promo(cart_owner.owner_id)

    @put("/slot", guards=[signed_in])  # a guest signs in first: addresses are customers'
    async def hold_slot(
        self,
        data: JSONBody[SlotBody],
        principal: Injected[Principal],
        slot_holds: Injected[SlotHoldService],
        settings: Injected[Settings],
        metrics: Injected[Tally],
    ) -> CartOut:
        """Hold a place in a delivery or pickup slot for the cart (GROCERY_SLOT_HOLD_MINUTES),
        in place of any slot it held. Full -> 409 `slot_full`; past its cutoff -> 422
        `slot_closed`; an address outside the slot's zone -> 422 `not_delivered_here`."""
        try:
            priced = await slot_holds.hold(principal.user_id, data.slot_id, data.address_id)
        except DomainError as refused:
            metrics.slot_booking(refused.code)
            raise
        metrics.slot_booking("held")
        return CartOut.of(priced, settings.currency)

    @delete("/slot", status_code=204, guards=[signed_in])
    async def release_slot(
        self, principal: Injected[Principal], slot_holds: Injected[SlotHoldService]
    ) -> None:
        """The held place goes back to the slot."""
        await slot_holds.release(principal.user_id)
