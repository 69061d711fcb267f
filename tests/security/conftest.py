"""The security suite runs the app on real PostgreSQL, like the integration tests, and reuses
their fixtures (this folder gets its own session database)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from grocery.config import Settings
from tests.integration.conftest import (  # noqa: F401 - fixtures, found by name (and one helper)
    adapters,
    app,
    app_in_this_loop,
    auth_service,
    client,
    database_url,
    live_server,
    make_user,
    settings,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/security/" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
async def direct_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    """The app in the test's own event loop over httpx's ASGI transport: gathered requests
    really run at once, and a streamed body reaches the app in chunks (the shared test
    client serves one request at a time and reads bodies whole)."""
    async with app_in_this_loop(settings) as direct:
        yield direct
