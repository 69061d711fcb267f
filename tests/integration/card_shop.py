"""A shop that takes cards through Stripe (localstripe on loopback), for the payment tests:
the app wired to it, checkouts with a card, and what Stripe's side says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from grocery.config import Settings
from grocery.entrypoints.app import create_app
from tests.integration.catalog_shop import Client, Json
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.stripe_server import SECRET_KEY, WEBHOOK_SECRET

if TYPE_CHECKING:  # conftest imports this module for its fixtures
    from tests.integration.conftest import SignedInUser

VISA = "pm_card_visa"
DECLINED = "pm_card_chargeCustomerFail"


def card_settings(settings: Settings, api_base: str, **overrides: Any) -> Settings:
    return msgspec.structs.replace(
        settings,
        payment_provider="stripe",
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=api_base,
        **overrides,
    )


async def served(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=create_app(settings), base_url="http://cards.local") as client:
        yield client


@pytest.fixture(scope="session")
async def card_client(settings: Settings, localstripe: str) -> AsyncIterator[Client]:
    """The app taking cards through localstripe."""
    async for client in served(card_settings(settings, localstripe)):
        yield client


@pytest.fixture
def card_shop(card_client: Client, manager: SignedInUser, aisle: Json) -> Shop:
    return Shop(card_client, manager, aisle)


async def pay(
    shop: Shop, user: SignedInUser, card: str | None, *lines: tuple[Json, int]
) -> httpx.Response:
    """Fill the cart and check out, with `card` as the payment method (None: none yet)."""
    await shop.fill(user, *lines)
    body = None if card is None else {"payment_method": card}
    return await checkout(shop.client, user, body=body)


async def intent(api_base: str, reference: str) -> dict[str, Any]:
    """The PaymentIntent as Stripe has it."""
    async with httpx.AsyncClient(base_url=api_base, auth=(SECRET_KEY, "")) as stripe:
        answer = await stripe.get(f"/v1/payment_intents/{reference}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def stripe_post(
    api_base: str, path: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=api_base, auth=(SECRET_KEY, "")) as stripe:
        answer = await stripe.post(path, data=data)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def stripe_get(api_base: str, path: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=api_base, auth=(SECRET_KEY, "")) as stripe:
        answer = await stripe.get(path)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())
