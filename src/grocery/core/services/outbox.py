"""The outbox courier: delivers due messages, each kind by its own delivery, at least once.

One message per transaction: the message is claimed (its row locked, so other couriers
skip it), delivered, marked and committed before the next is claimed. A courier that dies
mid-delivery leaves that one message due again, and only that one: a message is sent a
second time only after a crash between its delivery and its mark, and then under the same
id (the webhook's Idempotency-Key, the mail's Message-ID), so the receiver knows the copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from grocery.core.errors import ServiceUnavailable
from grocery.core.outbox import Backoff, OutboxMessage, Undeliverable
from grocery.core.ports.clock import Clock
from grocery.core.ports.outbox import Delivery, OutboxWork
from grocery.core.ports.transaction import UnitOfWorkFactory


class OutboxCourier:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[OutboxWork],
        deliveries: Mapping[str, Delivery],
        clock: Clock,
        backoff: Backoff | None = None,
        batch_size: int = 20,
    ) -> None:
        self._uow = uow
        # Kinds without a delivery here (alerts with no webhook set) wait in the outbox.
        self._deliveries = dict(deliveries)
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._batch_size = batch_size

    async def deliver_due(self) -> int:
        """Try each due message once, up to a batch; answers how many were tried."""
        tried = 0
        while tried < self._batch_size:
            async with self._uow() as uow:
                claimed = await uow.outbox.claim_due(
                    self._clock.now(), 1, kinds=self._deliveries.keys()
                )
                if not claimed:
                    break
                await self._deliver(uow, claimed[0])
                await uow.commit()
            tried += 1
        return tried

    async def _deliver(self, uow: OutboxWork, message: OutboxMessage) -> None:
        try:
            await self._deliveries[message.kind].deliver(message)
        except ServiceUnavailable as failure:
            await uow.outbox.retry_later(
                message.id, at=self._retry_at(message), error=failure.detail
            )
        except Undeliverable as refusal:
            await uow.outbox.given_up(message.id, at=self._clock.now(), error=str(refusal))
        except Exception as bug:
            # A bug (a template naming a fact its letter lacks, say) must not hold up the
            # messages behind this one: it waits its backoff like any failure, then is raised.
            error = f"{type(bug).__name__}: {bug}"
            await uow.outbox.retry_later(message.id, at=self._retry_at(message), error=error)
            await uow.commit()
            raise
        else:
            await uow.outbox.delivered(message.id, self._clock.now())

    def _retry_at(self, message: OutboxMessage) -> datetime:
        return self._clock.now() + self._backoff.delay(message.attempts + 1)
