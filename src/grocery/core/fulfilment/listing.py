"""Which slots a customer or a manager asks to see: the filters of the slot listing, and the
days they name in the store's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from grocery.core.errors import ErrorDetail, Invalid, Problems, field_error
from grocery.core.fulfilment.slots import SlotMark
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.reports import local_midnight

_ONE_TICK = timedelta(microseconds=1)  # PostgreSQL's resolution
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, kw_only=True, slots=True)
class SlotSearch:
    """The listing's filters: at most one way to name a delivery zone (its id, a postal code,
    or one of the caller's addresses), or a pickup point; days from and to, both inclusive."""

    method: FulfilmentMethod | None = None
    zone_id: UUID | None = None
    postal_code: str | None = None
    address_id: UUID | None = None
    pickup_point_id: UUID | None = None
    first_day: date | None = None
    last_day: date | None = None
    after: SlotMark | None = None
    limit: int = 20
    started_today: bool = False  # staff planning the day: today's slots already under way too

    @property
    def names_a_zone(self) -> bool:
        return any(v is not None for v in (self.zone_id, self.postal_code, self.address_id))


def check_search(search: SlotSearch) -> None:
    """Invalid when the filters contradict each other."""
    Problems(_place_errors(search), _day_errors(search)).raise_if_any(
        "The slot filters contradict each other."
    )


def since(search: SlotSearch, now: datetime, timezone: str) -> datetime:
    """Slots listed start after this: now (or just before today's local midnight, for
    `started_today`), or just before the first day's local midnight if that is later."""
    floor = now
    if search.started_today:
        today = now.astimezone(ZoneInfo(timezone)).date()
        floor = local_midnight(today, timezone) - _ONE_TICK
    if search.first_day is None:
        return floor
    return max(floor, local_midnight(search.first_day, timezone) - _ONE_TICK)


def until(search: SlotSearch, timezone: str) -> datetime | None:
    """Slots listed start before this: the local midnight after the last day."""
    if search.last_day is None:
        return None
    return local_midnight(search.last_day + timedelta(days=1), timezone)


def _place_errors(search: SlotSearch) -> list[ErrorDetail]:
    named = [v for v in (search.zone_id, search.postal_code, search.address_id) if v is not None]
    if len(named) > 1:
        return [field_error("zone_id", "give one of zone_id, postal_code or address_id")]
    if named and search.pickup_point_id is not None:
        return [
            field_error("pickup_point_id", "a zone's slots and a pickup point's exclude each other")
        ]
    if search.names_a_zone and search.method is FulfilmentMethod.PICKUP:
        return [field_error("method", "a delivery zone has delivery slots only")]
    if search.pickup_point_id is not None and search.method is FulfilmentMethod.DELIVERY:
        return [field_error("method", "a pickup point has pickup slots only")]
    return []


def _day_errors(search: SlotSearch) -> list[ErrorDetail]:
    if search.first_day and search.last_day and search.last_day < search.first_day:
        return [field_error("to", "must not be before from")]
    return []


def read_day(raw: str | None, *, field: str) -> date | None:
    """A YYYY-MM-DD day as a client sent it; Invalid naming `field` when it is none."""
    if raw is None:
        return None
    try:
        if _DAY.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise Invalid(
        f"{field} must be a day as YYYY-MM-DD.",
        errors=[field_error(field, "must be a day as YYYY-MM-DD")],
    )


def read_method(raw: str | None) -> FulfilmentMethod | None:
    """`delivery` or `pickup` as a client sent it; Invalid otherwise."""
    if raw is None:
        return None
    try:
        return FulfilmentMethod(raw)
    except ValueError:
        message = "must be delivery or pickup"
        raise Invalid(f"method {message}.", errors=[field_error("method", message)]) from None
