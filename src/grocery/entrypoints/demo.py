"""The demo shop: the demo catalog, three accounts, and delivery zones, a pickup counter and a
week of slots, loaded idempotently."""

from __future__ import annotations

from grocery.config import Settings
from grocery.core.identity import Role
from grocery.entrypoints.app import (
    build_auth_service,
    build_catalog_service,
    build_fulfilment_services,
    build_tax_service,
)
from grocery.entrypoints.demo_catalog import load_demo_catalog
from grocery.entrypoints.demo_slots import load_demo_fulfilment
from grocery.entrypoints.demo_taxes import tax_the_demo_shop
from grocery.entrypoints.wiring import build_adapters

DEMO_ACCOUNTS: tuple[tuple[str, Role], ...] = (
    ("admin", Role.ADMIN),
    ("manager", Role.MANAGER),
    ("customer", Role.CUSTOMER),
)


async def seed_demo(settings: Settings) -> str:
    """Load the demo shop; answer a one-line summary of what was added."""
    adapters = build_adapters(settings)
    try:
        shelves = build_catalog_service(settings, adapters)
        catalog = await load_demo_catalog(shelves)
        tax_classes = await tax_the_demo_shop(build_tax_service(adapters), shelves)
        auth = build_auth_service(settings, adapters)
        for username, role in DEMO_ACCOUNTS:
            await auth.ensure_user(
                username, f"{username}@demo.grocery.test", settings.demo_password, role
            )
        _, zones, points, slots = build_fulfilment_services(settings, adapters)
        places = await load_demo_fulfilment(zones, points, slots, timezone=settings.timezone)
    finally:
        await adapters.database.dispose()
    return (
        f"demo shop ready: {catalog.categories_added} categories, {catalog.products_added} "
        f"products and {tax_classes} tax classes added; {places.zones_added} delivery zones,"
        f" {places.points_added} pickup points and {places.slots_added} slots added;"
        f" accounts {', '.join(name for name, _ in DEMO_ACCOUNTS)}"
    )


async def create_admin(settings: Settings, username: str, email: str, password: str) -> str:
    adapters = build_adapters(settings)
    try:
        user = await build_auth_service(settings, adapters).ensure_user(
            username, email, password, Role.ADMIN
        )
    finally:
        await adapters.database.dispose()
    return f"admin {user.username} ({user.email}) is ready"
