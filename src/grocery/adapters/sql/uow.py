"""The SQL UnitOfWork: one connection, one transaction, the repositories bound to it."""

from __future__ import annotations

from contextlib import suppress
from types import TracebackType
from typing import Self

from grocery.adapters.sql.accounts import (
    SqlLinkTokenRepository,
    SqlLoginFailureRepository,
    SqlMailAskLog,
    SqlRefreshTokenRepository,
    SqlUserRepository,
)
from grocery.adapters.sql.addresses import SqlAddressRepository
from grocery.adapters.sql.alerts import SqlLowStockAlertRepository
from grocery.adapters.sql.carts import (
    CUSTOMER_CARTS,
    GUEST_CARTS,
    SqlCartRepository,
    SqlProductShelf,
)
from grocery.adapters.sql.catalog import (
    SqlCategoryRepository,
    SqlProductImageRepository,
    SqlProductRepository,
)
from grocery.adapters.sql.database import Database, SessionSql
from grocery.adapters.sql.errors import raise_as_domain_error
from grocery.adapters.sql.fulfilment import SqlDeliveryZoneRepository, SqlPickupPointRepository
from grocery.adapters.sql.guest_carts import SqlGuestCartRepository
from grocery.adapters.sql.idempotency import SqlIdempotencyKeyRepository
from grocery.adapters.sql.orders import SqlOrderRepository
from grocery.adapters.sql.outbox import SqlOutbox
from grocery.adapters.sql.payments import SqlPaymentRepository
from grocery.adapters.sql.picking import SqlPickRepository
from grocery.adapters.sql.placements import SqlOrderPlacement
from grocery.adapters.sql.promotions import SqlPromoCodeRepository, SqlPromoRedemptionRepository
from grocery.adapters.sql.restock import SqlRestockNotices
from grocery.adapters.sql.slot_holds import SqlSlotBookingRepository, SqlSlotHoldRepository
from grocery.adapters.sql.slots import SqlSlotRepository
from grocery.adapters.sql.stock import SqlStockLedger, SqlStockRoom
from grocery.adapters.sql.taxes import SqlTaxClassRepository
from grocery.adapters.sql.wishlists import SqlWishlistRepository
from grocery.core.ports.accounts import (
    LinkTokenRepository,
    LoginFailureRepository,
    MailAskLog,
    RefreshTokenRepository,
    UserRepository,
)
from grocery.core.ports.addresses import AddressRepository
from grocery.core.ports.alerts import LowStockAlertRepository
from grocery.core.ports.carts import CartRepository, GuestCartRepository, ProductShelf
from grocery.core.ports.catalog import CategoryRepository, ProductImageRepository, ProductRepository
from grocery.core.ports.fulfilment import (
    DeliveryZoneRepository,
    PickupPointRepository,
    SlotBookingRepository,
    SlotHoldRepository,
    SlotRepository,
)
from grocery.core.ports.idempotency import IdempotencyKeyRepository
from grocery.core.ports.orders import OrderPlacement, OrderRepository
from grocery.core.ports.outbox import Outbox
from grocery.core.ports.payments import PaymentRepository
from grocery.core.ports.picking import PickRepository
from grocery.core.ports.promotions import PromoCodeRepository, PromoRedemptionRepository
from grocery.core.ports.restock import RestockNotices
from grocery.core.ports.stock import StockLedger, StockRoom
from grocery.core.ports.taxes import TaxClassRepository
from grocery.core.ports.wishlists import WishlistRepository


class SqlUnitOfWork:
    def __init__(self, database: Database, *, for_guests: bool = False) -> None:
        """`for_guests`: `cart` and `shelf` address guest carts (by their ids), not customers'."""
        self._database = database
        self._carts = GUEST_CARTS if for_guests else CUSTOMER_CARTS

    async def __aenter__(self) -> Self:
        self._bind_repositories()
        try:
            await self._sql.begin()
        except BaseException as error:
            with suppress(Exception):  # a dead connection can't be handed back cleanly
                await self._sql.end()
            raise_as_domain_error(error)
            raise
        return self

    def _bind_repositories(self) -> None:
        """Each area of the shop binds its repository here."""
        self._sql = sql = SessionSql(
            self._database.engine,
            pooled=self._database.pool_size,
            committed=self._database.committed,
        )
        self.users: UserRepository = SqlUserRepository(sql)
        self.refresh_tokens: RefreshTokenRepository = SqlRefreshTokenRepository(sql)
        self.login_failures: LoginFailureRepository = SqlLoginFailureRepository(sql)
        self.link_tokens: LinkTokenRepository = SqlLinkTokenRepository(sql)
        self.mail_asks: MailAskLog = SqlMailAskLog(sql)
        self.categories: CategoryRepository = SqlCategoryRepository(sql)
        self.products: ProductRepository = SqlProductRepository(sql)
        self.product_images: ProductImageRepository = SqlProductImageRepository(sql)
        self.shelf: ProductShelf = SqlProductShelf(sql, self._carts)
        self.cart: CartRepository = SqlCartRepository(sql, self._carts)
        self.guest_carts: GuestCartRepository = SqlGuestCartRepository(sql)
        self.tax_classes: TaxClassRepository = SqlTaxClassRepository(sql)
        self.holds: SlotHoldRepository = SqlSlotHoldRepository(sql)
        self.bookings: SlotBookingRepository = SqlSlotBookingRepository(sql)
        self.wishlist: WishlistRepository = SqlWishlistRepository(sql)
        self.promo_codes: PromoCodeRepository = SqlPromoCodeRepository(sql)
        self.stock: StockRoom = SqlStockRoom(sql)
        self.stock_movements: StockLedger = SqlStockLedger(sql)
        self.picks: PickRepository = SqlPickRepository(sql)
        self.orders: OrderRepository = SqlOrderRepository(sql)
        self.placements: OrderPlacement = SqlOrderPlacement(sql)
        self.payments: PaymentRepository = SqlPaymentRepository(sql)
        self.redemptions: PromoRedemptionRepository = SqlPromoRedemptionRepository(sql)
        self.idempotency_keys: IdempotencyKeyRepository = SqlIdempotencyKeyRepository(sql)
        self.low_stock_alerts: LowStockAlertRepository = SqlLowStockAlertRepository(sql)
        self.restock_notices: RestockNotices = SqlRestockNotices(sql)
        self.outbox: Outbox = SqlOutbox(sql)
        self.addresses: AddressRepository = SqlAddressRepository(sql)
        self.delivery_zones: DeliveryZoneRepository = SqlDeliveryZoneRepository(sql)
        self.pickup_points: PickupPointRepository = SqlPickupPointRepository(sql)
        self.slots: SlotRepository = SqlSlotRepository(sql)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._sql.end()
        except Exception as cleanup_error:
            # A dead connection can't roll back; it is dropped. Report the first failure.
            if exc is None:
                raise_as_domain_error(cleanup_error)
                raise
        if exc is not None:
            raise_as_domain_error(exc)

    async def commit(self) -> None:
        await self._sql.commit()

    async def rollback(self) -> None:
        await self._sql.rollback()
