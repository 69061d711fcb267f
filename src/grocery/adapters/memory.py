"""Dict-backed repositories and a UnitOfWork, for fast tests of the services.

A unit of work edits its own copy of the store and publishes it on commit, so a
service that forgets to commit loses its writes here just as it would in PostgreSQL.
Meant for one use case at a time: concurrent units of work overwrite each other.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self
from uuid import UUID

from grocery.core.alerts import (
    AlertedProduct,
    AlertStatus,
    AlertView,
    LowStockAlert,
    OutboxMessage,
    StockMove,
)
from grocery.core.cart import (
    AddedLine,
    CartContents,
    CartEntry,
    ShelfItem,
    TakenCart,
    WishedProduct,
    WishlistMark,
)
from grocery.core.catalog import Category, Product, ProductImage, as_id
from grocery.core.errors import AlreadyExists, Conflict, Invalid, NotFound
from grocery.core.identity import RefreshToken, Role, User, username_key
from grocery.core.orders import (
    Answer,
    KeptAnswer,
    Order,
    OrderMark,
    OrderStatus,
    TakenStock,
)
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
from grocery.core.pricing import CartLine
from grocery.core.promotions import PromoCode

# --- accounts -----------------------------------------------------------------


@dataclass
class AccountsTables:
    users: dict[UUID, User] = field(default_factory=dict)
    refresh_tokens: dict[UUID, RefreshToken] = field(default_factory=dict)
    login_failures: list[tuple[UUID, datetime]] = field(default_factory=list)


class MemoryUserRepository:
    def __init__(self, tables: AccountsTables) -> None:
        self._users = tables.users

    async def add(self, user: User) -> None:
        for other in self._users.values():
            if other.email == user.email:
                raise _taken("email")
            if username_key(other.username) == username_key(user.username):
                raise _taken("username")
        self._users[user.id] = user

    async def get(self, user_id: UUID) -> User | None:
        return self._users.get(user_id)

    async def by_username(self, username: str) -> User | None:
        key = username_key(username)
        return next((u for u in self._users.values() if username_key(u.username) == key), None)

    async def by_email(self, email: str) -> User | None:
        return next((u for u in self._users.values() if u.email == email), None)

    async def set_password(self, user_id: UUID, password_hash: str) -> None:
        self._users[user_id] = replace(self._users[user_id], password_hash=password_hash)

    async def set_access(self, user_id: UUID, *, role: Role, is_active: bool) -> None:
        self._users[user_id] = replace(self._users[user_id], role=role, is_active=is_active)

    async def page(self, *, role: Role | None, after: UUID | None, limit: int) -> list[User]:
        chosen = sorted(
            (
                user
                for user in self._users.values()
                if (role is None or user.role is role) and (after is None or user.id > after)
            ),
            key=lambda user: user.id,
        )
        return chosen[:limit]


def _taken(field_name: str) -> AlreadyExists:
    return AlreadyExists(
        f"An account with this {field_name} already exists.",
        errors=[{"field": field_name, "message": "is already taken"}],
    )


class MemoryRefreshTokenRepository:
    def __init__(self, tables: AccountsTables) -> None:
        self._tokens = tables.refresh_tokens

    async def add(self, token: RefreshToken) -> None:
        self._tokens[token.id] = token

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        return next((t for t in self._tokens.values() if t.token_hash == token_hash), None)

    async def spend(self, token_id: UUID, now: datetime) -> bool:
        token = self._tokens[token_id]
        if token.spent_at is not None or token.revoked_at is not None:
            return False
        self._tokens[token_id] = token.spend(now)
        return True

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        self._revoke_where(lambda token: token.family_id == family_id, now)

    async def revoke_all_of(self, user_id: UUID, now: datetime) -> None:
        self._revoke_where(lambda token: token.user_id == user_id, now)

    def _revoke_where(self, chosen: Callable[[RefreshToken], bool], now: datetime) -> None:
        for token_id, token in list(self._tokens.items()):
            if chosen(token):
                self._tokens[token_id] = token.revoke(now)


class MemoryLoginFailureRepository:
    def __init__(self, tables: AccountsTables) -> None:
        self._failures = tables.login_failures

    async def record(self, user_id: UUID, at: datetime, *, forget_before: datetime) -> None:
        self._failures[:] = [
            (who, when) for who, when in self._failures if who != user_id or when >= forget_before
        ]
        self._failures.append((user_id, at))

    async def count_since(self, user_id: UUID, since: datetime) -> int:
        return sum(1 for who, when in self._failures if who == user_id and when >= since)

    async def clear(self, user_id: UUID) -> None:
        self._failures[:] = [(who, when) for who, when in self._failures if who != user_id]


# --- catalog ------------------------------------------------------------------


@dataclass
class CatalogTables:
    categories: dict[UUID, Category] = field(default_factory=dict)
    products: dict[UUID, Product] = field(default_factory=dict)
    images: dict[UUID, ProductImage] = field(default_factory=dict)


class MemoryCategoryRepository:
    def __init__(self, tables: CatalogTables) -> None:
        self._tables = tables

    async def add(self, category: Category) -> None:
        self._refuse_clash(category)
        self._tables.categories[category.id] = category

    async def get(self, ref: str) -> Category | None:
        wanted = as_id(ref)
        return next(
            (
                c
                for c in self._tables.categories.values()
                if c.id == wanted or (wanted is None and c.slug == ref.lower())
            ),
            None,
        )

    async def update(self, category: Category) -> None:
        self._refuse_clash(category)
        self._tables.categories[category.id] = category

    async def delete(self, category_id: UUID) -> None:
        if any(p.category_id == category_id for p in self._tables.products.values()):
            raise Conflict("The category still has products.", code="category_not_empty")
        self._tables.categories.pop(category_id, None)

    def _refuse_clash(self, category: Category) -> None:
        for other in self._tables.categories.values():
            if other.id == category.id:
                continue
            if other.slug == category.slug:
                raise AlreadyExists("A category with this slug already exists.")
            if other.name.lower() == category.name.lower():
                raise AlreadyExists("A category with this name already exists.")


class MemoryProductRepository:
    def __init__(self, tables: CatalogTables) -> None:
        self._tables = tables

    async def add(self, product: Product) -> None:
        self._check(product)
        self._tables.products[product.id] = product

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None:
        return self._tables.products.get(product_id)

    async def update(self, product: Product) -> None:
        self._check(product)
        self._tables.products[product.id] = product

    async def archive(self, product_id: UUID) -> None:
        products = self._tables.products
        products[product_id] = replace(products[product_id], archived=True)

    async def delete(self, product_id: UUID) -> bool:
        self._tables.products.pop(product_id, None)
        for image in [i for i in self._tables.images.values() if i.product_id == product_id]:
            del self._tables.images[image.id]
        return True

    async def was_ever_ordered(self, product_id: UUID) -> bool:
        product = self._tables.products.get(product_id)
        return product is not None and product.units_sold > 0

    def _check(self, product: Product) -> None:
        if any(
            p.slug == product.slug and p.id != product.id for p in self._tables.products.values()
        ):
            raise AlreadyExists("A product with this slug already exists.")
        if product.category_id not in self._tables.categories:
            raise Invalid("The category does not exist.")


class MemoryProductImageRepository:
    def __init__(self, tables: CatalogTables) -> None:
        self._tables = tables

    async def add(self, image: ProductImage) -> None:
        if image.product_id not in self._tables.products:
            raise NotFound("No such product.")
        self._tables.images[image.id] = image

    async def get(self, product_id: UUID, image_id: UUID) -> ProductImage | None:
        image = self._tables.images.get(image_id)
        return image if image is not None and image.product_id == product_id else None

    async def of_product(self, product_id: UUID) -> list[ProductImage]:
        return sorted(
            (i for i in self._tables.images.values() if i.product_id == product_id),
            key=lambda image: image.id,
        )

    async def delete(self, image_id: UUID) -> None:
        self._tables.images.pop(image_id, None)


# --- cart, wishlist and promo codes ---------------------------------------------


@dataclass
class ShoppingTables:
    # (user, product) -> quantity; a dict keeps insertion order, so lines stay oldest first.
    cart_lines: dict[tuple[UUID, UUID], int] = field(default_factory=dict)
    applied_promos: dict[UUID, UUID] = field(default_factory=dict)  # user -> promo
    wishlist: dict[tuple[UUID, UUID], datetime] = field(default_factory=dict)  # -> added_at
    promo_codes: dict[UUID, PromoCode] = field(default_factory=dict)
    # (promo, user) -> how often they redeemed it; checkout's orders will fill it.
    redemptions: dict[tuple[UUID, UUID], int] = field(default_factory=dict)


class MemoryProductShelf:
    def __init__(self, catalog: CatalogTables, shopping: ShoppingTables) -> None:
        self._products = catalog.products
        self._lines = shopping.cart_lines
        self._promos = shopping.applied_promos

    async def in_cart(self, user_id: UUID, *, also: UUID | None = None) -> CartContents:
        entries = cart_entries(self._lines, user_id)
        wanted = [entry.product_id for entry in entries] + ([] if also is None else [also])
        return CartContents(
            entries=entries,
            shelf=await self.for_cart(wanted),
            promo_id=self._promos.get(user_id),
        )

    async def for_cart(self, product_ids: Collection[UUID]) -> dict[UUID, ShelfItem]:
        return {
            product.id: ShelfItem(
                product_id=product.id,
                name=product.name,
                slug=product.slug,
                unit_price=product.price,
                stock=product.stock,
                category_id=product.category_id,
                available=not product.archived,
            )
            for product_id in product_ids
            if (product := self._products.get(product_id)) is not None
        }


def cart_entries(lines: dict[tuple[UUID, UUID], int], user_id: UUID) -> list[CartEntry]:
    """The user's lines in the order they were added."""
    return [
        CartEntry(product_id=product_id, quantity=quantity)
        for (owner, product_id), quantity in lines.items()
        if owner == user_id
    ]


