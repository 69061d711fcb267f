"""The shop's gateways by provider: checkout uses the one configured; an order placed
earlier keeps the provider it was placed with."""

from __future__ import annotations

from grocery.adapters.payments.manual import ManualGateway
from grocery.adapters.payments.stripe_gateway import StripeGateway
from grocery.config import Settings
from grocery.core.errors import ServiceUnavailable
from grocery.core.payments import PaymentProvider
from grocery.core.ports.payments import PaymentGateway


class PaymentGateways:
    def __init__(self, checkout: PaymentGateway, stripe: StripeGateway | None = None) -> None:
        self.checkout = checkout
        self.stripe = stripe  # also what reads Stripe's webhooks
        self._manual = ManualGateway()

    def __call__(self, provider: PaymentProvider) -> PaymentGateway:
        if provider is PaymentProvider.MANUAL:
            return self._manual
        if self.stripe is None:
            raise ServiceUnavailable(f"The {provider} payment provider is not set up.")
        return self.stripe


def make_gateways(settings: Settings) -> PaymentGateways:
    """Stripe whenever its key is set (orders placed with it are still captured and
    refunded after the shop goes back to manual); checkout uses the configured provider."""
    stripe = (
        None
        if settings.stripe_secret_key is None
        else StripeGateway(
            secret_key=settings.stripe_secret_key,
            webhook_secret=settings.stripe_webhook_secret,
            api_base=settings.stripe_api_base,
        )
    )
    if settings.payment_provider == "stripe" and stripe is not None:
        return PaymentGateways(stripe, stripe)
    return PaymentGateways(ManualGateway(), stripe)
