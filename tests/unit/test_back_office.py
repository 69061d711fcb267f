"""The back office's pieces that need no server: chart geometry, session clocks, formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from grocery.config import Settings
from grocery.core.errors import Invalid
from grocery.core.identity import Principal, Role
from grocery.entrypoints.web.charts import HEIGHT, bar_chart, line_chart
from grocery.entrypoints.web.formats import StoreFormats
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.guard_headers import AWS, content_policy, picture_origins
from grocery.entrypoints.web.rendering import Refused, done_or_refused, form_shown
from grocery.entrypoints.web.sessions import ABSOLUTE, IDLE, StaffSession

NOON = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def test_a_line_chart_has_a_point_per_period_from_zero_to_the_top() -> None:
    chart = line_chart([("d1", Decimal(0)), ("d2", Decimal("50")), ("d3", Decimal("100"))])
    assert [point.label for point in chart.points] == ["d1", "d2", "d3"]
    low, middle, high = chart.points
    assert low.y == chart.bottom_y and high.y < middle.y < low.y
    assert low.x < middle.x < high.x <= chart.width
    assert chart.top == Decimal("100")
    assert len(chart.polyline.split()) == 3


def test_a_chart_of_nothing_sold_stays_on_the_axis() -> None:
    chart = line_chart([("d1", Decimal(0)), ("d2", Decimal(0))])
    assert {point.y for point in chart.points} == {chart.bottom_y}
    assert 0 < chart.bottom_y < HEIGHT


def test_bars_are_as_long_as_their_share_of_the_largest() -> None:
    chart = bar_chart([("apples", Decimal(40)), ("pears", Decimal(10))])
    apples, pears = chart.bars
    assert apples.length == 4 * pears.length and apples.y < pears.y


def test_a_session_ends_when_idle_or_too_old() -> None:
    session = StaffSession(Principal(uuid4(), Role.MANAGER), since=NOON, seen=NOON)
    assert not session.is_over(NOON + IDLE - timedelta(seconds=1))
    assert session.is_over(NOON + IDLE)
    busy = StaffSession(session.principal, since=NOON, seen=NOON + ABSOLUTE - timedelta(seconds=1))
    assert not busy.is_over(NOON + ABSOLUTE - timedelta(seconds=1))
    assert busy.is_over(NOON + ABSOLUTE)


def test_amounts_and_moments_in_the_store_s_currency_and_zone() -> None:
    formats = StoreFormats(currency="EUR", timezone="Europe/Paris")
    assert formats.money(Decimal("1234.5")) == "1,234.50 EUR"
    assert formats.moment(NOON) == "2030-05-01 14:00"
    assert formats.today(datetime(2030, 5, 1, 22, 30, tzinfo=UTC)).isoformat() == "2030-05-02"


def test_a_slot_shows_its_day_and_times_on_the_store_s_clock() -> None:
    formats = StoreFormats(currency="GBP", timezone="Europe/London")
    winter = datetime(2030, 12, 1, 9, 0, tzinfo=UTC)
    summer = datetime(2030, 6, 30, 22, 30, tzinfo=UTC)  # 23:30 in London, past midnight at its end
    assert formats.span(winter, winter + timedelta(hours=2)) == "2030-12-01 09:00–11:00"
    assert formats.span(summer, summer + timedelta(hours=1)) == "2030-06-30 23:30–00:30"


def test_pictures_may_come_from_the_media_site_or_the_s3_server_that_signs_them() -> None:
    assert picture_origins(_settings(media_base_url="/media/")) == ()
    cdn = _settings(media_base_url="https://cdn.example.com/shop/")
    assert picture_origins(cdn) == ("https://cdn.example.com",)
    signed = {"storage_url": "s3://shelf", "storage_presign": True}
    assert picture_origins(_settings(**signed)) == (AWS,)
    minio = _settings(**signed, storage_env={"AWS_ENDPOINT_URL": "http://minio.local:9000/"})
    assert picture_origins(minio) == ("http://minio.local:9000",)
    assert "img-src 'self' http://minio.local:9000;" in content_policy(picture_origins(minio))


def _settings(**values: Any) -> Settings:
    return Settings(**{"storage_url": "memory://", "secret_key": "k" * 32, **values})


async def test_a_form_is_done_or_refused_with_each_field_s_problem() -> None:
    calls: list[str] = []

    async def act() -> str:
        calls.append("done")
        return "saved"

    async def refuse() -> str:
        raise Invalid("No.", errors=[{"field": "price", "message": "must be positive"}])

    unreadable = FormReader({"stock": "many", "name": "Pears"})
    unreadable.whole("stock")
    assert await done_or_refused(unreadable, act) == Refused(
        {"stock": "many", "name": "Pears"}, {"stock": "must be a whole number"}, 422
    )
    assert calls == []  # a form that could not be read is never acted on
    assert await done_or_refused(FormReader({"price": "-1"}), refuse) == Refused(
        {"price": "-1"}, {"price": "must be positive"}, 422
    )
    assert await done_or_refused(FormReader({}), act) == "saved"
    assert form_shown({"kind": "receipt"}, None) == {
        "values": {"kind": "receipt"},
        "errors": {},
        "status": 200,
    }
