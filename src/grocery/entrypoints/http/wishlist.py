"""The signed-in customer's wishlist over HTTP; like the cart, always the caller's own."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from grocery.config import Settings
from grocery.core.cart import WishlistMark
from grocery.core.errors import Invalid
from grocery.core.identity import Principal
from grocery.core.money import format_money
from grocery.core.services.wishlist import WishlistEntry, WishlistService
from grocery.entrypoints.http.cart import CartOut
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import signed_in


class WishBody(msgspec.Struct):
    product_id: UUID


class ProductSummaryOut(msgspec.Struct):
    id: UUID
    name: str
    slug: str
    price: str
    in_stock: bool
    available: bool  # false once the product is archived
    image_url: str | None


class WishlistItemOut(msgspec.Struct):
    product_id: UUID
    added_at: datetime
    product: ProductSummaryOut

    @classmethod
    def of(cls, entry: WishlistEntry) -> WishlistItemOut:
        wished = entry.product
        return cls(
            product_id=wished.product_id,
            added_at=wished.added_at,
            product=ProductSummaryOut(
                id=wished.product_id,
                name=wished.name,
                slug=wished.slug,
                price=format_money(wished.price),
                in_stock=wished.in_stock,
                available=wished.available,
                image_url=entry.image_url,
            ),
        )


class WishlistOut(msgspec.Struct):
    items: list[WishlistItemOut]
    next_cursor: str | None


class WishlistController(Controller):
    path = "/wishlist"
    tags = ("wishlist",)
    guards = (signed_in,)

    @get("/")
    async def show(
        self,
        principal: Injected[Principal],
        wishlist: Injected[WishlistService],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        cursor: FromQuery[str | None] = None,
    ) -> WishlistOut:
        """Newest first."""
        page = await wishlist.page(principal.user_id, after=_read_cursor(cursor), limit=limit)
        return WishlistOut(
            items=[WishlistItemOut.of(entry) for entry in page.entries],
            next_cursor=None if page.next_mark is None else _cursor(page.next_mark),
        )

    @post(
        "/",
        responses={
            200: ResponseSpec(
                data_container=WishlistItemOut,
                description="Already wished",
                generate_examples=False,
            )
        },
    )
    async def add(
        self,
        data: JSONBody[WishBody],
        principal: Injected[Principal],
        wishlist: Injected[WishlistService],
    ) -> Response[WishlistItemOut]:
        """201 when added, 200 when it was already there."""
        change = await wishlist.add(principal.user_id, data.product_id)
        return Response(
            WishlistItemOut.of(change.entry), status_code=201 if change.created else 200
        )

    @delete("/{product_id:uuid}", status_code=204)
    async def remove(
        self,
        product_id: FromPath[UUID],
        principal: Injected[Principal],
        wishlist: Injected[WishlistService],
    ) -> None:
        await wishlist.remove(principal.user_id, product_id)

    @post("/{product_id:uuid}/move-to-cart", status_code=200)
    async def move_to_cart(
        self,
        product_id: FromPath[UUID],
        principal: Injected[Principal],
        wishlist: Injected[WishlistService],
        settings: Injected[Settings],
    ) -> CartOut:
        """One more in the cart, off the wishlist; answers with the priced cart."""
        cart = await wishlist.move_to_cart(principal.user_id, product_id)
        return CartOut.of(cart, settings.currency)


_Moment = Annotated[datetime, msgspec.Meta(tz=True)]


def _cursor(mark: WishlistMark) -> str:
    """Opaque to clients: the last row's (added_at, product_id), for a keyset page."""
    added_at, product_id = mark
    return base64.urlsafe_b64encode(msgspec.json.encode([added_at, product_id])).decode()


def _read_cursor(cursor: str | None) -> WishlistMark | None:
    if cursor is None:
        return None
    try:
        added_at, product_id = msgspec.json.decode(
            base64.urlsafe_b64decode(cursor), type=tuple[_Moment, UUID]
        )
    except (ValueError, binascii.Error, msgspec.DecodeError):
        raise Invalid(
            "The cursor is not valid.", errors=[{"field": "cursor", "message": "not a cursor"}]
        ) from None
    return added_at, product_id
