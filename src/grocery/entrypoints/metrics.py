"""The shop's Prometheus figures (prometheus-client), served at GET /metrics when
GROCERY_METRICS=true.

`grocery serve` gives every granian worker one directory of its run
(PROMETHEUS_MULTIPROC_DIR, under the data dir): each worker writes its figures there and a
scrape, whichever worker answers it, adds up all of theirs. Without that directory (one
process, tests) the figures are this process's own. What only the database knows (the
outbox's backlog) is read when scraped.

Counting is cheap on purpose: a request's series are looked up once per route and status,
then each request costs one increment and one observation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Protocol

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from grocery.entrypoints.metrics_runs import MULTIPROCESS_DIR

UNMATCHED = "unmatched"  # no route: one series for every unknown path, not one per path
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Tally(Protocol):
    """What the shop's entrypoints count; NO_METRICS when metrics are off."""

    def request(self, method: str, route: str, status: int, seconds: float) -> None: ...
    def checkout(self, outcome: str) -> None: ...
    def slot_booking(self, outcome: str) -> None: ...
    def payment(self, provider: str, outcome: str) -> None: ...
    def storefront_cache(self, hit: bool) -> None: ...
    def connections_in_use(self, pool: str, count: int) -> None: ...


class _Uncounted:
    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        pass

    def checkout(self, outcome: str) -> None:
        pass

    def slot_booking(self, outcome: str) -> None:
        pass

    def payment(self, provider: str, outcome: str) -> None:
        pass

    def storefront_cache(self, hit: bool) -> None:
        pass

    def connections_in_use(self, pool: str, count: int) -> None:
        pass


NO_METRICS: Tally = _Uncounted()


class ShopMetrics:
    """The shop's series, in a registry of their own (so each app in a test has its own)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._requests = Counter(
            "grocery_http_requests",
            "HTTP requests answered, by route template and status",
            ["method", "route", "status"],
            registry=r,
        )
        self._latency = Histogram(
            "grocery_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self._checkouts = Counter(
            "grocery_checkouts",
            "Checkouts by outcome: placed, replayed, or the problem's code",
            ["outcome"],
            registry=r,
        )
        self._slot_bookings = Counter(
            "grocery_slot_bookings",
            "Slot bookings by outcome: held (for a cart), booked (at checkout), or the problem's code",
            ["outcome"],
            registry=r,
        )
        self._payments = Counter(
            "grocery_payments",
            "Payment steps by provider and outcome (authorized, captured, declined, ...)",
            ["provider", "outcome"],
            registry=r,
        )
        self._cache = Counter(
            "grocery_storefront_cache",
            "Storefront pages served from the cache (hit) or built (miss)",
            ["result"],
            registry=r,
        )
        self._connections = Gauge(
            "grocery_db_connections_in_use",
            "Database connections taken from the pools, all workers added up",
            ["pool"],
            multiprocess_mode="livesum",
            registry=r,
        )
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._hit = self._cache.labels("hit")
        self._miss = self._cache.labels("miss")

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            series = (
                self._requests.labels(method, route, str(status)),
                self._latency.labels(method, route),
            )
            self._series[key] = series
        series[0].inc()
        series[1].observe(seconds)

    def checkout(self, outcome: str) -> None:
        self._checkouts.labels(outcome).inc()

    def slot_booking(self, outcome: str) -> None:
        self._slot_bookings.labels(outcome).inc()

    def payment(self, provider: str, outcome: str) -> None:
        self._payments.labels(provider, outcome).inc()

    def storefront_cache(self, hit: bool) -> None:
        (self._hit if hit else self._miss).inc()

    def connections_in_use(self, pool: str, count: int) -> None:
        self._connections.labels(pool).set(count)

    def exposition(self, *collected_now: Collector) -> bytes:
        """The Prometheus text of every worker's figures, and of `collected_now`."""
        if os.environ.get(MULTIPROCESS_DIR):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            registry = self.registry
        for collector in collected_now:
            registry.register(collector)
        try:
            return generate_latest(registry)
        finally:
            for collector in collected_now:
                registry.unregister(collector)


class OutboxBacklog:
    """The outbox's pending messages and the oldest one's age, as read for one scrape."""

    def __init__(self, pending: int, oldest_age_seconds: float) -> None:
        self.pending = pending
        self.oldest_age_seconds = oldest_age_seconds

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "grocery_outbox_backlog", "Outbox messages not yet delivered", value=self.pending
        )
        yield GaugeMetricFamily(
            "grocery_outbox_oldest_age_seconds",
            "Age of the oldest undelivered outbox message (0 when none)",
            value=self.oldest_age_seconds,
        )


def worker_gone() -> None:
    """This worker's live gauges leave the sums (its counters stay counted)."""
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
