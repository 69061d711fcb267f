"""Slots in the back office: a week's view (days across, times of day down) with each slot's
places booked, held and left; one slot added, a week of them added in one batch (the API's
batch, on the store's clock across a clock change), a slot's capacity and cutoff changed,
an unused slot deleted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grocery.core.edits import KEEP
from grocery.core.errors import DomainError, Invalid, field_error
from grocery.core.fulfilment.batches import SlotBatch, Window, parse_clock
from grocery.core.fulfilment.listing import SlotSearch, read_day
from grocery.core.fulfilment.slots import Slot, SlotLoad
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.ports.clock import Clock
from grocery.core.services.fulfilment import DeliveryZoneService, PickupPointService
from grocery.core.services.slots import SlotChange, SlotService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.pages import mark_cursor, read_mark_cursor
from grocery.entrypoints.http.problems import status_for
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.formats import StoreFormats
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.rendering import (
    Refused,
    after_form,
    done_or_refused,
    field_errors,
    form_shown,
    page,
)

WEEK_PAGE = 100  # the API's largest page: a busy week may take two
WINDOW_ROWS = 6
WEEKDAYS = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun")]
# The core names a slot's place by method and id; the form picks both in one list.
PLACE_FIELDS = {"method": "place", "zone_id": "place", "pickup_point_id": "place"}


@dataclass(frozen=True, slots=True)
class Place:
    method: FulfilmentMethod
    zone_id: UUID | None
    pickup_point_id: UUID | None

    @classmethod
    def read(cls, text: str) -> Place | None:
        """ "delivery:<zone id>" or "pickup:<point id>", as the place list sends it."""
        method, _, place_id = text.partition(":")
        try:
            kind, chosen = FulfilmentMethod(method), UUID(place_id)
        except ValueError:
            return None
        if kind is FulfilmentMethod.DELIVERY:
            return cls(kind, chosen, None)
        return cls(kind, None, chosen)


@dataclass(frozen=True, slots=True)
class WeekRow:
    label: str  # "09:00–11:00" on the store's clock
    cells: list[list[SlotLoad]]  # one per day, Monday first


@dataclass(frozen=True, slots=True)
class Places:
    """Every zone and pickup point by id, named as the pages show them."""

    zones: list[tuple[str, str]]
    points: list[tuple[str, str]]

    @property
    def names(self) -> dict[str, str]:
        return dict(self.zones) | dict(self.points)

    def of(self, slot: Slot) -> str:
        return self.names.get(f"{slot.method}:{slot.zone_id or slot.pickup_point_id}", "?")


class SlotPages(Controller):
    path = "/slots"
    guards = (staff_only,)

    @get("/")
    async def week(
        self,
        request: Request[Any, Any, Any],
        slots: Injected[SlotService],
        delivery_zones: Injected[DeliveryZoneService],
        pickup_points: Injected[PickupPointService],
        clock: Injected[Clock],
        formats: Injected[StoreFormats],
        week: FromQuery[str | None] = None,
        place: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        """The week holding `week` (a day; this week when none), one page of its slots."""
        day = read_day(week, field="week") or formats.today(clock.now())
        monday = day - timedelta(days=day.weekday())
        chosen = _place_filter(place)
        found = await slots.upcoming(
            SlotSearch(
                zone_id=chosen.zone_id if chosen else None,
                pickup_point_id=chosen.pickup_point_id if chosen else None,
                first_day=monday,
                last_day=monday + timedelta(days=6),
                after=read_mark_cursor(cursor),
                limit=WEEK_PAGE,
                started_today=True,  # staff see today's whole day, its slots under way too
            )
        )
        last = found.last
        more = None if last is None else mark_cursor(last.slot.starts_at, last.slot.id)
        return page(
            request,
            "slots/week.html",
            days=[monday + timedelta(days=n) for n in range(7)],
            rows=week_rows(found.loads, monday, formats),
            places=await _places(delivery_zones, pickup_points),
            values={"place": place or "", "week": monday.isoformat()},
            link=lambda **query: _week_link(place, **query),
            monday=monday,
            previous=monday - timedelta(days=7),
            following=monday + timedelta(days=7),
            more=more,
            now=found.now,
        )

    @get("/new")
    async def new_slot(
        self,
        request: Request[Any, Any, Any],
        delivery_zones: Injected[DeliveryZoneService],
        pickup_points: Injected[PickupPointService],
    ) -> Template:
        places = await _places(delivery_zones, pickup_points)
        return page(request, "slots/new.html", places=places, values={}, errors={})

    @post("/")
    async def add_slot(
        self,
        request: Request[Any, Any, Any],
        slots: Injected[SlotService],
        delivery_zones: Injected[DeliveryZoneService],
        pickup_points: Injected[PickupPointService],
        formats: Injected[StoreFormats],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        added = await done_or_refused(
            form, lambda: slots.create(_slot_form(form, formats)), known=PLACE_FIELDS
        )
        if isinstance(added, Refused):
            return page(
                request,
                "slots/new.html",
                **form_shown({}, added),
                places=await _places(delivery_zones, pickup_points),
            )
        week = formats.today(added.starts_at).isoformat()
        return after_form(request, f"/admin/slots?week={week}", "Added the slot.")

    @get("/batch")
    async def new_batch(
        self,
        request: Request[Any, Any, Any],
        delivery_zones: Injected[DeliveryZoneService],
        pickup_points: Injected[PickupPointService],
        clock: Injected[Clock],
        formats: Injected[StoreFormats],
    ) -> Template:
        today = formats.today(clock.now())
        values = {"from": today.isoformat(), "to": (today + timedelta(days=6)).isoformat()}
        values |= {"cutoff_minutes": "0"}
        return await _batch_page(
            request, delivery_zones, pickup_points, values, frozenset(range(1, 8)), {}
        )

    @post("/batch")
    async def add_batch(
        self,
        request: Request[Any, Any, Any],
        slots: Injected[SlotService],
        delivery_zones: Injected[DeliveryZoneService],
        pickup_points: Injected[PickupPointService],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        weekdays = form.wholes("weekdays")
        rows: dict[str, str] = {}
        try:
            batch, rows = _batch_form(form, weekdays)
            made = await slots.create_batch(batch)
        except DomainError as refused:
            errors = field_errors(refused, known=PLACE_FIELDS | rows)
            return await _batch_page(
                request,
                delivery_zones,
                pickup_points,
                form.values,
                weekdays,
                errors,
                status_for(refused),
            )
        notice = f"Added {made} slots." if made else "Those slots were planned already."
        query = urlencode({"week": batch.first_day.isoformat(), "place": form.text("place")})
        return after_form(request, f"/admin/slots?{query}", notice)

    @get("/{slot_id:uuid}")
    async def show_slot(
        self,
        request: Request[Any, Any, Any],
        slot_id: FromPath[UUID],
        slots: Injected[SlotService],
        delivery_zones: Injected[DeliveryZoneService],
        pickup_points: Injected[PickupPointService],
        formats: Injected[StoreFormats],
    ) -> Template:
        load, now = await slots.load(slot_id)
        values = _shown(load.slot, formats)
        return await _slot_page(request, load, now, delivery_zones, pickup_points, values)

    @post("/{slot_id:uuid}")
    async def change_slot(
        self,
        request: Request[Any, Any, Any],
        slot_id: FromPath[UUID],
        slots: Injected[SlotService],
        delivery_zones: Injected[DeliveryZoneService],
        pickup_points: Injected[PickupPointService],
        formats: Injected[StoreFormats],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        capacity = form.whole("capacity")
        cutoff = form.local_moment("cutoff_at", formats.zone)
        changed = await done_or_refused(
            form,
            lambda: slots.change(slot_id, SlotChange(capacity=capacity, cutoff_at=cutoff or KEEP)),
        )
        if isinstance(changed, Refused):
            load, now = await slots.load(slot_id)
            return await _slot_page(request, load, now, delivery_zones, pickup_points, {}, changed)
        return after_form(request, f"/admin/slots/{slot_id}", "Saved.")

    @post("/{slot_id:uuid}/remove")
    async def remove_slot(
        self,
        request: Request[Any, Any, Any],
        slot_id: FromPath[UUID],
        slots: Injected[SlotService],
        delivery_zones: Injected[DeliveryZoneService],
        pickup_points: Injected[PickupPointService],
        formats: Injected[StoreFormats],
    ) -> Template | Redirect:
        load, now = await slots.load(slot_id)
        try:
            await slots.remove(slot_id)
        except DomainError as refused:  # no form to read: the refusal is the whole answer
            values = _shown(load.slot, formats)
            removal = Refused.whole(refused, values=values)
            return await _slot_page(
                request, load, now, delivery_zones, pickup_points, values, removal
            )
        week = formats.today(load.slot.starts_at).isoformat()
        return after_form(request, f"/admin/slots?week={week}", "Deleted the slot.")


def _place_filter(text: str | None) -> Place | None:
    if not text:
        return None
    chosen = Place.read(text)
    if chosen is None:
        raise Invalid("Choose a place from the list.", errors=[field_error("place", "choose one")])
    return chosen


def _read_place(form: FormReader) -> Place:
    chosen = Place.read(form.text("place"))
    if chosen is None:
        form.errors["place"] = "choose one"
        return Place(FulfilmentMethod.DELIVERY, UUID(int=0), None)  # never planned: refused below
    return chosen


def _slot_form(form: FormReader, formats: StoreFormats) -> Slot:
    place = _read_place(form)
    starts_at = _required_moment(form, "starts_at", formats)
    ends_at = _required_moment(form, "ends_at", formats)
    cutoff_at = form.local_moment("cutoff_at", formats.zone) or starts_at
    capacity = form.whole("capacity")
    form.refuse_unreadable()
    assert isinstance(capacity, int)  # else the form had an error
    return Slot(
        id=UUID(int=0),
        method=place.method,
        zone_id=place.zone_id,
        pickup_point_id=place.pickup_point_id,
        starts_at=starts_at,
        ends_at=ends_at,
        cutoff_at=cutoff_at,
        capacity=capacity,
    )


def _required_moment(form: FormReader, field: str, formats: StoreFormats) -> datetime:
    moment = form.local_moment(field, formats.zone)
    if moment is None and field not in form.errors:
        form.errors[field] = "is required"
    return moment or datetime.min.replace(tzinfo=formats.zone)


def _batch_form(form: FormReader, weekdays: frozenset[int]) -> tuple[SlotBatch, dict[str, str]]:
    """The batch, and the core's names of its windows renamed to the form's rows (rows
    left empty are skipped, so the third row may be the batch's first window)."""
    place = _read_place(form)
    first_day, last_day = form.day("from"), form.day("to")
    capacity = form.whole("capacity")
    cutoff = form.whole("cutoff_minutes")
    windows, rows = _windows(form)
    form.refuse_unreadable()
    assert first_day and last_day and isinstance(capacity, int) and isinstance(cutoff, int)
    batch = SlotBatch(
        method=place.method,
        zone_id=place.zone_id,
        pickup_point_id=place.pickup_point_id,
        first_day=first_day,
        last_day=last_day,
        weekdays=weekdays,
        windows=windows,
        capacity=capacity,
        cutoff_minutes=cutoff,
    )
    return batch, rows


def _windows(form: FormReader) -> tuple[tuple[Window, ...], dict[str, str]]:
    windows: list[Window] = []
    rows: dict[str, str] = {}
    for row in range(WINDOW_ROWS):
        typed = {end: form.text(f"windows[{row}].{end}") for end in ("start", "end")}
        if not any(typed.values()):
            continue
        clocks = {}
        for end, text in typed.items():
            field = f"windows[{row}].{end}"
            rows[f"windows[{len(windows)}].{end}"] = field
            try:
                clocks[end] = parse_clock(text[:5], field=field)
            except Invalid as refused:
                form.errors[field] = str(refused.errors[0]["message"])
                clocks[end] = time(0)
        windows.append(Window(start=clocks["start"], end=clocks["end"]))
    return tuple(windows), rows


def week_rows(loads: Iterable[SlotLoad], monday: date, formats: StoreFormats) -> list[WeekRow]:
    """The week's slots laid out by time of day (rows) and day (columns), on the store's clock."""
    by_time: dict[tuple[time, time], list[list[SlotLoad]]] = {}
    for load in loads:
        starts = load.slot.starts_at.astimezone(formats.zone)
        ends = load.slot.ends_at.astimezone(formats.zone)
        cells = by_time.setdefault((starts.time(), ends.time()), [[] for _ in range(7)])
        cells[(starts.date() - monday).days].append(load)
    return [
        WeekRow(f"{start:%H:%M}–{end:%H:%M}", cells)
        for (start, end), cells in sorted(by_time.items())
    ]


def _week_link(place: str | None, **query: str) -> str:
    return "/admin/slots?" + urlencode({**query, **({"place": place} if place else {})})


def _shown(slot: Slot, formats: StoreFormats) -> dict[str, str]:
    """A slot's capacity and cutoff as its form shows them."""
    return {"capacity": str(slot.capacity), "cutoff_at": _local(slot.cutoff_at, formats)}


def _local(moment: datetime, formats: StoreFormats) -> str:
    """As a datetime-local input shows it, on the store's clock."""
    return moment.astimezone(formats.zone).strftime("%Y-%m-%dT%H:%M")


async def _places(zones: DeliveryZoneService, points: PickupPointService) -> Places:
    return Places(
        zones=[(f"delivery:{zone.id}", zone.name) for zone in await zones.all()],
        points=[
            (f"pickup:{point.id}", point.name) for point in await points.all(active_only=False)
        ],
    )


async def _batch_page(
    request: Request[Any, Any, Any],
    zones: DeliveryZoneService,
    points: PickupPointService,
    values: dict[str, str],
    weekdays: frozenset[int],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    return page(
        request,
        "slots/batch.html",
        status=status,
        places=await _places(zones, points),
        values=values,
        errors=errors,
        weekdays=[(number, name, number in weekdays) for number, name in WEEKDAYS],
        window_rows=range(WINDOW_ROWS),
    )


async def _slot_page(
    request: Request[Any, Any, Any],
    load: SlotLoad,
    now: datetime,
    zones: DeliveryZoneService,
    points: PickupPointService,
    values: dict[str, str],
    refused: Refused | None = None,
) -> Template:
    places = await _places(zones, points)
    return page(
        request,
        "slots/detail.html",
        **form_shown(values, refused),
        load=load,
        available=load.available(now),
        place=places.of(load.slot),
    )