class MemoryCartRepository:
    def __init__(self, tables: ShoppingTables) -> None:
        self._lines = tables.cart_lines
        self._promos = tables.applied_promos

    async def add(
        self, user_id: UUID, product_id: UUID, quantity: int, *, at: datetime, room: int
    ) -> AddedLine | None:
        held = self._lines.get((user_id, product_id), 0)
        if held + quantity > room:
            return None
        self._lines[user_id, product_id] = held + quantity
        return AddedLine(quantity=held + quantity, created=held == 0)

    async def set_quantity(self, user_id: UUID, product_id: UUID, quantity: int) -> bool:
        if (user_id, product_id) not in self._lines:
            return False
        self._lines[user_id, product_id] = quantity
        return True

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        return self._lines.pop((user_id, product_id), None) is not None

    async def empty(self, user_id: UUID) -> None:
        for key in [key for key in self._lines if key[0] == user_id]:
            del self._lines[key]
        self._promos.pop(user_id, None)

    async def take_all(self, user_id: UUID) -> TakenCart:
        taken = TakenCart(
            entries=cart_entries(self._lines, user_id), promo_id=self._promos.get(user_id)
        )
        await self.empty(user_id)
        return taken

    async def set_promo(self, user_id: UUID, promo_id: UUID | None) -> None:
        if promo_id is None:
            self._promos.pop(user_id, None)
        else:
            self._promos[user_id] = promo_id


