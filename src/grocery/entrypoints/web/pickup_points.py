"""Pickup points in the back office: the list, open and closed, add, edit, close, remove
(refused while slots are planned there: close it instead)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grocery.core.addresses import StreetAddress
from grocery.core.errors import DomainError
from grocery.core.fulfilment.pickup_points import PickupPoint, PickupPointEdit
from grocery.core.services.fulfilment import PickupPointService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.rendering import Refused, after_form, done_or_refused, form_shown, page

ADDRESS_FIELDS = ("line1", "city", "postal_code", "country")
# The core names the address's parts as one field's; the form has an input for each.
FORM_FIELDS = {f"address.{part}": part for part in ADDRESS_FIELDS}


def _point_form(form: FormReader) -> PickupPointEdit:
    return PickupPointEdit(
        name=form.text("name"),
        address=StreetAddress(**{part: form.text(part) for part in ADDRESS_FIELDS}),
        instructions=form.text_or_none("instructions"),
        is_active=form.ticked("is_active"),
    )


def _shown(point: PickupPoint) -> dict[str, str]:
    place = point.address
    return {
        "name": point.name,
        "line1": place.line1,
        "city": place.city,
        "postal_code": place.postal_code,
        "country": place.country,
        "instructions": point.instructions or "",
        "is_active": "on" if point.is_active else "",
    }


class PickupPointPages(Controller):
    path = "/pickup-points"
    guards = (staff_only,)

    @get("/")
    async def list_points(
        self, request: Request[Any, Any, Any], pickup_points: Injected[PickupPointService]
    ) -> Template:
        return await _list(request, pickup_points)

    @post("/")
    async def add_point(
        self, request: Request[Any, Any, Any], pickup_points: Injected[PickupPointService]
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        added = await done_or_refused(
            form, lambda: pickup_points.create(_point_form(form)), known=FORM_FIELDS
        )
        if isinstance(added, Refused):
            return await _list(request, pickup_points, added)
        return after_form(request, "/admin/pickup-points", f"Added {added.name}.")

    @get("/{point_id:uuid}")
    async def show_point(
        self,
        request: Request[Any, Any, Any],
        point_id: FromPath[UUID],
        pickup_points: Injected[PickupPointService],
    ) -> Template:
        point = await pickup_points.get(point_id)
        return _edit_page(request, point, _shown(point))

    @post("/{point_id:uuid}")
    async def edit_point(
        self,
        request: Request[Any, Any, Any],
        point_id: FromPath[UUID],
        pickup_points: Injected[PickupPointService],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        edited = await done_or_refused(
            form, lambda: pickup_points.change(point_id, _point_form(form)), known=FORM_FIELDS
        )
        if isinstance(edited, Refused):
            return _edit_page(request, await pickup_points.get(point_id), {}, edited)
        return after_form(request, "/admin/pickup-points", f"Saved {edited.name}.")

    @post("/{point_id:uuid}/remove")
    async def remove_point(
        self,
        request: Request[Any, Any, Any],
        point_id: FromPath[UUID],
        pickup_points: Injected[PickupPointService],
    ) -> Template | Redirect:
        point = await pickup_points.get(point_id)
        try:
            await pickup_points.remove(point_id)
        except DomainError as refused:  # no form to read: the refusal is the whole answer
            removal = Refused.whole(refused)
            return await _list(request, pickup_points, removal)
        return after_form(request, "/admin/pickup-points", f"Removed {point.name}.")


def _edit_page(
    request: Request[Any, Any, Any],
    point: PickupPoint,
    values: dict[str, str],
    refused: Refused | None = None,
) -> Template:
    return page(request, "pickup_points/edit.html", **form_shown(values, refused), point=point)


async def _list(
    request: Request[Any, Any, Any],
    pickup_points: PickupPointService,
    refused: Refused | None = None,
) -> Template:
    shown = form_shown({}, refused)
    shown["values"] = shown["values"] or {"is_active": "on"}  # a new point opens ticked
    return page(
        request,
        "pickup_points/list.html",
        **shown,
        points=await pickup_points.all(active_only=False),
    )
