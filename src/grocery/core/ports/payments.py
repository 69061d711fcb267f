"""Payments: the provider that takes the money, and what the shop records of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from grocery.core.orders import Order
from grocery.core.payments import Payment, PaymentOutcome, PaymentProvider, PaymentStatus, Refund
from grocery.core.ports.mail import CustomerMailWork
from grocery.core.ports.picking import PickRepository
from grocery.core.ports.transaction import Transaction


@dataclass(frozen=True, kw_only=True, slots=True)
class Authorization:
    """What the provider answered to a checkout: authorized at once, waiting for the
    customer (with the secret their browser needs), or pending (paid on delivery)."""

    status: PaymentStatus
    amount: Decimal
    reference: str | None = None
    client_secret: str | None = None


class PaymentGateway(Protocol):
    """The provider. Every call carries an idempotency key made from the order and the step
    (core/payments.py provider_key), so a call sent again never charges twice. A decline
    raises PaymentDeclined; a provider that can't be reached, ServiceUnavailable."""

    @property
    def provider(self) -> PaymentProvider: ...

    async def open(
        self, order_id: UUID, amount: Decimal, currency: str, payment_method: str | None
    ) -> Authorization:
        """The payment made at the provider for `amount`, nothing held yet: waiting for the
        customer (its reference and client secret), or pending (paid on delivery)."""
        ...

    async def authorize(self, order_id: UUID, payment: Payment) -> Authorization:
        """Hold the money of a payment opened with a payment method: authorized, or waiting
        for the customer's action (3-D Secure)."""
        ...

    async def capture(self, order_id: UUID, payment: Payment, amount: Decimal) -> None: ...

    async def void(self, order_id: UUID, payment: Payment) -> None: ...

    async def refund(
        self, order_id: UUID, payment: Payment, refund_id: UUID, amount: Decimal
    ) -> None: ...


class PaymentRepository(Protocol):
    async def save(self, order_id: UUID, payment: Payment, at: datetime) -> None:
        """Store the order's payment as it now is."""
        ...

    async def add_refund(self, refund: Refund) -> None: ...

    async def discard(self, order_id: UUID) -> None:
        """An order whose payment was never authorized, gone as if it had never been placed:
        its lines and its stock movements with it. Called after its stock was put back and
        its sales taken off."""
        ...

    async def lock_by_reference(self, reference: str) -> Order | None:
        """The order whose payment the provider knows by `reference`, its row locked until
        the transaction ends."""
        ...

    async def needing_follow_up(
        self, *, now: datetime, unpaid_before: datetime, limit: int
    ) -> list[Order]:
        """Orders paid by card whose payment waits on the shop, oldest first: not authorized
        and placed before `unpaid_before` (to be cancelled), picked and only authorized (to
        be captured), cancelled with money still held or taken (to be voided or refunded);
        none whose retry_at is still after `now`."""
        ...

    async def first_time(self, event_id: str, at: datetime) -> bool:
        """Note a provider event as applied: True the first time, False ever after. Of two
        concurrent notes of one event exactly one answers True (the other waits for it)."""
        ...

    async def refunds(self, order_id: UUID) -> list[Refund]:
        """The order's refunds, oldest first."""
        ...


class PaymentWork(Transaction, CustomerMailWork, Protocol):
    """What refunds work with: the order locked while its payment changes, the payment and
    refunds stored, the customer told."""

    picks: PickRepository
    payments: PaymentRepository


class Gateways(Protocol):
    def __call__(self, provider: PaymentProvider) -> PaymentGateway:
        """The gateway for an order's provider (the one it was placed with, whatever the
        shop uses now); ServiceUnavailable when that provider is not set up."""
        ...


class PaymentOutcomes(Protocol):
    def __call__(self, order_id: UUID, provider: PaymentProvider, outcome: PaymentOutcome) -> None:
        """Note what a step after checkout did to an order's payment (the entrypoints count
        and log it)."""
        ...
