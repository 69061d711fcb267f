"""Ports: what the core needs from the outside world, as typing.Protocols.

Adapters (SQL, memory, obstore, argon2/JWT) implement these without
inheriting from them. Each area of the shop adds its repository protocol
here and the matching attribute on UnitOfWork.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from grocery.core.alerts import AlertStatus, AlertView, LowStockAlert, OutboxMessage, StockMove
from grocery.core.cart import (
    AddedLine,
    CartContents,
    ShelfItem,
    TakenCart,
    WishedProduct,
    WishlistMark,
)
from grocery.core.catalog import (
    Category,
    CategorySummary,
    Product,
    ProductImage,
    ProductPage,
    ProductQuery,
    ProductView,
)
from grocery.core.identity import Principal, RefreshToken, Role, User
from grocery.core.orders import Answer, KeptAnswer, Order, OrderMark, OrderStatus, TakenStock
from grocery.core.promotions import PromoCode
from grocery.core.reports import CategorySales, PeriodSales, ProductSales, SalesQuery


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True when the password matches; never raises for a mismatch."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    def burn(self, password: str) -> None:
        """Spend one verification's worth of time (for unknown users)."""
        ...


class BlobStore(Protocol):
    """Where product images live: S3, a local directory, or memory."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def url_for(self, key: str) -> str:
        """A URL a client can fetch the object from (public or presigned)."""
        ...

    async def ping(self) -> None:
        """Raise ServiceUnavailable when the store can't be reached."""
        ...

    async def get(self, key: str) -> bytes:
        """The object's bytes; NotFound when there is none (serves /media)."""
        ...


class InspectedImage(Protocol):
    """What an uploaded picture turned out to be, judged by its bytes."""

    @property
    def content_type(self) -> str: ...

    @property
    def extension(self) -> str: ...

    @property
    def width(self) -> int: ...

    @property
    def height(self) -> int: ...


class ImageInspector(Protocol):
    def __call__(self, data: bytes) -> InspectedImage:
        """UnsupportedMediaType for a non-image; Invalid for a broken or oversized one."""
        ...


class AlertSink(Protocol):
    async def deliver(self, payload: Mapping[str, object], idempotency_key: str) -> None:
        """ServiceUnavailable when the receiver didn't take it (it is tried again later)."""
        ...


class AccessTokens(Protocol):
    """Signed, short-lived access tokens (JWT)."""

    def issue_access(self, principal: Principal, now: datetime) -> tuple[str, int]:
        """The token and its lifetime in seconds."""
        ...

    def read_access(self, token: str, now: datetime | None = None) -> Principal:
        """NotAuthenticated(`invalid_token`) for anything amiss."""
        ...


# --- repositories (each area adds its own below this line) ---


# accounts


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """AlreadyExists when the email or username is taken (checked by the store itself)."""
        ...

    async def get(self, user_id: UUID) -> User | None: ...

    async def by_username(self, username: str) -> User | None:
        """Case-insensitive."""
        ...

    async def by_email(self, email: str) -> User | None:
        """`email` already normalised."""
        ...

    async def set_password(self, user_id: UUID, password_hash: str) -> None: ...

    async def set_access(self, user_id: UUID, *, role: Role, is_active: bool) -> None: ...

    async def page(self, *, role: Role | None, after: UUID | None, limit: int) -> list[User]:
        """Users in id order, after the given id (keyset), at most `limit`."""
        ...


class RefreshTokenRepository(Protocol):
    async def add(self, token: RefreshToken) -> None: ...

    async def by_hash(self, token_hash: str) -> RefreshToken | None: ...

    async def spend(self, token_id: UUID, now: datetime) -> bool:
        """Mark a live token spent; False when it was already spent or revoked. Atomic,
        so of two concurrent spends of one token exactly one answers True."""
        ...

    async def revoke_family(self, family_id: UUID, now: datetime) -> None: ...

    async def revoke_all_of(self, user_id: UUID, now: datetime) -> None: ...


class LoginFailureRepository(Protocol):
    async def record(self, user_id: UUID, at: datetime, *, forget_before: datetime) -> None:
        """Note one failed sign-in, dropping this account's failures older than `forget_before`."""
        ...

    async def count_since(self, user_id: UUID, since: datetime) -> int: ...

    async def clear(self, user_id: UUID) -> None: ...


# catalog


class CategoryRepository(Protocol):
    async def add(self, category: Category) -> None:
        """AlreadyExists when the slug or name is taken (checked by the store itself)."""
        ...

    async def get(self, ref: str) -> Category | None:
        """By id or slug."""
        ...

    async def update(self, category: Category) -> None:
        """AlreadyExists when the new slug or name is taken."""
        ...

    async def delete(self, category_id: UUID) -> None:
        """Conflict `category_not_empty` while any product (archived too) is in it."""
        ...


