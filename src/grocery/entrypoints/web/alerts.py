"""Low-stock alerts in the back office: open ones first, resolved ones on request."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from grocery.core.alerts import AlertStatus
from grocery.core.services.alerts import AlertService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.pages import id_cursor, read_id_cursor
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.rendering import page

PAGE_SIZE = 25


class AlertPages(Controller):
    path = "/alerts"
    guards = (staff_only,)

    @get("/")
    async def list_alerts(
        self,
        request: Request[Any, Any, Any],
        alerts: Injected[AlertService],
        status: FromQuery[AlertStatus] = AlertStatus.OPEN,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        found = await alerts.page(status=status, before=read_id_cursor(cursor), limit=PAGE_SIZE)
        return page(
            request,
            "alerts.html",
            alerts=found.alerts,
            showing=status.value,
            next_cursor=id_cursor(found.last_id),
        )
