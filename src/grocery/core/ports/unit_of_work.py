"""One transaction per use case."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from grocery.core.ports.accounts import (
    LoginFailureRepository,
    RefreshTokenRepository,
    UserRepository,
)
from grocery.core.ports.alerts import LowStockAlertRepository
from grocery.core.ports.carts import CartRepository, ProductShelf
from grocery.core.ports.catalog import CategoryRepository, ProductImageRepository, ProductRepository
from grocery.core.ports.idempotency import IdempotencyKeyRepository
from grocery.core.ports.orders import OrderRepository
from grocery.core.ports.outbox import Outbox
from grocery.core.ports.promotions import PromoCodeRepository, PromoRedemptionRepository
from grocery.core.ports.stock import StockRoom
from grocery.core.ports.wishlists import WishlistRepository


class UnitOfWork(Protocol):
    """One transaction per use case. Services commit; nothing else does."""

    users: UserRepository
    refresh_tokens: RefreshTokenRepository
    login_failures: LoginFailureRepository
    categories: CategoryRepository
    products: ProductRepository
    product_images: ProductImageRepository
    shelf: ProductShelf
    cart: CartRepository
    wishlist: WishlistRepository
    promo_codes: PromoCodeRepository
    stock: StockRoom
    orders: OrderRepository
    redemptions: PromoRedemptionRepository
    idempotency_keys: IdempotencyKeyRepository
    low_stock_alerts: LowStockAlertRepository
    outbox: Outbox

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""Opens a new unit of work: a service calls it once per use case."""
