"""create_app(settings, adapters): the only place that wires the services and the HTTP API
to the adapters (built in wiring.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

import structlog
from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide

from grocery.adapters.images import inspect_image
from grocery.adapters.security import (
    hash_refresh_token,
    new_guest_cart_token,
    new_link_token,
    new_refresh_token,
)
from grocery.adapters.sql.account_lockouts import SqlAccountLockouts
from grocery.adapters.sql.catalog_changes import SqlCatalogStamps
from grocery.adapters.sql.catalog_feed import CatalogFeed
from grocery.adapters.sql.catalog_reads import SqlCatalogReader
from grocery.adapters.sql.reports import SqlReportReader, recut_sales_days
from grocery.adapters.sql.retention import SqlRecordKeeper
from grocery.adapters.sql.staff_sessions import SqlStaffSessions
from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.config import Settings
from grocery.core.account_links import MailThrottle
from grocery.core.errors import ServiceUnavailable
from grocery.core.identity import LoginThrottle
from grocery.core.payments import PaymentProvider
from grocery.core.ports.unit_of_work import UnitOfWork
from grocery.core.services.account_links import AccountLinkService
from grocery.core.services.addresses import AddressService
from grocery.core.services.alerts import AlertService
from grocery.core.services.auth import AuthService, RefreshTokenMint
from grocery.core.services.cart import CartService
from grocery.core.services.catalog import CatalogService
from grocery.core.services.checkout import CheckoutService
from grocery.core.services.fulfilment import DeliveryZoneService, PickupPointService
from grocery.core.services.guest_carts import GuestCartService
from grocery.core.services.orders import OrderService
from grocery.core.services.paid_checkout import PaidCheckoutService
from grocery.core.services.payments import PaymentFollowUps, RefundService
from grocery.core.services.picking import PickingService
from grocery.core.services.promotions import PromoCodeService
from grocery.core.services.reports import ReportService
from grocery.core.services.restock import RestockService
from grocery.core.services.slot_holds import SlotHoldService
from grocery.core.services.slots import SlotService
from grocery.core.services.stock import StockService
from grocery.core.services.taxes import TaxClassService
from grocery.core.services.wishlist import WishlistService
from grocery.entrypoints.housekeeping import forgetting, housekeeping, retention, rolling
from grocery.entrypoints.http.addresses import AddressController
from grocery.entrypoints.http.alerts import AlertController
from grocery.entrypoints.http.auth import (
    AccountLinkController,
    AdminUsersController,
    AuthController,
)
from grocery.entrypoints.http.cart import CartController, Carts
from grocery.entrypoints.http.catalog import Storefront
from grocery.entrypoints.http.categories import CategoryController
from grocery.entrypoints.http.checkout import CheckoutController
from grocery.entrypoints.http.cors import cors_config
from grocery.entrypoints.http.delivery_zones import DeliveryZoneController
from grocery.entrypoints.http.guards import PRINCIPAL, Authenticator
from grocery.entrypoints.http.guest_carts import GuestCartController
from grocery.entrypoints.http.head import head_as_get
from grocery.entrypoints.http.health import HealthController
from grocery.entrypoints.http.hosts import host_check_middleware
from grocery.entrypoints.http.images import image_routes
from grocery.entrypoints.http.json_bodies import JsonRequest
from grocery.entrypoints.http.lockouts import LockedAccounts
from grocery.entrypoints.http.media import media
from grocery.entrypoints.http.metrics import (
    MetricsAccess,
    metrics_middleware,
    pools_sampled,
    serve_metrics,
)
from grocery.entrypoints.http.openapi import docs_routes, finish_document, openapi_config
from grocery.entrypoints.http.orders import OrderController
from grocery.entrypoints.http.payments import RefundController, StripeWebhookController
from grocery.entrypoints.http.picking import PickingController
from grocery.entrypoints.http.pickup_points import PickupPointController
from grocery.entrypoints.http.problems import EXCEPTION_HANDLERS, document_problems
from grocery.entrypoints.http.products import ProductController
from grocery.entrypoints.http.promo_codes import PromoCodeController
from grocery.entrypoints.http.reports import ReportController
from grocery.entrypoints.http.restock import NotifyMeController
from grocery.entrypoints.http.slots import SlotController
from grocery.entrypoints.http.stock import StockMovementController
from grocery.entrypoints.http.storefront_cache import StorefrontCache
from grocery.entrypoints.http.storefront_fast import storefront_fast_path
from grocery.entrypoints.http.taxes import TaxClassController
from grocery.entrypoints.http.wishlist import WishlistController
from grocery.entrypoints.logs import access_log_middleware, configure_logging
from grocery.entrypoints.metrics import NO_METRICS, ShopMetrics, worker_gone
from grocery.entrypoints.payment_outcomes import NotedPayments
from grocery.entrypoints.web.errors import pages_under_admin
from grocery.entrypoints.web.guard_headers import office_headers_middleware
from grocery.entrypoints.web.office import back_office
from grocery.entrypoints.wiring import Adapters, build_adapters, token_policy
from grocery.entrypoints.worker import (
    mail_delivery,
    outbox_worker,
    payment_follow_ups,
    payment_sweep,
    payment_worker,
)

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

LINK_TOKENS = RefreshTokenMint(new=new_link_token, hash=hash_refresh_token)
GUEST_CART_TOKENS = RefreshTokenMint(new=new_guest_cart_token, hash=hash_refresh_token)


async def _sales_days_recut(adapters: Adapters, zone: str) -> None:
    """With a replica, reports read rollups they can't recut into a changed shop zone: the
    primary recuts them when a server starts (nothing to do unless the zone changed)."""
    if adapters.replica is adapters.database:
        return  # reports read the primary, which recuts them when first asked
    try:
        await recut_sales_days(adapters.database, zone)
    except ServiceUnavailable:
        structlog.get_logger().warning("reports.recut_skipped", reason="database unavailable")


def build_auth_service(settings: Settings, adapters: Adapters) -> AuthService:
    return AuthService(
        uow=lambda: SqlUnitOfWork(adapters.database),
        hasher=adapters.hasher,
        access_tokens=adapters.access_tokens,
        refresh_tokens=RefreshTokenMint(new=new_refresh_token, hash=hash_refresh_token),
        link_tokens=LINK_TOKENS,
        clock=adapters.clock,
        policy=token_policy(settings),
        throttle=LoginThrottle(
            max_failures=settings.login_max_failures,
            window=timedelta(seconds=settings.login_window_seconds),
        ),
    )


def build_account_link_service(settings: Settings, adapters: Adapters) -> AccountLinkService:
    return AccountLinkService(
        uow=lambda: SqlUnitOfWork(adapters.database),
        hasher=adapters.hasher,
        mint=LINK_TOKENS,
        clock=adapters.clock,
        throttle=MailThrottle(
            per_address=settings.link_mails_per_address, per_client=settings.link_mails_per_client
        ),
    )


def build_catalog_service(settings: Settings, adapters: Adapters) -> CatalogService:
    return CatalogService(
        uow=lambda: SqlUnitOfWork(adapters.database),
        reader=SqlCatalogReader(adapters.replica),
        blobs=adapters.blobs,
        inspect_image=inspect_image,
        clock=adapters.clock,
        low_stock_threshold=settings.low_stock_threshold,
        max_upload_bytes=settings.max_upload_bytes,
    )


def build_tax_service(adapters: Adapters) -> TaxClassService:
    return TaxClassService(uow=lambda: SqlUnitOfWork(adapters.database))


def build_cart_services(
    settings: Settings, adapters: Adapters
) -> tuple[Carts, SlotHoldService, WishlistService, PromoCodeService]:
    def uow() -> UnitOfWork:
        return SqlUnitOfWork(adapters.database)

    def guests_uow() -> UnitOfWork:
        return SqlUnitOfWork(adapters.database, for_guests=True)

    with_tax = settings.prices_include_tax
    carts = Carts(
        customers=CartService(uow=uow, clock=adapters.clock, prices_include_tax=with_tax),
        guests=CartService(uow=guests_uow, clock=adapters.clock, prices_include_tax=with_tax),
    )
    return (
        carts,
        SlotHoldService(
            uow=uow,
            clock=adapters.clock,
            hold_minutes=settings.slot_hold_minutes,
            prices_include_tax=with_tax,
        ),
        WishlistService(
            uow=uow, clock=adapters.clock, blobs=adapters.blobs, prices_include_tax=with_tax
        ),
        PromoCodeService(uow=uow, clock=adapters.clock),
    )


def build_guest_cart_service(settings: Settings, adapters: Adapters) -> GuestCartService:
    return GuestCartService(
        uow=lambda: SqlUnitOfWork(adapters.database),
        mint=GUEST_CART_TOKENS,
        clock=adapters.clock,
        prices_include_tax=settings.prices_include_tax,
    )


def build_order_services(
    settings: Settings, adapters: Adapters, follow_ups: PaymentFollowUps
) -> tuple[CheckoutService, OrderService, AlertService]:
    def uow() -> UnitOfWork:
        return SqlUnitOfWork(adapters.database)

    return (
        build_checkout_service(settings, adapters),
        OrderService(
            uow=uow,
            clock=adapters.clock,
            timezone=settings.timezone,
            payments=follow_ups,
        ),
        AlertService(uow=uow),
    )


def build_checkout_service(settings: Settings, adapters: Adapters) -> CheckoutService:
    """Paid by hand, or by card through the configured provider."""
    gateway = adapters.gateways.checkout
    if gateway.provider is PaymentProvider.MANUAL:
        return CheckoutService(
            uow=lambda: SqlUnitOfWork(adapters.database),
            clock=adapters.clock,
            currency=settings.currency,
            prices_include_tax=settings.prices_include_tax,
            require_slot=settings.require_slot,
        )
    return PaidCheckoutService(
        uow=lambda: SqlUnitOfWork(adapters.database),
        clock=adapters.clock,
        currency=settings.currency,
        require_slot=settings.require_slot,
        gateway=gateway,
        tolerance_percent=settings.weight_tolerance_percent,
        prices_include_tax=settings.prices_include_tax,
    )


def build_picking_services(
    settings: Settings, adapters: Adapters, follow_ups: PaymentFollowUps
) -> tuple[PickingService, StockService]:
    def uow() -> UnitOfWork:
        return SqlUnitOfWork(adapters.database)

    tolerance = settings.weight_tolerance_percent
    return (
        PickingService(
            uow=uow,
            clock=adapters.clock,
            tolerance_percent=tolerance,
            payments=follow_ups,
        ),
        StockService(uow=uow, clock=adapters.clock),
    )


def build_fulfilment_services(
    settings: Settings, adapters: Adapters
) -> tuple[AddressService, DeliveryZoneService, PickupPointService, SlotService]:
    def uow() -> UnitOfWork:
        return SqlUnitOfWork(adapters.database)

    return (
        AddressService(uow=uow, clock=adapters.clock),
        DeliveryZoneService(uow=uow),
        PickupPointService(uow=uow),
        SlotService(uow=uow, clock=adapters.clock, timezone=settings.timezone),
    )


def page_age(settings: Settings) -> float:
    """How long a storefront page may be kept: never past half a presigned URL's life."""
    if settings.storage_presign:
        return min(settings.catalog_cache_seconds, settings.storage_presign_ttl_seconds / 2)
    return settings.catalog_cache_seconds