class MemoryWishlistRepository:
    def __init__(self, tables: ShoppingTables, catalog: CatalogTables) -> None:
        self._wishlist = tables.wishlist
        self._catalog = catalog

    async def page(
        self, user_id: UUID, *, after: WishlistMark | None, limit: int
    ) -> list[WishedProduct]:
        marks = sorted(
            (
                (added_at, product_id)
                for (owner, product_id), added_at in self._wishlist.items()
                if owner == user_id
            ),
            reverse=True,
        )
        chosen = [mark for mark in marks if after is None or mark < after][:limit]
        return [self._wished(product_id, added_at) for added_at, product_id in chosen]

    async def get(self, user_id: UUID, product_id: UUID) -> WishedProduct | None:
        added_at = self._wishlist.get((user_id, product_id))
        return None if added_at is None else self._wished(product_id, added_at)

    async def add(self, user_id: UUID, product_id: UUID, at: datetime) -> bool:
        if (user_id, product_id) in self._wishlist:
            return False
        self._wishlist[user_id, product_id] = at
        return True

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        return self._wishlist.pop((user_id, product_id), None) is not None

    def _wished(self, product_id: UUID, added_at: datetime) -> WishedProduct:
        product = self._catalog.products[product_id]
        images = [i for i in self._catalog.images.values() if i.product_id == product_id]
        first = min(images, key=lambda image: image.id, default=None)
        return WishedProduct(
            product_id=product_id,
            name=product.name,
            slug=product.slug,
            price=product.price,
            stock=product.stock,
            available=not product.archived,
            image_key=None if first is None else first.key,
            added_at=added_at,
        )


