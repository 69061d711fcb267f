"""The wishlist: products a customer keeps for later, and moving one into the cart."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from grocery.core.cart import WishedProduct, WishlistMark, for_sale
from grocery.core.errors import NotFound
from grocery.core.paging import keyset_page
from grocery.core.ports.blobs import BlobStore
from grocery.core.ports.clock import Clock
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.ports.wishlists import WishlistWork
from grocery.core.pricing import PricedCart
from grocery.core.services.cart import priced_contents, put_in_cart


@dataclass(frozen=True, slots=True)
class WishlistEntry:
    product: WishedProduct
    image_url: str | None


@dataclass(frozen=True, slots=True)
class WishlistPage:
    entries: list[WishlistEntry]
    next_mark: WishlistMark | None  # where the next page starts; None on the last


@dataclass(frozen=True, slots=True)
class WishlistChange:
    entry: WishlistEntry
    created: bool  # False when it was already on the wishlist


class WishlistService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[WishlistWork],
        clock: Clock,
        blobs: BlobStore,
        prices_include_tax: bool = False,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._blobs = blobs
        self._prices_include_tax = prices_include_tax

    async def page(self, user_id: UUID, *, after: WishlistMark | None, limit: int) -> WishlistPage:
        """Newest first."""
        async with self._uow() as uow:
            wished, last = await keyset_page(
                lambda rows: uow.wishlist.page(user_id, after=after, limit=rows), limit
            )
        return WishlistPage(
            entries=[await self._entry(product) for product in wished],
            next_mark=None if last is None else (last.added_at, last.product_id),
        )

    async def add(self, user_id: UUID, product_id: UUID) -> WishlistChange:
        """Idempotent: adding a product that is already there changes nothing."""
        async with self._uow() as uow:
            for_sale((await uow.shelf.for_cart([product_id])).get(product_id))
            created = await uow.wishlist.add(user_id, product_id, self._clock.now())
            wished = await uow.wishlist.get(user_id, product_id)
            if wished is None:  # the product was deleted meanwhile
                raise NotFound("There is no such product.")
            await uow.commit()
        return WishlistChange(entry=await self._entry(wished), created=created)

    async def remove(self, user_id: UUID, product_id: UUID) -> None:
        async with self._uow() as uow:
            if not await uow.wishlist.remove(user_id, product_id):
                raise _not_wished()
            await uow.commit()

    async def move_to_cart(self, user_id: UUID, product_id: UUID) -> PricedCart:
        """One more of it in the cart and off the wishlist, both or neither.

        Removing the row first means a second, concurrent move finds nothing to move.
        """
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.wishlist.remove(user_id, product_id):
                raise _not_wished()
            contents, _ = await put_in_cart(uow, user_id, product_id, 1, now)
            cart = await priced_contents(uow, user_id, contents, now, self._prices_include_tax)
            await uow.commit()
        return cart

    async def _entry(self, product: WishedProduct) -> WishlistEntry:
        key = product.image_key
        return WishlistEntry(
            product=product, image_url=None if key is None else await self._blobs.url_for(key)
        )


def _not_wished() -> NotFound:
    return NotFound("This product is not on your wishlist.")
