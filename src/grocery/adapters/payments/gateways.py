"""The shop's gateways by provider: checkout uses the one configured; an order placed
earlier keeps the provider it was placed with."""

from __future__ import annotations

from collections.abc import Mapping

from grocery.core.errors import ServiceUnavailable
from grocery.core.payments import PaymentProvider
from grocery.core.ports.payments import PaymentGateway


class PaymentGateways:
    def __init__(self, checkout: PaymentGateway, *others: PaymentGateway) -> None:
        self.checkout = checkout
        self._by_provider: Mapping[PaymentProvider, PaymentGateway] = {
            gateway.provider: gateway for gateway in (checkout, *others)
        }

    def __call__(self, provider: PaymentProvider) -> PaymentGateway:
        gateway = self._by_provider.get(provider)
        if gateway is None:
            raise ServiceUnavailable(f"The {provider} payment provider is not set up.")
        return gateway