class MemoryPromoCodeRepository:
    def __init__(self, tables: ShoppingTables, catalog: CatalogTables) -> None:
        self._tables = tables
        self._categories = catalog.categories

    async def add(self, promo: PromoCode) -> None:
        self._refuse_clash(promo)
        self._tables.promo_codes[promo.id] = promo

    async def get(self, promo_id: UUID) -> PromoCode | None:
        return self._tables.promo_codes.get(promo_id)

    async def by_code(self, code: str) -> PromoCode | None:
        return next((p for p in self._tables.promo_codes.values() if p.code.upper() == code), None)

    async def update(self, promo: PromoCode) -> None:
        self._refuse_clash(promo)
        stored = self._tables.promo_codes[promo.id]
        self._tables.promo_codes[promo.id] = replace(promo, times_used=stored.times_used)

    async def delete_if_unused(self, promo_id: UUID) -> bool:
        if self._tables.promo_codes[promo_id].times_used:
            return False
        del self._tables.promo_codes[promo_id]
        applied = self._tables.applied_promos
        for user_id in [user for user, promo in applied.items() if promo == promo_id]:
            del applied[user_id]
        return True

    async def page(self, *, before: UUID | None, limit: int) -> list[PromoCode]:
        newest_first = sorted(self._tables.promo_codes, reverse=True)
        chosen = [i for i in newest_first if before is None or i < before][:limit]
        return [self._tables.promo_codes[promo_id] for promo_id in chosen]

    async def unknown_categories(self, category_ids: Collection[UUID]) -> set[UUID]:
        return set(category_ids) - self._categories.keys()

    async def uses_by_customer(self, promo_id: UUID, user_id: UUID) -> int:
        return self._tables.redemptions.get((promo_id, user_id), 0)

    def _refuse_clash(self, promo: PromoCode) -> None:
        if any(
            p.code.upper() == promo.code.upper() and p.id != promo.id
            for p in self._tables.promo_codes.values()
        ):
            raise AlreadyExists("A promo code with this code already exists.")


# --- checkout, orders and low-stock alerts ----------------------------------------


@dataclass
class OrderTables:
    orders: dict[UUID, Order] = field(default_factory=dict)
    redeemed: dict[UUID, tuple[UUID, UUID]] = field(default_factory=dict)  # order -> promo, user
    idempotency_keys: dict[tuple[UUID, str], tuple[str, Answer]] = field(default_factory=dict)
    alerts: dict[UUID, LowStockAlert] = field(default_factory=dict)
    # Alerts announced (logged as stock.low); only a committed unit of work publishes them.
    announced: list[UUID] = field(default_factory=list)
    outbox: dict[UUID, OutboxMessage] = field(default_factory=dict)
    delivered: dict[UUID, datetime] = field(default_factory=dict)  # outbox message -> when
    last_errors: dict[UUID, str] = field(default_factory=dict)


class MemoryStockRoom:
    def __init__(self, catalog: CatalogTables) -> None:
        self._products = catalog.products

    async def take(self, wanted: Mapping[UUID, int]) -> dict[UUID, TakenStock]:
        taken: dict[UUID, TakenStock] = {}
        for product_id, quantity in wanted.items():
            product = self._products.get(product_id)
            if product is None or product.archived or product.stock < quantity:
                continue
            after = self._restocked(product, -quantity)
            line = CartLine(
                product_id=product_id,
                name=product.name,
                category_id=product.category_id,
                unit_price=product.price,
                quantity=quantity,
            )
            taken[product_id] = TakenStock(line=line, move=_stock_move(product, after))
        return taken

    async def put_back(self, quantities: Mapping[UUID, int]) -> list[StockMove]:
        moves: list[StockMove] = []
        for product_id, quantity in quantities.items():
            product = self._products[product_id]
            moves.append(_stock_move(product, self._restocked(product, quantity)))
        return moves

    def _restocked(self, product: Product, quantity: int) -> Product:
        moved = replace(product, stock=product.stock + quantity)
        self._products[product.id] = moved
        return moved


