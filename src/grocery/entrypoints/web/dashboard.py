"""The back office's first page: what the shop took today and this week, the 30 days' sales
as a line, today's and tomorrow's orders by slot, and the products running low."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.response import Template

from grocery.core.alerts import AlertStatus
from grocery.core.identity import Principal
from grocery.core.orders import OrderStatus, SlotTally
from grocery.core.ports.clock import Clock
from grocery.core.reports import Interval, SalesFilter, revenue_since
from grocery.core.services.alerts import AlertService
from grocery.core.services.orders import OrderService
from grocery.core.services.reports import ReportService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.web.charts import line_chart
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.formats import StoreFormats
from grocery.entrypoints.web.rendering import page

CHART_DAYS = 30
ALERTS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class SlotCount:
    """One slot of the day: its times, how it hands over, its orders by status."""

    slot_id: UUID
    starts_at: datetime
    ends_at: datetime
    handed: str  # "delivery", or the pickup point's name
    statuses: Counter[OrderStatus] = field(default_factory=Counter)

    @property
    def by_status(self) -> list[tuple[str, int]]:
        """Its orders' count per status, in the order an order goes through them."""
        return [
            (status.value, self.statuses[status])
            for status in OrderStatus
            if status in self.statuses
        ]


@dataclass(frozen=True, slots=True)
class SlotDay:
    day: date
    slots: list[SlotCount]


def slot_day(day: date, tallies: list[SlotTally]) -> SlotDay:
    """The day's counts (by slot start) gathered per slot."""
    slots: dict[UUID, SlotCount] = {}
    for tally in tallies:
        count = slots.setdefault(tally.slot_id, _slot_count(tally))
        count.statuses[tally.status] += tally.orders
    return SlotDay(day=day, slots=list(slots.values()))


def _slot_count(tally: SlotTally) -> SlotCount:
    point = tally.pickup_point
    return SlotCount(
        slot_id=tally.slot_id,
        starts_at=tally.starts_at,
        ends_at=tally.ends_at,
        handed=tally.method.value if point is None else f"pickup at {point}",
    )


class DashboardController(Controller):
    path = "/"
    guards = (staff_only,)

    @get("/")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        reports: Injected[ReportService],
        alerts: Injected[AlertService],
        orders: Injected[OrderService],
        staff: Injected[Principal],
        clock: Injected[Clock],
        formats: Injected[StoreFormats],
    ) -> Template:
        today = formats.today(clock.now())
        days = await reports.sales_over_time(
            SalesFilter(
                first_day=today - timedelta(days=CHART_DAYS - 1),
                last_day=today,
                interval=Interval.DAY,
            )
        )
        low = await alerts.page(status=AlertStatus.OPEN, before=None, limit=ALERTS_SHOWN)
        chart = line_chart([(row.period.isoformat(), row.revenue) for row in days.rows])
        return page(
            request,
            "dashboard.html",
            today=today,
            revenue_today=revenue_since(days.rows, today),
            revenue_week=revenue_since(days.rows, today - timedelta(days=6)),
            chart=chart,
            alerts=low.alerts,
            more_alerts=low.last_id is not None,
            slot_days=[await _booked(orders, staff, day) for day in (today, today + timedelta(1))],
        )


async def _booked(orders: OrderService, staff: Principal, day: date) -> SlotDay:
    return slot_day(day, await orders.count_slot_day(staff, day))
