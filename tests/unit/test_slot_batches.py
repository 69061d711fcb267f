"""Slots made in batches from weekly windows, in the store's time zone: a 09:00 window is
09:00 on the local clock on both sides of a daylight-saving change."""

from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest

from grocery.core.errors import Invalid
from grocery.core.fulfilment.batches import SlotBatch, Window, batch_slots, check_batch, parse_clock
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.ids import new_id

ZONE = uuid4()
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def batch(
    first: date,
    last: date,
    *windows: tuple[str, str],
    weekdays: set[int] | None = None,
    cutoff_minutes: int = 60,
    capacity: int = 8,
) -> SlotBatch:
    return SlotBatch(
        method=FulfilmentMethod.DELIVERY,
        zone_id=ZONE,
        pickup_point_id=None,
        first_day=first,
        last_day=last,
        weekdays=frozenset(range(1, 8) if weekdays is None else weekdays),
        windows=tuple(
            Window(parse_clock(start, field="start"), parse_clock(end, field="end"))
            for start, end in windows or [("09:00", "11:00")]
        ),
        capacity=capacity,
        cutoff_minutes=cutoff_minutes,
    )


def starts(request: SlotBatch, timezone: str, now: datetime = LONG_AGO) -> list[datetime]:
    return [s.starts_at for s in batch_slots(request, timezone, now=now, new_id=new_id)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def refused_fields(request: SlotBatch, today: date) -> list[object]:
    with pytest.raises(Invalid) as refused:
        check_batch(request, today)
    return [error["field"] for error in refused.value.errors]


def test_a_window_keeps_its_local_time_across_the_spring_change() -> None:
    # London moves from GMT to BST on Sunday 30 March 2025.
    slots = batch_slots(
        batch(date(2025, 3, 29), date(2025, 3, 31)), "Europe/London", now=LONG_AGO, new_id=new_id
    )
    assert [(s.starts_at, s.ends_at) for s in slots] == [
        (utc(2025, 3, 29, 9), utc(2025, 3, 29, 11)),
        (utc(2025, 3, 30, 8), utc(2025, 3, 30, 10)),
        (utc(2025, 3, 31, 8), utc(2025, 3, 31, 10)),
    ]
    assert [s.cutoff_at for s in slots] == [s.starts_at - timedelta(hours=1) for s in slots]
    assert {(s.method, s.zone_id, s.pickup_point_id, s.capacity) for s in slots} == {
        (FulfilmentMethod.DELIVERY, ZONE, None, 8)
    }


def test_a_window_keeps_its_local_time_across_the_autumn_change() -> None:
    # New York falls back from EDT (-4) to EST (-5) on Sunday 2 November 2025.
    request = batch(date(2025, 11, 1), date(2025, 11, 3), ("09:00", "10:30"), ("17:00", "19:00"))
    assert starts(request, "America/New_York") == [
        utc(2025, 11, 1, 13),
        utc(2025, 11, 1, 21),
        utc(2025, 11, 2, 14),
        utc(2025, 11, 2, 22),
        utc(2025, 11, 3, 14),
        utc(2025, 11, 3, 22),
    ]


def test_a_window_the_clock_skips_is_left_out_that_day_only() -> None:
    # On 30 March 2025 London's clocks jump from 01:00 to 02:00: 01:30 doesn't exist.
    request = batch(date(2025, 3, 29), date(2025, 3, 31), ("01:30", "02:30"))
    assert starts(request, "Europe/London") == [utc(2025, 3, 29, 1, 30), utc(2025, 3, 31, 0, 30)]


def test_a_time_that_happens_twice_means_its_first_occurrence() -> None:
    # On 26 October 2025 London's 01:00-02:00 happens twice (BST, then GMT).
    slots = batch_slots(
        batch(date(2025, 10, 26), date(2025, 10, 26), ("01:30", "03:00")),
        "Europe/London",
        now=LONG_AGO,
        new_id=new_id,
    )
    assert [(s.starts_at, s.ends_at) for s in slots] == [
        (utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 3))
    ]


def test_only_the_chosen_weekdays_get_slots() -> None:
    # 2 June 2025 is a Monday.
    request = batch(date(2025, 6, 2), date(2025, 6, 15), weekdays={1, 6})
    assert [d.date() for d in starts(request, "UTC")] == [
        date(2025, 6, 2),
        date(2025, 6, 7),
        date(2025, 6, 9),
        date(2025, 6, 14),
    ]


def test_windows_come_out_soonest_first_with_their_cutoff() -> None:
    request = batch(
        date(2025, 6, 2), date(2025, 6, 2), ("18:00", "20:00"), ("08:00", "10:00"), cutoff_minutes=0
    )
    slots = batch_slots(request, "Asia/Tokyo", now=LONG_AGO, new_id=new_id)
    assert [s.starts_at for s in slots] == [utc(2025, 6, 1, 23), utc(2025, 6, 2, 9)]
    assert [s.cutoff_at for s in slots] == [s.starts_at for s in slots]
    assert len({s.id for s in slots}) == 2


def test_windows_that_have_begun_are_not_made() -> None:
    request = batch(date(2025, 6, 2), date(2025, 6, 3), ("08:00", "10:00"), ("12:00", "14:00"))
    assert starts(request, "UTC", now=utc(2025, 6, 2, 8)) == [
        utc(2025, 6, 2, 12),
        utc(2025, 6, 3, 8),
        utc(2025, 6, 3, 12),
    ]


def test_a_good_batch_passes() -> None:
    check_batch(
        batch(date(2025, 6, 2), date(2025, 6, 8), ("08:00", "10:00"), ("10:00", "12:00")),
        date(2025, 6, 2),
    )


def test_windows_that_cross_midnight_or_end_before_they_start_are_refused() -> None:
    today = date(2025, 6, 2)
    assert refused_fields(batch(today, today, ("22:00", "01:00")), today) == ["windows[0].end"]
    assert refused_fields(batch(today, today, ("09:00", "10:00"), ("11:00", "11:00")), today) == [
        "windows[1].end"
    ]


def test_overlapping_windows_are_refused() -> None:
    today = date(2025, 6, 2)
    request = batch(today, today, ("12:00", "14:00"), ("09:00", "12:30"))
    assert refused_fields(request, today) == ["windows"]


def test_days_out_of_range_are_refused() -> None:
    today = date(2025, 6, 2)
    assert refused_fields(batch(today - timedelta(days=1), today), today) == ["from"]
    assert refused_fields(batch(today, today - timedelta(days=1)), today) == ["to"]
    assert refused_fields(batch(today, today + timedelta(days=367)), today) == ["to"]


def test_weekdays_capacity_and_cutoff_are_checked() -> None:
    today = date(2025, 6, 2)
    assert refused_fields(batch(today, today, weekdays={0, 8}), today) == ["weekdays"]
    assert refused_fields(batch(today, today, weekdays=set()), today) == ["weekdays"]
    assert refused_fields(batch(today, today, capacity=0, cutoff_minutes=-5), today) == [
        "capacity",
        "cutoff_minutes",
    ]


@pytest.mark.parametrize("text", ["9:00", "24:00", "12:60", "noon", "12:00:00", ""])
def test_clock_times_are_hh_mm(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_clock(text, field="windows[0].start")
    assert refused.value.errors[0]["field"] == "windows[0].start"


def test_clock_times_parse() -> None:
    assert parse_clock("00:00", field="start") == time(0)
    assert parse_clock("23:59", field="end") == time(23, 59)