def _stock_move(before: Product, after: Product) -> StockMove:
    return StockMove(
        product_id=after.id,
        product_name=after.name,
        stock_before=before.stock,
        stock_after=after.stock,
        threshold=after.low_stock_threshold,
    )


class MemoryOrderRepository:
    """Counts units sold; the other sales counters (revenue, orders) only the SQL reports read."""

    def __init__(
        self, tables: OrderTables, shopping: ShoppingTables, catalog: CatalogTables
    ) -> None:
        self._orders = tables.orders
        self._shopping = shopping
        self._products = catalog.products

    async def add(self, order: Order) -> None:
        self._orders[order.id] = order
        self._sold(order, 1)

    async def uncount_sold(self, order: Order) -> None:
        self._sold(order, -1)

    def _sold(self, order: Order, sign: int) -> None:
        for product_id, quantity in order.quantities.items():
            product = self._products[product_id]
            self._products[product_id] = replace(
                product, units_sold=product.units_sold + sign * quantity
            )

    async def get(self, order_id: UUID) -> Order | None:
        return self._orders.get(order_id)

    async def page(
        self, *, customer: UUID | None, after: OrderMark | None, limit: int
    ) -> list[Order]:
        newest_first = sorted(
            self._orders.values(), key=lambda order: (order.created_at, order.id), reverse=True
        )
        return [
            order
            for order in newest_first
            if (customer is None or order.user_id == customer)
            and (after is None or (order.created_at, order.id) < after)
        ][:limit]

    async def move(
        self,
        order_id: UUID,
        *,
        to: OrderStatus,
        allowed_from: Collection[OrderStatus],
        at: datetime,
    ) -> bool:
        order = self._orders[order_id]
        if order.status not in allowed_from:
            return False
        cancelled_at = at if to is OrderStatus.CANCELLED else order.cancelled_at
        self._orders[order_id] = replace(order, status=to, updated_at=at, cancelled_at=cancelled_at)
        return True


class MemoryPromoRedemptionRepository:
    def __init__(self, tables: OrderTables, shopping: ShoppingTables) -> None:
        self._redeemed = tables.redeemed
        self._promos = shopping.promo_codes
        self._uses = shopping.redemptions

    async def claim(self, promo_id: UUID) -> bool:
        promo = self._promos.get(promo_id)
        if promo is None or (promo.max_uses is not None and promo.times_used >= promo.max_uses):
            return False
        self._promos[promo_id] = replace(promo, times_used=promo.times_used + 1)
        return True

    async def record(self, promo_id: UUID, user_id: UUID, order_id: UUID, at: datetime) -> None:
        self._redeemed[order_id] = (promo_id, user_id)
        self._uses[promo_id, user_id] = self._uses.get((promo_id, user_id), 0) + 1

    async def release(self, order_id: UUID) -> bool:
        if order_id not in self._redeemed:
            return False
        promo_id, user_id = self._redeemed.pop(order_id)
        self._uses[promo_id, user_id] -= 1
        promo = self._promos[promo_id]
        self._promos[promo_id] = replace(promo, times_used=promo.times_used - 1)
        return True


class MemoryIdempotencyKeyRepository:
    def __init__(self, tables: OrderTables) -> None:
        self._keys = tables.idempotency_keys
        self._pending: dict[tuple[UUID, str], str] = {}

    async def claim(
        self, user_id: UUID, key: str, request_hash: str, at: datetime
    ) -> KeptAnswer | None:
        kept = self._keys.get((user_id, key))
        if kept is None:
            self._pending[user_id, key] = request_hash
            return None
        return KeptAnswer(request_hash=kept[0], answer=kept[1])

    async def answer(self, user_id: UUID, key: str, answer: Answer, order_id: UUID) -> None:
        self._keys[user_id, key] = (self._pending.pop((user_id, key)), answer)


