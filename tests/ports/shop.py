"""Things to store and a Seed that stores them through the ports, for the port tests.

Everything goes through a unit of work's repositories, so the same setup serves the memory
and the SQL adapters alike.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from grocery.core.alerts import LowStockAlert
from grocery.core.catalog import Category, Product, ProductImage, Unit
from grocery.core.identity import RefreshToken, Role, User
from grocery.core.money import cents
from grocery.core.orders import Order, OrderLine, OrderStatus
from grocery.core.outbox import OutboxMessage
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.ports.unit_of_work import UnitOfWork
from grocery.core.promotions import DiscountType, PromoCode

OpenWork = UnitOfWorkFactory[UnitOfWork]
"""Opens a unit of work on the adapters under test."""

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A moment `minutes` after NOW (before it when negative)."""
    return NOW + timedelta(minutes=minutes)


def ascending_ids(count: int) -> list[UUID]:
    """Random ids in the order both Python and PostgreSQL sort them."""
    return sorted(uuid4() for _ in range(count))


def _name() -> str:
    return uuid4().hex[:12]


def a_user(**fields: Any) -> User:
    name = f"user-{_name()}"
    values: dict[str, Any] = {
        "id": uuid4(),
        "email": f"{name}@example.com",
        "username": name,
        "password_hash": "hashed",
        "role": Role.CUSTOMER,
        "is_active": True,
        "created_at": NOW,
    }
    return User(**{**values, **fields})


def a_token(user: User, **fields: Any) -> RefreshToken:
    values: dict[str, Any] = {
        "id": uuid4(),
        "family_id": uuid4(),
        "user_id": user.id,
        "token_hash": uuid4().hex,
        "expires_at": at(60),
    }
    return RefreshToken(**{**values, **fields})


def a_category(**fields: Any) -> Category:
    name = f"Aisle {_name()}"
    values: dict[str, Any] = {"id": uuid4(), "name": name, "slug": name.lower().replace(" ", "-")}
    return Category(**{**values, **fields})


def a_product(category: Category, **fields: Any) -> Product:
    name = f"Apples {_name()}"
    values: dict[str, Any] = {
        "id": uuid4(),
        "category_id": category.id,
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "description": "Crisp.",
        "price": Decimal("2.50"),
        "stock": 10,
        "unit": Unit.PIECE,
        "low_stock_threshold": 2,
        "created_at": NOW,
    }
    return Product(**{**values, **fields})


def an_image(product: Product, **fields: Any) -> ProductImage:
    values: dict[str, Any] = {
        "id": uuid4(),
        "product_id": product.id,
        "key": f"products/{product.id}/{uuid4().hex}.png",
        "content_type": "image/png",
        "size": 100,
        "width": 10,
        "height": 10,
    }
    return ProductImage(**{**values, **fields})


def a_promo(**fields: Any) -> PromoCode:
    values: dict[str, Any] = {
        "id": uuid4(),
        "code": f"SAVE-{_name().upper()}",
        "discount_type": DiscountType.PERCENT,
        "value": Decimal(10),
        "created_at": NOW,
    }
    return PromoCode(**{**values, **fields})


def an_order(user: User, *lines: tuple[Product, int], **fields: Any) -> Order:
    """An order for these products at their prices, without a discount."""
    order_lines = tuple(
        OrderLine(
            id=line_id,
            product_id=product.id,
            product_name=product.name,
            quantity=quantity,
            price_at_purchase=product.price,
            discount=Decimal("0.00"),
            line_total=cents(product.price * quantity),
        )
        for line_id, (product, quantity) in zip(ascending_ids(len(lines)), lines, strict=True)
    )
    subtotal = sum((line.line_total for line in order_lines), Decimal("0.00"))
    values: dict[str, Any] = {
        "id": uuid4(),
        "user_id": user.id,
        "status": OrderStatus.PLACED,
        "lines": order_lines,
        "subtotal": subtotal,
        "discount": Decimal("0.00"),
        "total": subtotal,
        "promo_code_id": None,
        "promo_code": None,
        "currency": "EUR",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Order(**{**values, **fields})


def an_alert(product: Product, **fields: Any) -> LowStockAlert:
    values: dict[str, Any] = {
        "id": uuid4(),
        "product_id": product.id,
        "stock": 1,
        "threshold": product.low_stock_threshold,
        "created_at": NOW,
    }
    return LowStockAlert(**{**values, **fields})


def a_message(due: datetime, **fields: Any) -> OutboxMessage:
    message_id = uuid4()
    values: dict[str, Any] = {
        "id": message_id,
        "kind": "stock.low",
        "payload": {"event": "stock.low", "stock": 1, "product": {"name": "Apples"}},
        "idempotency_key": str(message_id),
        "created_at": NOW,
        "next_attempt_at": due,
    }
    return OutboxMessage(**{**values, **fields})


class Seed:
    """Stores things through the ports, one committed unit of work each."""

    def __init__(self, uow: OpenWork) -> None:
        self._uow = uow

    async def user(self, **fields: Any) -> User:
        user = a_user(**fields)
        async with self._uow() as uow:
            await uow.users.add(user)
            await uow.commit()
        return user

    async def category(self, **fields: Any) -> Category:
        category = a_category(**fields)
        async with self._uow() as uow:
            await uow.categories.add(category)
            await uow.commit()
        return category

    async def product(self, category: Category | None = None, **fields: Any) -> Product:
        product = a_product(category or await self.category(), **fields)
        async with self._uow() as uow:
            await uow.products.add(product)
            await uow.commit()
        return product

    async def image(self, product: Product, **fields: Any) -> ProductImage:
        image = an_image(product, **fields)
        async with self._uow() as uow:
            await uow.product_images.add(image)
            await uow.commit()
        return image

    async def promo(self, **fields: Any) -> PromoCode:
        promo = a_promo(**fields)
        async with self._uow() as uow:
            await uow.promo_codes.add(promo)
            await uow.commit()
        return promo

    async def order(self, user: User, *lines: tuple[Product, int], **fields: Any) -> Order:
        """Stored as checkout stores it: counted in its products' sales."""
        order = an_order(user, *lines, **fields)
        async with self._uow() as uow:
            await uow.orders.add(order)
            await uow.commit()
        return order

    async def redeemed(self, promo: PromoCode, user: User, product: Product) -> Order:
        """An order of `user`'s that redeemed `promo`, its use claimed and recorded."""
        order = an_order(user, (product, 1), promo_code_id=promo.id, promo_code=promo.code)
        async with self._uow() as uow:
            assert await uow.redemptions.claim(promo.id)
            await uow.orders.add(order)
            await uow.redemptions.record(promo.id, user.id, order.id, NOW)
            await uow.commit()
        return order

    async def archived(self, product: Product) -> Product:
        async with self._uow() as uow:
            await uow.products.archive(product.id)
            await uow.commit()
        return replace(product, archived=True)
