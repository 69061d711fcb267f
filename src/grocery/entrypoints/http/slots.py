"""Delivery and pickup slots over HTTP: anyone lists the upcoming ones with the places left;
managers plan them (one at a time or in weekly batches), change and delete them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import partial
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import UNSET, UnsetType

from grocery.core.edits import KEEP
from grocery.core.errors import Problems
from grocery.core.fulfilment.batches import SlotBatch, Window, parse_clock
from grocery.core.fulfilment.listing import SlotSearch, read_day, read_method
from grocery.core.fulfilment.slots import Slot, SlotLoad
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.money import format_money
from grocery.core.services.slots import SlotChange, SlotService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import documented_query
from grocery.entrypoints.http.guards import PUBLIC, manager, signed_in_caller
from grocery.entrypoints.http.pages import DEFAULT_LIMIT, Limit, mark_cursor, read_mark_cursor

Moment = Annotated[datetime, msgspec.Meta(tz=True)]  # with its zone: "...Z" or "+02:00"


class SlotBody(msgspec.Struct, kw_only=True):
    """`zone_id` for a delivery slot, `pickup_point_id` for a pickup slot; `cutoff_at`
    (booking closes) defaults to `starts_at`."""

    method: FulfilmentMethod
    zone_id: UUID | None = None
    pickup_point_id: UUID | None = None
    starts_at: Moment
    ends_at: Moment
    capacity: int
    cutoff_at: Moment | None = None


class WindowBody(msgspec.Struct):
    start: str  # "HH:MM", the store's local time
    end: str


class SlotBatchBody(msgspec.Struct, kw_only=True):
    """Slots on the `weekdays` (1 Monday to 7 Sunday) from `from` to `to` (days, inclusive),
    in each daily window, in the store's time zone; booking closes `cutoff_minutes` before
    each starts. A slot already there (same place, same times) is not made again."""

    method: FulfilmentMethod
    zone_id: UUID | None = None
    pickup_point_id: UUID | None = None
    first_day: date = msgspec.field(name="from")
    last_day: date = msgspec.field(name="to")
    weekdays: list[int]
    windows: list[WindowBody]
    capacity: int
    cutoff_minutes: int = 0


class SlotChangeBody(msgspec.Struct, kw_only=True):
    """Only the fields sent change."""

    capacity: int | UnsetType = UNSET
    cutoff_at: Moment | UnsetType = UNSET


class SlotOut(msgspec.Struct):
    id: UUID
    method: FulfilmentMethod
    zone_id: UUID | None
    pickup_point_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    cutoff_at: datetime
    capacity: int
    booked: int  # by orders
    held: int  # by carts, unexpired
    remaining: int
    available: bool  # room left and booking still open
    fee: str  # the zone's delivery fee before any free-delivery threshold; 0.00 for pickup

    @classmethod
    def of(cls, load: SlotLoad, now: datetime) -> SlotOut:
        slot = load.slot
        return cls(
            id=slot.id,
            method=slot.method,
            zone_id=slot.zone_id,
            pickup_point_id=slot.pickup_point_id,
            starts_at=slot.starts_at.astimezone(UTC),
            ends_at=slot.ends_at.astimezone(UTC),
            cutoff_at=slot.cutoff_at.astimezone(UTC),
            capacity=slot.capacity,
            booked=load.booked,
            held=load.held,
            remaining=load.remaining,
            available=load.available(now),
            fee=format_money(load.fee),
        )


class SlotListOut(msgspec.Struct):
    items: list[SlotOut]
    next_cursor: str | None


class SlotBatchOut(msgspec.Struct):
    created: int


Method = Annotated[str | None, documented_query("delivery or pickup", enum=list(FulfilmentMethod))]
PostalCode = Annotated[str | None, documented_query("the delivery zone this postal code falls in")]
AddressId = Annotated[
    UUID | None, documented_query("the zone of one of the caller's addresses (signed in)")
]
FirstDay = Annotated[
    str | None, documented_query("YYYY-MM-DD in the store's time zone, inclusive", name="from")
]
LastDay = Annotated[
    str | None, documented_query("YYYY-MM-DD in the store's time zone, inclusive", name="to")
]


class SlotController(Controller):
    path = "/slots"
    tags = ("delivery and pickup",)

    @get("/", opt=PUBLIC)
    async def list_slots(
        self,
        request: Request[Any, Any, Any],
        slots: Injected[SlotService],
        method: Method = None,
        zone_id: FromQuery[UUID | None] = None,
        postal_code: PostalCode = None,
        address_id: AddressId = None,
        pickup_point_id: FromQuery[UUID | None] = None,
        first_day: FirstDay = None,
        last_day: LastDay = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> SlotListOut:
        """Upcoming slots, soonest first. Name the zone by `zone_id`, `postal_code` or
        `address_id` (one of yours: sign in), or a pickup point by `pickup_point_id`."""
        problems = Problems()
        search = SlotSearch(
            method=problems.read(lambda: read_method(method), None),
            zone_id=zone_id,
            postal_code=postal_code,
            address_id=address_id,
            pickup_point_id=pickup_point_id,
            first_day=problems.read(lambda: read_day(first_day, field="from"), None),
            last_day=problems.read(lambda: read_day(last_day, field="to"), None),
            after=problems.read(lambda: read_mark_cursor(cursor), None),
            limit=limit,
        )
        problems.raise_if_any("The slot filters are not valid.")
        caller = None if address_id is None else (await signed_in_caller(request)).user_id
        page = await slots.upcoming(search, user_id=caller)
        last = page.last
        return SlotListOut(
            items=[SlotOut.of(load, page.now) for load in page.loads],
            next_cursor=None if last is None else mark_cursor(last.slot.starts_at, last.slot.id),
        )

    @get("/{slot_id:uuid}", opt=PUBLIC)
    async def show_slot(self, slot_id: FromPath[UUID], slots: Injected[SlotService]) -> SlotOut:
        load, now = await slots.load(slot_id)
        return SlotOut.of(load, now)

    @post("/", status_code=201, guards=[manager])
    async def add_slot(self, data: JSONBody[SlotBody], slots: Injected[SlotService]) -> SlotOut:
        slot = await slots.create(
            Slot(
                id=UUID(int=0),
                method=data.method,
                zone_id=data.zone_id,
                pickup_point_id=data.pickup_point_id,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                cutoff_at=data.starts_at if data.cutoff_at is None else data.cutoff_at,
                capacity=data.capacity,
            )
        )
        load, now = await slots.load(slot.id)
        return SlotOut.of(load, now)

    @post("/batch", status_code=201, guards=[manager])
    async def add_batch(
        self, data: JSONBody[SlotBatchBody], slots: Injected[SlotService]
    ) -> SlotBatchOut:
        """Answers how many slots were made: 0 when the same batch ran before."""
        return SlotBatchOut(created=await slots.create_batch(_batch(data)))

    @patch("/{slot_id:uuid}", guards=[manager])
    async def change_slot(
        self,
        slot_id: FromPath[UUID],
        data: JSONBody[SlotChangeBody],
        slots: Injected[SlotService],
    ) -> SlotOut:
        """A capacity below the places held and booked is refused (409
        `capacity_below_booked`)."""
        change = SlotChange(
            capacity=KEEP if isinstance(data.capacity, UnsetType) else data.capacity,
            cutoff_at=KEEP if isinstance(data.cutoff_at, UnsetType) else data.cutoff_at,
        )
        load, now = await slots.change(slot_id, change)
        return SlotOut.of(load, now)

    @delete("/{slot_id:uuid}", status_code=204, guards=[manager])
    async def remove_slot(self, slot_id: FromPath[UUID], slots: Injected[SlotService]) -> None:
        """Refused (409 `slot_in_use`) while a place is booked or held."""
        await slots.remove(slot_id)


def _batch(body: SlotBatchBody) -> SlotBatch:
    problems = Problems()

    def clock(text: str, field: str) -> time:
        return problems.read(partial(parse_clock, text, field=field), time(0))

    windows = tuple(
        Window(start=clock(w.start, f"windows[{i}].start"), end=clock(w.end, f"windows[{i}].end"))
        for i, w in enumerate(body.windows)
    )
    problems.raise_if_any("The batch of slots is not valid.")
    return SlotBatch(
        method=body.method,
        zone_id=body.zone_id,
        pickup_point_id=body.pickup_point_id,
        first_day=body.first_day,
        last_day=body.last_day,
        weekdays=frozenset(body.weekdays),
        windows=windows,
        capacity=body.capacity,
        cutoff_minutes=body.cutoff_minutes,
    )
