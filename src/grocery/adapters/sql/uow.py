"""The SQL UnitOfWork: one session, one transaction, the repositories bound to it."""

from __future__ import annotations

from contextlib import suppress
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession

from grocery.adapters.sql.accounts import (
    SqlLoginFailureRepository,
    SqlRefreshTokenRepository,
    SqlUserRepository,
)
from grocery.adapters.sql.alerts import SqlLowStockAlertRepository
from grocery.adapters.sql.carts import SqlCartRepository, SqlProductShelf
from grocery.adapters.sql.catalog import (
    SqlCategoryRepository,
    SqlProductImageRepository,
    SqlProductRepository,
)
from grocery.adapters.sql.database import Database, SessionSql, raise_if_down
from grocery.adapters.sql.idempotency import SqlIdempotencyKeyRepository
from grocery.adapters.sql.orders import SqlOrderRepository
from grocery.adapters.sql.outbox import SqlOutbox
from grocery.adapters.sql.promotions import SqlPromoCodeRepository, SqlPromoRedemptionRepository
from grocery.adapters.sql.stock import SqlStockRoom
from grocery.adapters.sql.wishlists import SqlWishlistRepository
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


class SqlUnitOfWork:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def __aenter__(self) -> Self:
        self.session: AsyncSession = self._database.sessions()
        self._bind_repositories(self.session)
        try:
            await self._sql.begin()
        except BaseException as error:
            with suppress(Exception):  # a dead connection can't be handed back cleanly
                await self.session.close()
            raise_if_down(error)
            raise
        return self

    def _bind_repositories(self, session: AsyncSession) -> None:
        """Each area of the shop binds its repository here."""
        self._sql = sql = SessionSql(session, pooled=self._database.pool_size)
        self.users: UserRepository = SqlUserRepository(session)
        self.refresh_tokens: RefreshTokenRepository = SqlRefreshTokenRepository(session)
        self.login_failures: LoginFailureRepository = SqlLoginFailureRepository(session)
        self.categories: CategoryRepository = SqlCategoryRepository(session)
        self.products: ProductRepository = SqlProductRepository(session)
        self.product_images: ProductImageRepository = SqlProductImageRepository(session)
        self.shelf: ProductShelf = SqlProductShelf(sql)
        self.cart: CartRepository = SqlCartRepository(session, sql)
        self.wishlist: WishlistRepository = SqlWishlistRepository(session)
        self.promo_codes: PromoCodeRepository = SqlPromoCodeRepository(session)
        self.stock: StockRoom = SqlStockRoom(sql)
        self.orders: OrderRepository = SqlOrderRepository(session, sql)
        self.redemptions: PromoRedemptionRepository = SqlPromoRedemptionRepository(session)
        self.idempotency_keys: IdempotencyKeyRepository = SqlIdempotencyKeyRepository(session, sql)
        self.low_stock_alerts: LowStockAlertRepository = SqlLowStockAlertRepository(session)
        self.outbox: Outbox = SqlOutbox(session)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is not None:
                await self.session.rollback()
            await self.session.close()
        except Exception as cleanup_error:
            # A dead connection can't roll back; the pool discards it. Report the first failure.
            if exc is None:
                raise_if_down(cleanup_error)
                raise
        if exc is not None:
            raise_if_down(exc)

    async def commit(self) -> None:
        self._sql.forget()
        try:
            await self.session.commit()
        except BaseException as error:
            raise_if_down(error)
            raise

    async def rollback(self) -> None:
        self._sql.forget()
        await self.session.rollback()