class ProductRepository(Protocol):
    async def add(self, product: Product) -> None:
        """AlreadyExists when the slug is taken (checked by the store itself)."""
        ...

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None:
        """Archived ones too; `for_update` locks the row until the transaction ends."""
        ...

    async def update(self, product: Product) -> None:
        """Saves what a manager may edit; AlreadyExists when the new slug is taken."""
        ...

    async def archive(self, product_id: UUID) -> None: ...

    async def delete(self, product_id: UUID) -> bool:
        """Its image rows go with it. False, and nothing deleted, while other records
        (order lines) still refer to it."""
        ...

    async def was_ever_ordered(self, product_id: UUID) -> bool:
        """True once any order mentions it (such products are archived, never deleted)."""
        ...


class ProductImageRepository(Protocol):
    async def add(self, image: ProductImage) -> None:
        """NotFound when the product is gone."""
        ...

    async def get(self, product_id: UUID, image_id: UUID) -> ProductImage | None: ...

    async def of_product(self, product_id: UUID) -> list[ProductImage]:
        """Oldest first."""
        ...

    async def delete(self, image_id: UUID) -> None: ...


class CatalogReader(Protocol):
    """The storefront's hot reads, outside any unit of work."""

    async def categories(self) -> list[CategorySummary]:
        """All of them, by name."""
        ...

    async def category(self, ref: str) -> CategorySummary | None:
        """By id or slug."""
        ...

    async def product(self, ref: str) -> ProductView | None:
        """By id or slug, with every image; None for an archived one."""
        ...

    async def products(self, query: ProductQuery) -> ProductPage:
        """One keyset page with each product's first image. Invalid for a cursor it didn't make."""
        ...


# cart, wishlist and promo codes


class ProductShelf(Protocol):
    async def for_cart(self, product_ids: Collection[UUID]) -> dict[UUID, ShelfItem]:
        """Those products by id, archived ones too; unknown ids are left out."""
        ...

    async def in_cart(self, user_id: UUID, *, also: UUID | None = None) -> CartContents:
        """The user's lines, oldest first, their products as for_cart gives them, and the
        promo code applied to the cart, in one read; with `also`, that product's too,
        whether the cart holds it or not."""
        ...


class CartRepository(Protocol):
    async def add(
        self, user_id: UUID, product_id: UUID, quantity: int, *, at: datetime, room: int
    ) -> AddedLine | None:
        """Put `quantity` more on the line, making it when new, in one atomic step; None
        (and nothing changes) when the line would then hold more than `room`."""
        ...

    async def set_quantity(self, user_id: UUID, product_id: UUID, quantity: int) -> bool:
        """False when there is no such line."""
        ...

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        """False when there was no such line."""
        ...

    async def empty(self, user_id: UUID) -> None:
        """Every line and the applied promo code go."""
        ...

    async def take_all(self, user_id: UUID) -> TakenCart:
        """The lines (oldest first) and the applied promo code, taken out of the cart at
        once: the cart is left empty, and a rollback puts them back. A concurrent checkout
        of the same cart waits, then finds it empty; a line added meanwhile stays in it."""
        ...

    async def set_promo(self, user_id: UUID, promo_id: UUID | None) -> None: ...


class WishlistRepository(Protocol):
    async def page(
        self, user_id: UUID, *, after: WishlistMark | None, limit: int
    ) -> list[WishedProduct]:
        """Newest first, after the given mark (keyset), at most `limit`."""
        ...

    async def get(self, user_id: UUID, product_id: UUID) -> WishedProduct | None: ...

    async def add(self, user_id: UUID, product_id: UUID, at: datetime) -> bool:
        """False when it was already there (and then nothing changes)."""
        ...

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        """False when it wasn't there."""
        ...


class PromoCodeRepository(Protocol):
    async def add(self, promo: PromoCode) -> None:
        """AlreadyExists when the code is taken ignoring case (checked by the store itself)."""
        ...

    async def get(self, promo_id: UUID) -> PromoCode | None: ...

    async def by_code(self, code: str) -> PromoCode | None:
        """`code` already normalised."""
        ...

    async def update(self, promo: PromoCode) -> None:
        """Saves the terms, never times_used (checkout counts); AlreadyExists as for add."""
        ...

    async def delete_if_unused(self, promo_id: UUID) -> bool:
        """Delete a code nobody has used; False (and nothing changes) once it was used."""
        ...

    async def page(self, *, before: UUID | None, limit: int) -> list[PromoCode]:
        """Newest first, older than the given id (keyset), at most `limit`."""
        ...

    async def unknown_categories(self, category_ids: Collection[UUID]) -> set[UUID]: ...

    async def uses_by_customer(self, promo_id: UUID, user_id: UUID) -> int:
        """How often this customer has redeemed the code (their orders count them)."""
        ...


# checkout, orders and low-stock alerts


