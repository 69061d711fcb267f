"""The store of every area's tables, and a UnitOfWork over it.

A unit of work edits its own copy of the store and publishes it on commit, so a
service that forgets to commit loses its writes here just as it would in PostgreSQL.
Meant for one use case at a time: concurrent units of work overwrite each other.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from grocery.adapters.memory.accounts import (
    AccountsTables,
    MemoryLinkTokenRepository,
    MemoryLoginFailureRepository,
    MemoryMailAskLog,
    MemoryRefreshTokenRepository,
    MemoryUserRepository,
)
from grocery.adapters.memory.addresses import AddressTables, MemoryAddressRepository
from grocery.adapters.memory.alerts import AlertTables, MemoryLowStockAlertRepository
from grocery.adapters.memory.carts import (
    CartTables,
    MemoryCartRepository,
    MemoryGuestCartRepository,
    MemoryProductShelf,
)
from grocery.adapters.memory.catalog import (
    CatalogTables,
    MemoryCategoryRepository,
    MemoryProductImageRepository,
    MemoryProductRepository,
)
from grocery.adapters.memory.fulfilment import (
    FulfilmentTables,
    MemoryDeliveryZoneRepository,
    MemoryPickupPointRepository,
    MemorySlotRepository,
)
from grocery.adapters.memory.idempotency import IdempotencyTables, MemoryIdempotencyKeyRepository
from grocery.adapters.memory.orders import MemoryOrderRepository, OrderTables
from grocery.adapters.memory.outbox import MemoryOutbox, OutboxTables
from grocery.adapters.memory.payments import MemoryPaymentRepository
from grocery.adapters.memory.picking import MemoryPickRepository
from grocery.adapters.memory.placements import MemoryOrderPlacement
from grocery.adapters.memory.promotions import (
    MemoryPromoCodeRepository,
    MemoryPromoRedemptionRepository,
    PromotionTables,
)
from grocery.adapters.memory.restock import MemoryRestockNotices, RestockTables
from grocery.adapters.memory.slot_holds import (
    MemorySlotBookingRepository,
    MemorySlotHoldRepository,
)
from grocery.adapters.memory.stock import MemoryStockLedger, MemoryStockRoom, StockTables
from grocery.adapters.memory.taxes import MemoryTaxClassRepository
from grocery.adapters.memory.wishlists import MemoryWishlistRepository, WishlistTables
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


@dataclass
class MemoryStore:
    """Everything the shop keeps, one set of tables per area."""

    accounts: AccountsTables = field(default_factory=AccountsTables)
    catalog: CatalogTables = field(default_factory=CatalogTables)
    carts: CartTables = field(default_factory=CartTables)
    wishlists: WishlistTables = field(default_factory=WishlistTables)
    promotions: PromotionTables = field(default_factory=PromotionTables)
    orders: OrderTables = field(default_factory=OrderTables)
    idempotency: IdempotencyTables = field(default_factory=IdempotencyTables)
    alerts: AlertTables = field(default_factory=AlertTables)
    restock: RestockTables = field(default_factory=RestockTables)
    outbox: OutboxTables = field(default_factory=OutboxTables)
    stock: StockTables = field(default_factory=StockTables)
    addresses: AddressTables = field(default_factory=AddressTables)
    fulfilment: FulfilmentTables = field(default_factory=FulfilmentTables)


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self._store)
        self._bind_repositories(self._working)
        return self

    def _bind_repositories(self, working: MemoryStore) -> None:
        """Each area of the shop binds its repository here."""
        accounts, catalog = working.accounts, working.catalog
        self.users: UserRepository = MemoryUserRepository(accounts)
        self.refresh_tokens: RefreshTokenRepository = MemoryRefreshTokenRepository(accounts)
        self.login_failures: LoginFailureRepository = MemoryLoginFailureRepository(accounts)
        self.link_tokens: LinkTokenRepository = MemoryLinkTokenRepository(accounts)
        self.mail_asks: MailAskLog = MemoryMailAskLog(accounts)
        self.categories: CategoryRepository = MemoryCategoryRepository(working)
        self.products: ProductRepository = MemoryProductRepository(working)
        self.product_images: ProductImageRepository = MemoryProductImageRepository(catalog)
        self.tax_classes: TaxClassRepository = MemoryTaxClassRepository(catalog)
        self.shelf: ProductShelf = MemoryProductShelf(catalog, working.carts)
        self.cart: CartRepository = MemoryCartRepository(working.carts)
        self.guest_carts: GuestCartRepository = MemoryGuestCartRepository(working.carts)
        self.wishlist: WishlistRepository = MemoryWishlistRepository(working.wishlists, catalog)
        self.promo_codes: PromoCodeRepository = MemoryPromoCodeRepository(
            working.promotions, catalog, working.carts
        )
        self.stock: StockRoom = MemoryStockRoom(catalog)
        self.stock_movements: StockLedger = MemoryStockLedger(working.stock)
        self.picks: PickRepository = MemoryPickRepository(working.orders, catalog)
        self.orders: OrderRepository = MemoryOrderRepository(working.orders, catalog)
        self.payments: PaymentRepository = MemoryPaymentRepository(working.orders, working.stock)
        self.redemptions: PromoRedemptionRepository = MemoryPromoRedemptionRepository(
            working.promotions
        )
        self.idempotency_keys: IdempotencyKeyRepository = MemoryIdempotencyKeyRepository(
            working.idempotency
        )
        self.low_stock_alerts: LowStockAlertRepository = MemoryLowStockAlertRepository(
            working.alerts, catalog
        )
        self.restock_notices: RestockNotices = MemoryRestockNotices(
            working.restock, accounts, working.wishlists
        )
        self.outbox: Outbox = MemoryOutbox(working.outbox)
        self.addresses: AddressRepository = MemoryAddressRepository(
            working.addresses, working.fulfilment
        )
        self.delivery_zones: DeliveryZoneRepository = MemoryDeliveryZoneRepository(
            working.fulfilment
        )
        self.pickup_points: PickupPointRepository = MemoryPickupPointRepository(working.fulfilment)
        self.slots: SlotRepository = MemorySlotRepository(working.fulfilment)
        self.holds: SlotHoldRepository = MemorySlotHoldRepository(
            working.fulfilment, working.addresses
        )
        self.bookings: SlotBookingRepository = MemorySlotBookingRepository(
            working.fulfilment, working.orders
        )
        self.placements: OrderPlacement = MemoryOrderPlacement(
            cart=self.cart,
            holds=self.holds,
            zones=self.delivery_zones,
            users=self.users,
            orders=self.orders,
            ledger=self.stock_movements,
            outbox=self.outbox,
            keys=self.idempotency_keys,
        )

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        for area in vars(self._working):
            setattr(self._store, area, copy.deepcopy(getattr(self._working, area)))

    async def rollback(self) -> None:
        self._working = copy.deepcopy(self._store)
        self._bind_repositories(self._working)
