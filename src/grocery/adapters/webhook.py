"""The AlertSink over HTTP: each alert POSTed as JSON to the shop's webhook.

Short timeouts, so a hanging receiver delays the outbox by seconds, not minutes. Any
failure (unreachable, too slow, an answer other than 2xx) leaves as ServiceUnavailable;
the courier then retries the message later.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from grocery.core.errors import ServiceUnavailable

TIMEOUT = httpx.Timeout(10.0, connect=3.0)


class WebhookAlertSink:
    def __init__(self, url: str, *, timeout: httpx.Timeout = TIMEOUT) -> None:
        self._url = url
        # Redirects are not followed: a moved webhook is a configuration to fix, not to guess.
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def deliver(self, payload: Mapping[str, object], idempotency_key: str) -> None:
        try:
            response = await self._client.post(
                self._url, json=dict(payload), headers={"Idempotency-Key": idempotency_key}
            )
        except httpx.HTTPError as error:
            raise ServiceUnavailable(
                f"The alert webhook could not be reached ({type(error).__name__})."
            ) from error
        if not response.is_success:
            raise ServiceUnavailable(f"The alert webhook answered {response.status_code}.")

    async def close(self) -> None:
        await self._client.aclose()