class StockRoom(Protocol):
    """Stock as checkout and cancellation move it: updates of the products' rows relative
    to themselves."""

    async def take(self, wanted: Mapping[UUID, int]) -> dict[UUID, TakenStock]:
        """Take each product's units off the shelf in one conditional step, the products'
        rows locked in id order (two checkouts never wait on each other in a circle) and
        kept locked until the transaction ends. A product missing from the answer had fewer
        in stock, or is archived or gone, and nothing of it changed; the caller rolls back
        what was taken of the others."""
        ...

    async def put_back(self, quantities: Mapping[UUID, int]) -> list[StockMove]:
        """Return each product's units to the shelf in one step, in `quantities`' order;
        the rows are locked in id order and stay locked likewise."""
        ...


class OrderRepository(Protocol):
    async def add(self, order: Order) -> None:
        """The order with its lines, counted in its products' sales (units sold, revenue,
        one order each). Called after its stock was taken, so its products' rows are
        locked already and no new lock is waited for."""
        ...

    async def uncount_sold(self, order: Order) -> None:
        """Take a cancelled order back off its products' sales; called after its stock was
        put back, for the same reason."""
        ...

    async def get(self, order_id: UUID) -> Order | None: ...

    async def page(
        self, *, customer: UUID | None, after: OrderMark | None, limit: int
    ) -> list[Order]:
        """Newest first (created_at, then id), after the given mark (keyset), at most `limit`;
        only that customer's when one is named."""
        ...

    async def move(
        self,
        order_id: UUID,
        *,
        to: OrderStatus,
        allowed_from: Collection[OrderStatus],
        at: datetime,
    ) -> bool:
        """Set the status only while it is one of `allowed_from`, atomically: of two
        concurrent moves out of one status exactly one answers True."""
        ...


class PromoRedemptionRepository(Protocol):
    async def claim(self, promo_id: UUID) -> bool:
        """Count one more use while the code is under its max_uses, atomically; False (and
        nothing changes) when it is used up or gone. The code's row stays locked until the
        transaction ends, so its per-customer count can be trusted after a claim."""
        ...

    async def record(self, promo_id: UUID, user_id: UUID, order_id: UUID, at: datetime) -> None:
        """The redemption that promo_codes.uses_by_customer counts."""
        ...

    async def release(self, order_id: UUID) -> bool:
        """Undo the order's redemption and its use; False when the order redeemed nothing."""
        ...


class IdempotencyKeyRepository(Protocol):
    async def claim(
        self, user_id: UUID, key: str, request_hash: str, at: datetime
    ) -> KeptAnswer | None:
        """None when the key is new: it is then held for this request until the transaction
        ends (a concurrent request with it waits). Otherwise the earlier request under it."""
        ...

    async def answer(self, user_id: UUID, key: str, answer: Answer, order_id: UUID) -> None: ...


class LowStockAlertRepository(Protocol):
    async def open(self, alert: LowStockAlert, product_name: str) -> bool:
        """False (and nothing changes) when the product already has an open alert. An opened
        alert is announced (logged as `stock.low`) once the transaction commits."""
        ...

    async def resolve(self, product_id: UUID, at: datetime) -> bool:
        """Resolve the product's open alert; False when there was none."""
        ...

    async def page(
        self, *, status: AlertStatus | None, before: UUID | None, limit: int
    ) -> list[AlertView]:
        """Newest first, older than the given id (keyset), at most `limit`."""
        ...


class Outbox(Protocol):
    async def add(self, message: OutboxMessage) -> None: ...

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Undelivered messages due by `now`, soonest first, locked until the transaction ends;
        messages another worker holds are skipped, not waited for."""
        ...

    async def delivered(self, message_id: UUID, at: datetime) -> None: ...

    async def retry_later(self, message_id: UUID, *, at: datetime, error: str) -> None:
        """Count a failed attempt and set when to try again."""
        ...


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


# reports


class ReportReader(Protocol):
    """Sales figures for managers: one aggregate query per report, outside any unit of work.

    Cancelled orders don't count; revenue is the lines' totals, net of discounts.
    """

    async def category(self, ref: str) -> Category | None:
        """By id, slug or name, any case; a slug wins over another category's name."""
        ...

    async def sales_by_product(self, query: SalesQuery) -> list[ProductSales]:
        """Every product, unsold ones as zeros (archived ones only when they sold), in the
        query's sort with ties by name then id, at most its limit."""
        ...

    async def sales_by_category(self, query: SalesQuery) -> list[CategorySales]:
        """Every category, unsold ones as zeros, ordered like sales_by_product."""
        ...

    async def sales_over_time(self, query: SalesQuery) -> list[PeriodSales]:
        """One row per period of the query's interval, oldest first. Periods without sales
        come as zeros, from the first day (or first sale) to the last day (or last sale)."""
        ...
