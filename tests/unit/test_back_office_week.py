"""The back office's week of slots and its times: laid out and read on the store's clock, across
a clock change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from grocery.core.fulfilment.slots import Slot, SlotLoad
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.entrypoints.web.formats import StoreFormats
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.slots import Place, week_rows

LONDON = StoreFormats(currency="GBP", timezone="Europe/London")
MONDAY = date(2026, 10, 19)  # the clocks go back on Sunday 25 October


def _load(starts_at: datetime, booked: int = 0) -> SlotLoad:
    slot = Slot(
        id=uuid4(),
        method=FulfilmentMethod.PICKUP,
        zone_id=None,
        pickup_point_id=uuid4(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        cutoff_at=starts_at,
        capacity=4,
    )
    return SlotLoad(slot=slot, booked=booked, held=0, zone_fee=None)


def test_nine_o_clock_stays_one_row_across_the_clock_change() -> None:
    summer = _load(datetime(2026, 10, 24, 8, 0, tzinfo=UTC))  # Saturday 09:00 BST
    winter = _load(datetime(2026, 10, 25, 9, 0, tzinfo=UTC))  # Sunday 09:00 GMT
    evening = _load(datetime(2026, 10, 19, 16, 0, tzinfo=UTC), booked=4)  # Monday 17:00 BST
    rows = week_rows([summer, winter, evening], MONDAY, LONDON)
    assert [row.label for row in rows] == ["09:00–11:00", "17:00–19:00"]
    morning = rows[0].cells
    assert morning[5] == [summer] and morning[6] == [winter] and morning[:5] == [[]] * 5
    assert rows[1].cells[0] == [evening]


def test_a_place_is_read_as_the_list_sends_it() -> None:
    zone, point = uuid4(), uuid4()
    assert Place.read(f"delivery:{zone}") == Place(FulfilmentMethod.DELIVERY, zone, None)
    assert Place.read(f"pickup:{point}") == Place(FulfilmentMethod.PICKUP, None, point)
    assert Place.read("by-boat:" + str(zone)) is None
    assert Place.read("pickup:nowhere") is None
    assert Place.read("") is None


def test_a_time_the_clocks_skip_is_refused_next_to_its_field() -> None:
    form = FormReader({"starts_at": "2026-03-29T01:30", "ends_at": "2026-10-25T01:30"})
    assert form.local_moment("starts_at", LONDON.zone) is None
    assert "clocks go forward" in form.errors["starts_at"]
    twice = form.local_moment("ends_at", LONDON.zone)  # 01:30 happens twice: the first, BST
    assert twice is not None and twice.astimezone(UTC).hour == 0
    assert "ends_at" not in form.errors
