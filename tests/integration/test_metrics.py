"""GET /metrics on PostgreSQL: requests by route template, checkouts by outcome, a card's
payment steps, the storefront cache, the pools and the outbox; off by default, behind its token when set; and
with several granian workers, every worker's figures added up."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from grocery.config import Settings
from grocery.entrypoints.app import create_app
from grocery.entrypoints.wiring import Adapters
from tests.integration.card_shop import VISA, card_settings, pay, served
from tests.integration.catalog_shop import Client, Json, assert_problem
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import (
    MakeUser,
    SignedInUser,
    free_port,
    make_settings,
    server_environment,
    stop,
    wait_until_live,
)
from tests.integration.picking_shop import Picker
from tests.integration.slot_shop import Places, hold
from tests.integration.stripe_server import intent_event
from tests.integration.test_payments_stripe_api import stored
from tests.integration.test_payments_webhooks_api import (
    confirmed_at_stripe,
    failed_at_stripe,
    send,
    waiting,
)

TOKEN = "scrape-token-for-the-tests"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(exposition: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
async def metered(settings: Settings) -> AsyncIterator[Client]:
    """An app of its own with metrics on (its figures are its own registry's)."""
    app = create_app(make_settings(str(settings.database_url), metrics=True, metrics_token=TOKEN))
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        yield client


async def scrape(client: Client | httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


async def test_requests_are_counted_by_route_template_and_status(
    metered: Client, shop: Shop
) -> None:
    apples = await shop.product("1.00")
    before = await scrape(metered)
    for _ in range(3):
        assert (await metered.get(f"/api/products/{apples['id']}")).status_code == 200
    assert (await metered.get("/no/such/page")).status_code == 404

    after = await scrape(metered)
    route = {"method": "GET", "route": "/api/products/{ref}"}
    served = {**route, "status": "200"}
    assert (
        value(after, "grocery_http_requests_total", **served)
        - value(before, "grocery_http_requests_total", **served)
        == 3
    )
    assert value(after, "grocery_http_request_duration_seconds_count", **route) >= 3
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(after, "grocery_http_requests_total", **unmatched) >= 1
    assert not any(apples["id"] in str(labels) for _, labels in after)  # no path in a label


async def test_checkouts_are_counted_by_outcome_and_the_outbox_shows(
    metered: Client, shop: Shop, ann: SignedInUser
) -> None:
    apples = await shop.product("1.00", stock=2)
    before = await scrape(metered)
    await shop.fill(ann, (apples, 1))
    placed = await checkout(metered, ann)
    assert placed.status_code == 201, placed.text
    await shop.fill(ann, (apples, 1))
    await shop.edit(apples, stock=0)
    short = await checkout(metered, ann)
    assert_problem(short, 409, "insufficient_stock")

    after = await scrape(metered)
    for outcome in ("placed", "insufficient_stock"):
        gained = value(after, "grocery_checkouts_total", outcome=outcome) - value(
            before, "grocery_checkouts_total", outcome=outcome
        )
        assert gained == 1, outcome
    # The placed order's mail waits in the outbox (no worker runs in these tests).
    assert value(after, "grocery_outbox_backlog") >= 1
    assert value(after, "grocery_outbox_oldest_age_seconds") >= 0
    assert ("grocery_slot_bookings_total", frozenset()) not in after  # defined, none yet


async def test_storefront_cache_hits_and_misses_are_counted(metered: Client, shop: Shop) -> None:
    apples: Json = await shop.product("1.00")
    before = await scrape(metered)
    for _ in range(3):
        assert (await metered.get(f"/api/products/{apples['id']}")).status_code == 200
    after = await scrape(metered)

    def gained(result: str) -> float:
        return value(after, "grocery_storefront_cache_total", result=result) - value(
            before, "grocery_storefront_cache_total", result=result
        )

    assert (gained("miss"), gained("hit")) == (1, 2)


async def test_the_database_pools_in_use_are_shown(metered: Client) -> None:
    found = await scrape(metered)
    for pool in ("transactions", "reads"):
        assert ("grocery_db_connections_in_use", frozenset({("pool", pool)})) in found


async def test_metrics_need_their_token(metered: Client) -> None:
    assert_problem(await metered.get("/metrics"), 401, "not_authenticated")
    wrong = await metered.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert_problem(wrong, 401, "not_authenticated")


async def test_metrics_are_off_unless_asked_for(client: Client) -> None:
    assert_problem(await client.get("/metrics"), 404, "not_found")


# --- several workers -----------------------------------------------------------------


@pytest.fixture(scope="module")
def metered_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """`grocery serve --workers 2` with metrics on; its data dir and base URL."""
    scratch = tmp_path_factory.mktemp("metered-server")
    port = free_port()
    environment = server_environment(
        settings, scratch, GROCERY_METRICS="true", GROCERY_METRICS_TOKEN=TOKEN
    )
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    stale = scratch / "metrics" / "999999999"  # a run whose server is gone
    stale.mkdir(parents=True)
    command = [str(Path(sys.executable).parent / "grocery"), "serve", "--workers", "2"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with (scratch / "server.log").open("wb") as output:
        server = subprocess.Popen(
            command, cwd=scratch, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_live(server, base_url, scratch / "server.log")
            yield base_url, scratch
        finally:
            stop(server, seconds=15)


async def test_every_workers_figures_are_served_together(
    metered_server: tuple[str, Path],
) -> None:
    base_url, data_dir = metered_server
    sent = 60
    for _ in range(sent):  # a fresh connection each: the workers share them out
        async with httpx.AsyncClient(base_url=base_url) as one:
            assert (await one.get("/health/live")).status_code == 200

    live = {"method": "GET", "route": "/health/live", "status": "200"}
    async with httpx.AsyncClient(base_url=base_url) as scraper:
        for _ in range(4):  # whichever worker answers, it tells all the workers' figures
            counted = value(await scrape(scraper), "grocery_http_requests_total", **live)
            assert counted >= sent

    runs = list((data_dir / "metrics").iterdir())
    assert [run.name for run in runs] != ["999999999"] and len(runs) == 1
    writers = {path.stem.rsplit("_", 1)[-1] for path in runs[0].glob("counter_*.db")}
    assert len(writers) == 2, writers  # both workers counted requests


async def test_slot_bookings_and_payments_are_counted_by_outcome(
    metered: Client,
    shop: Shop,
    adapters: Adapters,
    ann: SignedInUser,
    make_user: MakeUser,
) -> None:
    """Ann holds the counter's last place and Bob finds it full; her checkout books it and
    begins her payment (at the counter: pending), which is captured when it is delivered."""
    places = Places(adapters)
    slot = await places.slot(await places.point(), capacity=1)
    bob = await make_user()
    apples = await shop.product("1.00")
    before = await scrape(metered)

    assert (await hold(metered, ann, slot)).status_code == 200
    assert_problem(await hold(metered, bob, slot), 409, "slot_full")
    await shop.fill(ann, (apples, 1))
    placed = await checkout(metered, ann)
    assert placed.status_code == 201, placed.text
    for status in ("processing", "shipped", "delivered"):
        stepped = await metered.patch(
            f"/api/orders/{placed.json()['id']}",
            json={"status": status},
            headers=shop.manager.headers,
        )
        assert stepped.status_code == 200, stepped.text

    after = await scrape(metered)

    def gained(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    bookings = "grocery_slot_bookings_total"
    assert [gained(bookings, outcome=o) for o in ("held", "slot_full", "booked")] == [1, 1, 1]
    payments = "grocery_payments_total"
    manual = [gained(payments, provider="manual", outcome=o) for o in ("pending", "captured")]
    assert manual == [1, 1]


@pytest.fixture
async def metered_cards(settings: Settings, localstripe: str) -> AsyncIterator[Client]:
    """An app of its own with metrics on, taking cards through localstripe."""
    metered = make_settings(str(settings.database_url), metrics=True, metrics_token=TOKEN)
    async for client in served(card_settings(metered, localstripe)):
        yield client


async def test_a_card_s_steps_after_checkout_are_counted(
    metered_cards: Client,
    card_shop: Shop,
    ann: SignedInUser,
    adapters: Adapters,
    localstripe: str,
) -> None:
    """Stripe's events (an authorization, a failed card), a cancel's void, picking's capture
    and a manager's refund, each counted once under its provider and outcome."""
    card = Shop(metered_cards, card_shop.manager, card_shop.aisle)
    apples = await card.product(price="2.00", stock=20)
    before = await scrape(metered_cards)

    confirmed, _ = await waiting(card, ann, adapters)
    reference = str((await stored(adapters, confirmed["id"])).payment.reference)
    authorized = await confirmed_at_stripe(localstripe, reference)
    event = "payment_intent.amount_capturable_updated"
    await send(metered_cards, intent_event(f"evt_{uuid4().hex}", event, authorized))
    await _cancelled(card, confirmed)
    declined, reference = await waiting(card, ann, adapters)
    failed = await failed_at_stripe(localstripe, reference)
    await send(
        metered_cards, intent_event(f"evt_{uuid4().hex}", "payment_intent.payment_failed", failed)
    )
    picked = dict((await pay(card, ann, VISA, (apples, 2))).json())
    picker = Picker(card)
    await picker.start(picked)
    await picker.pick(picked, 0, picked_quantity=2)
    await picker.complete(picked)
    refund = {"amount": "1.00", "reason": "bruised"}
    given = await metered_cards.post(
        f"/api/orders/{picked['id']}/refunds", json=refund, headers=card.manager.headers
    )
    assert given.status_code == 201, given.text

    after = await scrape(metered_cards)
    outcomes = ("authorized", "declined", "voided", "captured", "refunded")
    gained = [
        value(after, "grocery_payments_total", provider="stripe", outcome=outcome)
        - value(before, "grocery_payments_total", provider="stripe", outcome=outcome)
        for outcome in outcomes
    ]
    # authorized: the event and the checkout with a card; voided: the cancel and the failed card.
    assert dict(zip(outcomes, gained, strict=True)) == {
        "authorized": 2,
        "declined": 1,
        "voided": 2,
        "captured": 1,
        "refunded": 1,
    }
    assert (await stored(adapters, declined["id"])).status == "cancelled"


async def _cancelled(shop: Shop, order: Json) -> None:
    answer = await shop.client.post(
        f"/api/orders/{order['id']}/cancel", headers=shop.manager.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["payment"]["status"] == "voided"
