"""The back office's first page: what the shop took today and this week, the 30 days' sales
as a line, and the products running low."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from grocery.core.alerts import AlertStatus
from grocery.core.ports.clock import Clock
from grocery.core.reports import Interval, SalesFilter, revenue_since
from grocery.core.services.alerts import AlertService
from grocery.core.services.reports import ReportService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.web.charts import line_chart
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.formats import StoreFormats
from grocery.entrypoints.web.rendering import page

CHART_DAYS = 30
ALERTS_SHOWN = 10


class DashboardController(Controller):
    path = "/"
    guards = (staff_only,)

    @get("/")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        reports: Injected[ReportService],
        alerts: Injected[AlertService],
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
        )
