"""The demo shop's delivery and pickup, loaded into its own database: two zones, a counter and
a week of slots from today, once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from grocery.adapters.sql import migrate
from grocery.core.fulfilment.listing import SlotSearch
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.entrypoints.app import build_fulfilment_services
from grocery.entrypoints.demo_slots import DemoFulfilment, load_demo_fulfilment
from grocery.entrypoints.wiring import Adapters, build_adapters
from tests.integration.conftest import make_settings
from tests.integration.database import fresh_database


@pytest.fixture(scope="module")
async def adapters_and_settings(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[Adapters, str]]:
    with fresh_database(tmp_path_factory.mktemp("demo-slots")) as url:
        migrate.upgrade(url)
        adapters = build_adapters(make_settings(url))
        yield adapters, url
        await adapters.database.dispose()


async def test_the_demo_plans_a_week_of_slots_once(
    adapters_and_settings: tuple[Adapters, str],
) -> None:
    adapters, url = adapters_and_settings
    settings = make_settings(url, timezone="Europe/London")
    _, zones, points, slots = build_fulfilment_services(settings, adapters)

    first = await load_demo_fulfilment(zones, points, slots, timezone=settings.timezone)
    second = await load_demo_fulfilment(zones, points, slots, timezone=settings.timezone)

    assert (first.zones_added, first.points_added) == (2, 1)
    assert 0 < first.slots_added <= 7 * (3 + 3 + 2)
    assert second == DemoFulfilment(zones_added=0, points_added=0, slots_added=0)
    page = await slots.upcoming(SlotSearch(postal_code="SW1A 1AA", limit=100))
    assert page.loads, "a newcomer in the centre can book a delivery at once"
    assert {load.fee for load in page.loads} == {min(z.fee for z in await zones.all())}
    now = datetime.now(UTC)
    assert all(load.slot.starts_at < now + timedelta(days=8) for load in page.loads)
    # Today's later slots may be listed past their cutoff (not available): the rest of the week is.
    assert sum(load.available(now) for load in page.loads) >= len(page.loads) - 3
    pickups = await slots.upcoming(SlotSearch(method=FulfilmentMethod.PICKUP, limit=100))
    assert pickups.loads