def catalog_feed(settings: Settings, pages: StorefrontCache) -> CatalogFeed | None:
    """The catalog's change feed, on the primary reached directly: never through PgBouncer,
    where LISTEN can't work (there, without GROCERY_LISTEN_DATABASE_URL, every hit is checked)."""
    url = settings.listen_database_url
    if url is None and not settings.db_pgbouncer:
        url = settings.database_url
    if url is None or settings.catalog_cache_seconds == 0:
        return None
    return CatalogFeed(url, pages)


def create_app(
    settings: Settings,
    adapters: Adapters | None = None,
    *,
    tracer_provider: TracerProvider | None = None,
) -> Litestar:
    """`tracer_provider` (tests) stands in for the OTLP exporter of `settings.otel_endpoint`."""
    configure_logging(settings)
    wired = adapters or build_adapters(settings)
    # Imported here: only a traced shop pays for loading OpenTelemetry.
    if tracer_provider is None and settings.otel_endpoint is not None:
        from grocery.entrypoints.traces import otlp_provider

        tracer_provider = otlp_provider(settings.otel_endpoint)
    traced = None
    if tracer_provider is not None:
        from grocery.entrypoints.traces import Tracing

        traced = Tracing(tracer_provider)
    auth = build_auth_service(settings, wired)
    lockouts = LockedAccounts(SqlAccountLockouts(wired.database))
    guest_carts = build_guest_cart_service(settings, wired)
    authenticator = Authenticator(
        wired.access_tokens,
        wired.clock,
        auth,
        lockouts,
        guest_carts,
        require_verified_email=settings.require_verified_email,
    )
    account_links = build_account_link_service(settings, wired)
    restock = RestockService(uow=lambda: SqlUnitOfWork(wired.database), clock=wired.clock)
    catalog = build_catalog_service(settings, wired)
    stamps = SqlCatalogStamps(wired.replica)  # the pages' own server: stamps are its snapshots
    metrics = ShopMetrics() if settings.metrics else None
    tally = metrics or NO_METRICS
    metrics_access = MetricsAccess(metrics, settings.metrics_token)
    pages = StorefrontCache(stamps, max_age=page_age(settings), tally=tally.storefront_cache)
    feed = catalog_feed(settings, pages)
    if feed is not None:
        wired.database.watch_commits(feed.committed_here)
    storefront = Storefront(catalog, wired.blobs, pages)
    carts, slot_holds, wishlist, promo_codes = build_cart_services(settings, wired)
    follow_ups = payment_follow_ups(wired, tally)
    checkout, orders, alerts = build_order_services(settings, wired, follow_ups)
    picking, stock = build_picking_services(settings, wired, follow_ups)
    refunds = RefundService(
        uow=lambda: SqlUnitOfWork(wired.database),
        clock=wired.clock,
        gateways=wired.gateways,
        outcomes=NotedPayments(tally),
    )
    taxes = build_tax_service(wired)
    addresses, delivery_zones, pickup_points, slots = build_fulfilment_services(settings, wired)
    reports = ReportService(
        reader=SqlReportReader(wired.replica),
        timezone=settings.timezone,
        currency=settings.currency,
    )

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            await _sales_days_recut(wired, settings.timezone)
            async with AsyncExitStack() as background:
                keeper = SqlRecordKeeper(wired.database)
                forget = forgetting(keeper, retention(settings))
                roll = rolling(wired.database)
                await background.enter_async_context(housekeeping(forget, roll))
                await background.enter_async_context(lockouts.followed())
                if feed is not None:
                    await background.enter_async_context(feed.followed())
                if metrics is not None:
                    await background.enter_async_context(pools_sampled(metrics, wired.database))
                    background.callback(worker_gone)
                if traced is not None:
                    background.enter_context(traced.sql([wired.database, wired.replica]))
                # Every server process runs one outbox worker; they share the work.
                if settings.run_worker:
                    worker = outbox_worker(
                        wired.database,
                        wired.clock,
                        mail=mail_delivery(settings, wired.mailer),
                        webhook_url=settings.alert_webhook_url,
                    )
                    await background.enter_async_context(worker)
                    if wired.gateways.stripe is not None:
                        sweep = payment_sweep(settings, wired, tally)
                        await background.enter_async_context(payment_worker(sweep))
                yield
        finally:
            await wired.database.dispose()
            if wired.replica is not wired.database:
                await wired.replica.dispose()

    dependencies = {
        "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
        "database": Provide(lambda: wired.database, use_cache=True, sync_to_thread=False),
        "blobs": Provide(lambda: wired.blobs, use_cache=True, sync_to_thread=False),
        "clock": Provide(lambda: wired.clock, use_cache=True, sync_to_thread=False),
        "auth": Provide(lambda: auth, use_cache=True, sync_to_thread=False),
        "lockouts": Provide(lambda: lockouts, use_cache=True, sync_to_thread=False),
        "account_links": Provide(lambda: account_links, use_cache=True, sync_to_thread=False),
        "restock": Provide(lambda: restock, use_cache=True, sync_to_thread=False),
        "catalog": Provide(lambda: catalog, use_cache=True, sync_to_thread=False),
        "storefront": Provide(lambda: storefront, use_cache=True, sync_to_thread=False),
        "carts": Provide(lambda: carts, use_cache=True, sync_to_thread=False),
        "guest_carts": Provide(lambda: guest_carts, use_cache=True, sync_to_thread=False),
        "slot_holds": Provide(lambda: slot_holds, use_cache=True, sync_to_thread=False),
        "wishlist": Provide(lambda: wishlist, use_cache=True, sync_to_thread=False),
        "promo_codes": Provide(lambda: promo_codes, use_cache=True, sync_to_thread=False),
        "checkout": Provide(lambda: checkout, use_cache=True, sync_to_thread=False),
        "orders": Provide(lambda: orders, use_cache=True, sync_to_thread=False),
        "alerts": Provide(lambda: alerts, use_cache=True, sync_to_thread=False),
        "picking": Provide(lambda: picking, use_cache=True, sync_to_thread=False),
        "stock": Provide(lambda: stock, use_cache=True, sync_to_thread=False),
        "refunds": Provide(lambda: refunds, use_cache=True, sync_to_thread=False),
        "follow_ups": Provide(lambda: follow_ups, use_cache=True, sync_to_thread=False),
        "gateways": Provide(lambda: wired.gateways, use_cache=True, sync_to_thread=False),
        "reports": Provide(lambda: reports, use_cache=True, sync_to_thread=False),
        "taxes": Provide(lambda: taxes, use_cache=True, sync_to_thread=False),
        "metrics": Provide(lambda: tally, use_cache=True, sync_to_thread=False),
        "metrics_access": Provide(lambda: metrics_access, use_cache=True, sync_to_thread=False),
        "addresses": Provide(lambda: addresses, use_cache=True, sync_to_thread=False),
        "delivery_zones": Provide(lambda: delivery_zones, use_cache=True, sync_to_thread=False),
        "pickup_points": Provide(lambda: pickup_points, use_cache=True, sync_to_thread=False),
        "slots": Provide(lambda: slots, use_cache=True, sync_to_thread=False),
        **PRINCIPAL,
    }
    # Each area of the shop adds its services to `dependencies` and its controllers to `api`.
    api = Router(
        path="/api",
        route_handlers=[
            AuthController,
            AccountLinkController,
            AdminUsersController,
            CategoryController,
            ProductController,
            TaxClassController,
            image_routes(settings.max_upload_bytes),
            CartController,
            GuestCartController,
            WishlistController,
            NotifyMeController,
            PromoCodeController,
            CheckoutController,
            OrderController,
            PickingController,
            RefundController,
            StripeWebhookController,
            StockMovementController,
            AlertController,
            ReportController,
            AddressController,
            DeliveryZoneController,
            PickupPointController,
            SlotController,
        ],
    )
    office = back_office(
        settings,
        sessions=SqlStaffSessions(wired.database),
        clock=wired.clock,
        auth=auth,
        lockouts=lockouts,
    )
    # Local and memory stores have no web server of their own: the app serves their images.
    served_media = [media] if settings.storage_url.startswith(("file:", "memory:")) else []
    app = Litestar(
        route_handlers=[
            HealthController,
            serve_metrics,
            api,
            office.router,
            *docs_routes(),
            *served_media,
        ],
        dependencies=dependencies,
        state=State({**authenticator.state(), **office.state}),
        template_config=office.templates,
        stores=office.stores,
        exception_handlers=pages_under_admin(EXCEPTION_HANDLERS),
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        request_class=JsonRequest,
        cors_config=cors_config(settings.cors_origins),
        openapi_config=openapi_config(),
        plugins=[] if traced is None else [traced.plugin()],
        before_request=None if traced is None else traced.name_span_by_route,
        debug=False,
    )
    document_problems(app)
    finish_document(app)
    # Wrapped outside the router, so unknown paths and 405s get their access line too.
    served = office_headers_middleware(app.asgi_handler, settings)
    if traced is None:  # a traced request gets its spans: it takes the whole way
        served = storefront_fast_path(served, pages)
    served = served if metrics is None else metrics_middleware(served, metrics)
    app.asgi_handler = access_log_middleware(
        host_check_middleware(head_as_get(served), settings.allowed_hosts)
    )
    return app