class MemoryLowStockAlertRepository:
    def __init__(self, tables: OrderTables, catalog: CatalogTables) -> None:
        self._tables = tables
        self._products = catalog.products

    async def open(self, alert: LowStockAlert, product_name: str) -> bool:
        if self._open_alert(alert.product_id) is not None:
            return False
        self._tables.alerts[alert.id] = alert
        self._tables.announced.append(alert.id)
        return True

    async def resolve(self, product_id: UUID, at: datetime) -> bool:
        alert = self._open_alert(product_id)
        if alert is None:
            return False
        self._tables.alerts[alert.id] = replace(alert, resolved_at=at)
        return True

    async def page(
        self, *, status: AlertStatus | None, before: UUID | None, limit: int
    ) -> list[AlertView]:
        chosen = [
            alert
            for alert_id, alert in sorted(self._tables.alerts.items(), reverse=True)
            if (before is None or alert_id < before)
            and (status is None or (alert.resolved_at is None) == (status is AlertStatus.OPEN))
        ]
        return [self._view(alert) for alert in chosen[:limit]]

    def _open_alert(self, product_id: UUID) -> LowStockAlert | None:
        return next(
            (
                alert
                for alert in self._tables.alerts.values()
                if alert.product_id == product_id and alert.resolved_at is None
            ),
            None,
        )

    def _view(self, alert: LowStockAlert) -> AlertView:
        product = self._products[alert.product_id]
        return AlertView(
            alert=alert,
            product=AlertedProduct(id=product.id, name=product.name, slug=product.slug),
        )


class MemoryOutbox:
    def __init__(self, tables: OrderTables) -> None:
        self._tables = tables

    async def add(self, message: OutboxMessage) -> None:
        self._tables.outbox[message.id] = message

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        due = [
            message
            for message in self._tables.outbox.values()
            if message.id not in self._tables.delivered and message.next_attempt_at <= now
        ]
        return sorted(due, key=lambda message: message.next_attempt_at)[:limit]

    async def delivered(self, message_id: UUID, at: datetime) -> None:
        self._count_attempt(message_id)
        self._tables.delivered[message_id] = at

    async def retry_later(self, message_id: UUID, *, at: datetime, error: str) -> None:
        message = self._count_attempt(message_id)
        self._tables.outbox[message_id] = replace(message, next_attempt_at=at)
        self._tables.last_errors[message_id] = error

    def _count_attempt(self, message_id: UUID) -> OutboxMessage:
        message = self._tables.outbox[message_id]
        counted = replace(message, attempts=message.attempts + 1)
        self._tables.outbox[message_id] = counted
        return counted


# --- the store and its unit of work ---------------------------------------------


@dataclass
class MemoryStore:
    """Everything the shop keeps, one set of tables per area."""

    accounts: AccountsTables = field(default_factory=AccountsTables)
    catalog: CatalogTables = field(default_factory=CatalogTables)
    shopping: ShoppingTables = field(default_factory=ShoppingTables)
    orders: OrderTables = field(default_factory=OrderTables)


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self._store)
        self._bind_repositories(self._working)
        return self

    def _bind_repositories(self, working: MemoryStore) -> None:
        self.users: UserRepository = MemoryUserRepository(working.accounts)
        self.refresh_tokens: RefreshTokenRepository = MemoryRefreshTokenRepository(working.accounts)
        self.login_failures: LoginFailureRepository = MemoryLoginFailureRepository(working.accounts)
        self.categories: CategoryRepository = MemoryCategoryRepository(working.catalog)
        self.products: ProductRepository = MemoryProductRepository(working.catalog)
        self.product_images: ProductImageRepository = MemoryProductImageRepository(working.catalog)
        self.shelf: ProductShelf = MemoryProductShelf(working.catalog, working.shopping)
        self.cart: CartRepository = MemoryCartRepository(working.shopping)
        self.wishlist: WishlistRepository = MemoryWishlistRepository(
            working.shopping, working.catalog
        )
        self.promo_codes: PromoCodeRepository = MemoryPromoCodeRepository(
            working.shopping, working.catalog
        )
        self.stock: StockRoom = MemoryStockRoom(working.catalog)
        self.orders: OrderRepository = MemoryOrderRepository(
            working.orders, working.shopping, working.catalog
        )
        self.redemptions: PromoRedemptionRepository = MemoryPromoRedemptionRepository(
            working.orders, working.shopping
        )
        self.idempotency_keys: IdempotencyKeyRepository = MemoryIdempotencyKeyRepository(
            working.orders
        )
        self.low_stock_alerts: LowStockAlertRepository = MemoryLowStockAlertRepository(
            working.orders, working.catalog
        )
        self.outbox: Outbox = MemoryOutbox(working.orders)

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
