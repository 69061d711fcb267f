"""The back office put together: its router under /admin (sessions and CSRF apply there
only, so the JSON API is untouched), its templates, its session store and its door."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.template import TemplateConfig

from grocery.config import Settings
from grocery.core.ports.clock import Clock
from grocery.core.services.auth import AuthService
from grocery.entrypoints.http.guards import PUBLIC
from grocery.entrypoints.http.lockouts import LockedAccounts
from grocery.entrypoints.web.alerts import AlertPages
from grocery.entrypoints.web.categories import CategoryPages
from grocery.entrypoints.web.dashboard import DashboardController
from grocery.entrypoints.web.delivery_zones import DeliveryZonePages
from grocery.entrypoints.web.door import STAFF, StaffDoor, door_before_uploads
from grocery.entrypoints.web.errors import EXCEPTION_PAGES
from grocery.entrypoints.web.formats import StoreFormats
from grocery.entrypoints.web.orders import OrderPages
from grocery.entrypoints.web.picking import PickingPages
from grocery.entrypoints.web.pickup_points import PickupPointPages
from grocery.entrypoints.web.product_images import image_pages
from grocery.entrypoints.web.products import ProductPages
from grocery.entrypoints.web.promo_codes import PromoCodePages
from grocery.entrypoints.web.reports import ReportPages
from grocery.entrypoints.web.sessions import STORE, SessionRows, StaffSessionStore, session_config
from grocery.entrypoints.web.sign_in import SignInController
from grocery.entrypoints.web.slots import SlotPages
from grocery.entrypoints.web.tax_classes import TaxClassPages
from grocery.entrypoints.web.users import UserPages

HERE = Path(__file__).parent
PLACES_PAGES = (SlotPages, DeliveryZonePages, PickupPointPages, TaxClassPages)
CSRF_COOKIE = "grocery_csrf"


@dataclass(frozen=True)
class BackOffice:
    """What create_app hands to Litestar for the back office."""

    router: Router
    templates: TemplateConfig[JinjaTemplateEngine]
    stores: dict[str, Store]
    state: dict[str, Any]


def back_office(
    settings: Settings,
    *,
    sessions: SessionRows,
    clock: Clock,
    auth: AuthService,
    lockouts: LockedAccounts,
) -> BackOffice:
    secure = settings.env == "production"
    formats = StoreFormats(currency=settings.currency, timezone=settings.timezone)
    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_name=CSRF_COOKIE,
        cookie_path="/admin",
        cookie_secure=secure,
        cookie_httponly=True,  # forms carry the token; no script needs to read it
        cookie_samesite="lax",
    )
    pages = Router(
        path="/admin",
        route_handlers=[
            SignInController,
            DashboardController,
            ProductPages,
            CategoryPages,
            PromoCodePages,
            AlertPages,
            ReportPages,
            OrderPages,
            PickingPages,
            *PLACES_PAGES,
            UserPages,
            image_pages(settings.max_upload_bytes),
        ],
        middleware=[
            session_config(secure=secure).middleware,
            door_before_uploads,
            DefineMiddleware(CSRFMiddleware, config=csrf),
        ],
        dependencies={
            **STAFF,
            "formats": Provide(lambda: formats, use_cache=True, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_PAGES,
        include_in_schema=False,
        cache_control=CacheControlHeader(no_store=True),  # staff pages are never kept by a cache
    )
    stylesheet = create_static_files_router(
        path="/admin/static",
        directories=[HERE / "static"],
        opt=dict(PUBLIC),
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=3600),
    )
    return BackOffice(
        router=Router(path="/", route_handlers=[pages, stylesheet], include_in_schema=False),
        templates=TemplateConfig(
            directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=_with(formats)
        ),
        stores={STORE: StaffSessionStore(sessions, clock)},
        state=StaffDoor(auth, lockouts, clock).state(),
    )


def _with(formats: StoreFormats) -> Any:
    def install(engine: JinjaTemplateEngine) -> None:
        formats.install(engine.engine)

    return install
