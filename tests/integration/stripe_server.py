"""localstripe, a stateful Stripe-compatible server, on loopback for the Stripe tests, and
what a test needs to speak to it as Stripe's dashboard and the storefront's Stripe.js would:
register a webhook, sign an event."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

WEBHOOK_SECRET = "whsec_grocery_tests"
SECRET_KEY = "sk_test_grocery"


def start_localstripe(port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"localstripe exited:\n{log.read_text(errors='replace')}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/customers", auth=(SECRET_KEY, ""), timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("localstripe did not start")


@contextmanager
def running_localstripe(scratch: Path) -> Iterator[str]:
    """A localstripe of its own, its log in `scratch`: its base URL (STRIPE_API_BASE)."""
    from tests.integration.conftest import free_port, stop

    port = free_port()
    server = start_localstripe(port, scratch / "server.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server, seconds=5)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """localstripe's base URL (STRIPE_API_BASE)."""
    with running_localstripe(tmp_path_factory.mktemp("localstripe")) as url:
        yield url


def signed(
    event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, at: int | None = None
) -> tuple[bytes, str]:
    """The event's body and its Stripe-Signature header, signed as Stripe signs them."""
    payload = json.dumps(event).encode()
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return payload, f"t={timestamp},v1={mac.hexdigest()}"


def intent_event(event_id: str, kind: str, intent: dict[str, Any]) -> dict[str, Any]:
    """An event as Stripe sends it, about `intent` (a PaymentIntent as localstripe has it)."""
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "api_version": "2020-08-27",
        "livemode": False,
        "data": {"object": intent},
    }
