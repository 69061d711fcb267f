"""The demo shop: the demo catalog and three accounts, loaded idempotently."""

from __future__ import annotations

from grocery.config import Settings
from grocery.core.identity import Role
from grocery.entrypoints.app import build_auth_service, build_catalog_service
from grocery.entrypoints.demo_catalog import load_demo_catalog
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
        catalog = await load_demo_catalog(build_catalog_service(settings, adapters))
        auth = build_auth_service(settings, adapters)
        for username, role in DEMO_ACCOUNTS:
            await auth.ensure_user(
                username, f"{username}@demo.grocery.test", settings.demo_password, role
            )
    finally:
        await adapters.database.dispose()
    return (
        f"demo shop ready: {catalog.categories_added} categories and {catalog.products_added} "
        f"products added; accounts {', '.join(name for name, _ in DEMO_ACCOUNTS)}"
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
