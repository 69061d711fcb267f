"""Planning slots in batches: weekly windows in the store's time zone, turned into slots.

A window is wall-clock time where the shop is: a 09:00-11:00 window is 09:00-11:00 local
on every day, on both sides of a daylight-saving change, so its UTC times move with the
change. On the night a clock jumps forward a window whose start or end doesn't exist that
day (02:30 when 02:00 becomes 03:00) is left out for that day; when a clock falls back, a
time that happens twice means its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from uuid import UUID
from zoneinfo import ZoneInfo

from grocery.core.errors import ErrorDetail, Invalid, Problems, field_error
from grocery.core.fulfilment.slots import (
    PLANNING_HORIZON,
    Slot,
    capacity_errors,
    place_errors,
)
from grocery.core.fulfilment.zones import FulfilmentMethod

MAX_WINDOWS_PER_DAY = 48
MAX_CUTOFF_MINUTES = 7 * 24 * 60

_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class Window:
    """A daily stretch of local wall-clock time, start before end on the same day."""

    start: time
    end: time


@dataclass(frozen=True, kw_only=True, slots=True)
class SlotBatch:
    """What a manager asks for: slots on these weekdays (Monday 1) from `first_day` to
    `last_day` inclusive, in each window, booking closing `cutoff_minutes` before each starts."""

    method: FulfilmentMethod
    zone_id: UUID | None
    pickup_point_id: UUID | None
    first_day: date
    last_day: date
    weekdays: frozenset[int]
    windows: tuple[Window, ...]
    capacity: int
    cutoff_minutes: int


def parse_clock(text: str, *, field: str) -> time:
    """ "HH:MM" (00:00 to 23:59) as a time; Invalid naming `field` otherwise."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        raise Invalid(
            f"{field} must be a time of day as HH:MM.",
            errors=[field_error(field, "must be a time of day as HH:MM (00:00 to 23:59)")],
        )
    return time(int(match[1]), int(match[2]))


def check_batch(batch: SlotBatch, today: date) -> None:
    """Invalid listing every fault: days out of range, no or unknown weekdays, windows that
    end before they start (or cross midnight) or overlap, a bad capacity or cutoff.

    `today` is the store's local date; no slot is planned before it.
    """
    Problems(
        place_errors(batch.method, batch.zone_id, batch.pickup_point_id),
        _day_errors(batch.first_day, batch.last_day, today),
        _weekday_errors(batch.weekdays),
        _window_errors(batch.windows),
        capacity_errors(batch.capacity),
        _cutoff_errors(batch.cutoff_minutes),
    ).raise_if_any("The batch of slots is not valid.")


def batch_slots(
    batch: SlotBatch, timezone: str, *, now: datetime, new_id: Callable[[], UUID]
) -> list[Slot]:
    """The batch's slots that start after `now`, soonest first, their times in UTC;
    `batch` checked already."""
    zone = ZoneInfo(timezone)
    slots = []
    for day in _days(batch):
        for window in sorted(batch.windows, key=lambda w: w.start):
            starts_at = _utc(day, window.start, zone)
            ends_at = _utc(day, window.end, zone)
            if starts_at is None or ends_at is None or starts_at <= now:
                continue  # the clock skips this time that day, or the window has begun
            slots.append(
                Slot(
                    id=new_id(),
                    method=batch.method,
                    zone_id=batch.zone_id,
                    pickup_point_id=batch.pickup_point_id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    cutoff_at=starts_at - timedelta(minutes=batch.cutoff_minutes),
                    capacity=batch.capacity,
                )
            )
    return slots


def _days(batch: SlotBatch) -> Iterator[date]:
    day = batch.first_day
    while day <= batch.last_day:
        if day.isoweekday() in batch.weekdays:
            yield day
        day += timedelta(days=1)


def _utc(day: date, clock: time, zone: ZoneInfo) -> datetime | None:
    """The UTC moment of that local wall-clock time, or None when the day skips it.

    A skipped time (inside a spring-forward gap) doesn't survive the round trip to UTC
    and back: zoneinfo shifts it by the gap.
    """
    local = datetime.combine(day, clock, tzinfo=zone)  # fold=0: the first of two, if twice
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return moment


def _day_errors(first: date, last: date, today: date) -> list[ErrorDetail]:
    if first < today:
        return [field_error("from", "must not be before today")]
    if last < first:
        return [field_error("to", "must not be before from")]
    if last > today + PLANNING_HORIZON:
        return [field_error("to", f"must be within {PLANNING_HORIZON.days} days from today")]
    return []


def _weekday_errors(weekdays: frozenset[int]) -> list[ErrorDetail]:
    if weekdays and weekdays <= set(range(1, 8)):
        return []
    return [field_error("weekdays", "must list days 1 (Monday) to 7 (Sunday)")]


def _window_errors(windows: tuple[Window, ...]) -> list[ErrorDetail]:
    if not 0 < len(windows) <= MAX_WINDOWS_PER_DAY:
        return [field_error("windows", f"must list 1 to {MAX_WINDOWS_PER_DAY} windows")]
    errors = [
        field_error(
            f"windows[{i}].end", "must be after start on the same day (no crossing midnight)"
        )
        for i, window in enumerate(windows)
        if window.end <= window.start
    ]
    if errors:
        return errors
    ordered = sorted(windows, key=lambda w: w.start)
    if any(later.start < earlier.end for earlier, later in pairwise(ordered)):
        errors.append(field_error("windows", "must not overlap"))
    return errors


def _cutoff_errors(cutoff_minutes: int) -> list[ErrorDetail]:
    if 0 <= cutoff_minutes <= MAX_CUTOFF_MINUTES:
        return []
    return [field_error("cutoff_minutes", f"must be between 0 and {MAX_CUTOFF_MINUTES}")]
