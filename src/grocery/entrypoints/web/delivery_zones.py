"""Delivery zones in the back office: the list with each zone's prefixes and terms, add,
edit, remove (refused while slots are planned in the zone)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grocery.core.errors import DomainError
from grocery.core.fulfilment.zones import DeliveryZone, ZoneEdit
from grocery.core.services.fulfilment import DeliveryZoneService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.rendering import Refused, after_form, done_or_refused, form_shown, page


def _zone_form(form: FormReader) -> ZoneEdit:
    # Prefixes are typed as a list: commas, spaces or one a line all separate them.
    prefixes = form.text("postal_code_prefixes").replace(",", " ").split()
    return ZoneEdit(
        name=form.text("name"),
        postal_code_prefixes=tuple(prefixes),
        fee=form.text("fee"),
        free_delivery_over=form.text_or_none("free_delivery_over"),
        min_order_amount=form.text_or_none("min_order_amount"),
    )


def _shown(zone: DeliveryZone) -> dict[str, str]:
    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return {
        "name": zone.name,
        "postal_code_prefixes": ", ".join(zone.postal_code_prefixes),
        "fee": str(zone.fee),
        "free_delivery_over": text(zone.free_delivery_over),
        "min_order_amount": text(zone.min_order_amount),
    }


class DeliveryZonePages(Controller):
    path = "/delivery-zones"
    guards = (staff_only,)

    @get("/")
    async def list_zones(
        self, request: Request[Any, Any, Any], delivery_zones: Injected[DeliveryZoneService]
    ) -> Template:
        return await _list(request, delivery_zones)

    @post("/")
    async def add_zone(
        self, request: Request[Any, Any, Any], delivery_zones: Injected[DeliveryZoneService]
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        added = await done_or_refused(form, lambda: delivery_zones.create(_zone_form(form)))
        if isinstance(added, Refused):
            return await _list(request, delivery_zones, added)
        return after_form(request, "/admin/delivery-zones", f"Added {added.name}.")

    @get("/{zone_id:uuid}")
    async def show_zone(
        self,
        request: Request[Any, Any, Any],
        zone_id: FromPath[UUID],
        delivery_zones: Injected[DeliveryZoneService],
    ) -> Template:
        zone = await delivery_zones.get(zone_id)
        return _edit_page(request, zone, _shown(zone))

    @post("/{zone_id:uuid}")
    async def edit_zone(
        self,
        request: Request[Any, Any, Any],
        zone_id: FromPath[UUID],
        delivery_zones: Injected[DeliveryZoneService],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        edited = await done_or_refused(
            form, lambda: delivery_zones.change(zone_id, _zone_form(form))
        )
        if isinstance(edited, Refused):
            return _edit_page(request, await delivery_zones.get(zone_id), {}, edited)
        return after_form(request, "/admin/delivery-zones", f"Saved {edited.name}.")

    @post("/{zone_id:uuid}/remove")
    async def remove_zone(
        self,
        request: Request[Any, Any, Any],
        zone_id: FromPath[UUID],
        delivery_zones: Injected[DeliveryZoneService],
    ) -> Template | Redirect:
        zone = await delivery_zones.get(zone_id)
        try:
            await delivery_zones.remove(zone_id)
        except DomainError as refused:  # no form to read: the refusal is the whole answer
            removal = Refused.whole(refused)
            return await _list(request, delivery_zones, removal)
        return after_form(request, "/admin/delivery-zones", f"Removed {zone.name}.")


def _edit_page(
    request: Request[Any, Any, Any],
    zone: DeliveryZone,
    values: dict[str, str],
    refused: Refused | None = None,
) -> Template:
    return page(request, "zones/edit.html", **form_shown(values, refused), zone=zone)


async def _list(
    request: Request[Any, Any, Any],
    delivery_zones: DeliveryZoneService,
    refused: Refused | None = None,
) -> Template:
    return page(
        request, "zones/list.html", **form_shown({}, refused), zones=await delivery_zones.all()
    )
