"""A shop on the in-memory adapters for checkout, order and alert service tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec

from grocery.adapters.memory.carts import StoredLine
from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.core.catalog import Category, Product, Unit
from grocery.core.identity import Principal, Role
from grocery.core.orders import Answer, Order
from grocery.core.promotions import DiscountType, PromoCode
from grocery.core.services.checkout import CheckoutRequest, CheckoutService
from grocery.core.services.orders import OrderService

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


class SteppingClock:
    """Each reading is a second later, so orders placed one after another sort by time."""

    def __init__(self) -> None:
        self.moment = NOW

    def now(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


def answer_with_id(order: Order) -> Answer:
    body = {"id": str(order.id), "total": str(order.total)}
    return Answer(status=201, body=msgspec.json.encode(body))


class Shop:
    def __init__(self, *, require_slot: bool = False) -> None:
        self.store = MemoryStore()
        self.clock = SteppingClock()
        self.checkout = CheckoutService(
            uow=self.uow, clock=self.clock, currency="EUR", require_slot=require_slot
        )
        self.orders = OrderService(uow=self.uow, clock=self.clock, timezone="Europe/Paris")
        category = Category(id=uuid4(), name="Produce", slug="produce")
        self.store.catalog.categories[category.id] = category
        self.produce = category.id

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    def product(self, price: str = "2.50", *, stock: int = 10, threshold: int = 0) -> Product:
        product_id = uuid4()
        product = Product(
            id=product_id,
            category_id=self.produce,
            name=f"Item {product_id.hex[:6]}",
            slug=f"item-{product_id.hex[:6]}",
            description="",
            price=Decimal(price),
            stock=stock,
            unit=Unit.PIECE,
            low_stock_threshold=threshold,
            created_at=NOW,
        )
        self.store.catalog.products[product.id] = product
        return product

    def stored(self, product: Product) -> Product:
        return self.store.catalog.products[product.id]

    def change(self, product: Product, **fields: Any) -> None:
        self.store.catalog.products[product.id] = replace(self.stored(product), **fields)

    def promo(self, code: str = "SAVE10", **terms: Any) -> PromoCode:
        values: dict[str, Any] = {"discount_type": DiscountType.PERCENT, "value": Decimal("10")}
        promo = PromoCode(id=uuid4(), code=code, created_at=NOW, **{**values, **terms})
        self.store.promotions.promo_codes[promo.id] = promo
        return promo

    def times_used(self, promo: PromoCode) -> int:
        return self.store.promotions.promo_codes[promo.id].times_used

    def fill(
        self, user_id: UUID, *lines: tuple[Product, int], promo: PromoCode | None = None
    ) -> None:
        for product, quantity in lines:  # each a second after the one before, oldest first
            added_at = NOW + timedelta(seconds=len(self.store.carts.lines))
            self.store.carts.lines[user_id, product.id] = StoredLine(quantity, added_at)
        if promo is not None:
            self.store.carts.applied_promos[user_id] = promo.id

    def cart(self, user_id: UUID) -> dict[UUID, int]:
        return {p: line.quantity for (u, p), line in self.store.carts.lines.items() if u == user_id}

    async def place(self, user_id: UUID, *lines: tuple[Product, int], **request: Any) -> Order:
        self.fill(user_id, *lines)
        answer = await self.checkout.place_order(
            CheckoutRequest(user_id=user_id, **request), answer_with_id
        )
        return self.store.orders.orders[UUID(msgspec.json.decode(answer.body)["id"])]


def customer() -> Principal:
    return Principal(user_id=uuid4(), role=Role.CUSTOMER)


def manager() -> Principal:
    return Principal(user_id=uuid4(), role=Role.MANAGER)
