"""The outbox: messages written in the same transaction as what caused them, delivered later
by a worker, at least once, failures retried with backoff.

Each kind of message (a low-stock webhook, a customer's mail) has its own delivery; the
worker claims one message at a time, so a crash between a delivery and its mark can send
again only the message it was delivering, under the same id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID


@dataclass(frozen=True, kw_only=True, slots=True)
class OutboxMessage:
    id: UUID
    kind: str
    payload: Mapping[str, Any]
    idempotency_key: str
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0


class Undeliverable(Exception):
    """The receiving side refused this message for good (no such mailbox, rejected content):
    sending it again would be refused again, so the outbox gives it up."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Backoff:
    """Exponential: `first`, then twice as long after each failure, never more than `longest`."""

    first: timedelta = timedelta(seconds=2)
    longest: timedelta = timedelta(minutes=15)

    def delay(self, failures: int) -> timedelta:
        """How long to wait after the `failures`-th failed attempt (1 for the first)."""
        # A capped exponent: the doubling can't overflow, and 2**30 is past any sane `longest`.
        doublings = min(max(failures - 1, 0), 30)
        return min(self.first * (1 << doublings), self.longest)
