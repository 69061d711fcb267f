"""Charts drawn on the server as SVG geometry (no script, nothing fetched): sales over time
as a line, products as bars. The templates draw what these compute."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 12, 12, 28


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    label: str  # the period, as the axis writes it
    value: Decimal


@dataclass(frozen=True, slots=True)
class LineChart:
    points: tuple[Point, ...]
    top: Decimal  # the value at the top of the axis
    width: int = WIDTH
    height: int = HEIGHT
    left: int = _LEFT
    bottom_y: int = HEIGHT - _BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


def line_chart(series: Sequence[tuple[str, Decimal]]) -> LineChart:
    """One point per period, left to right; the axis starts at zero."""
    top = max((value for _, value in series), default=Decimal(0)) or Decimal(1)
    plot_width = WIDTH - _LEFT - _RIGHT
    plot_height = HEIGHT - _TOP - _BOTTOM
    step = plot_width / max(len(series) - 1, 1)
    points = tuple(
        Point(
            x=_LEFT + index * step,
            y=_TOP + plot_height * (1 - float(value / top)),
            label=label,
            value=value,
        )
        for index, (label, value) in enumerate(series)
    )
    return LineChart(points=points, top=top)


@dataclass(frozen=True, slots=True)
class Bar:
    y: float
    length: float
    label: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int


def bar_chart(rows: Sequence[tuple[str, Decimal]], *, bar_height: int = 22) -> BarChart:
    """One horizontal bar per row, longest for the largest value."""
    label_width, value_room = 200, 110
    top = max((value for _, value in rows), default=Decimal(0)) or Decimal(1)
    room = WIDTH - label_width - value_room
    bars = tuple(
        Bar(y=index * bar_height, length=room * float(value / top), label=label, value=value)
        for index, (label, value) in enumerate(rows)
    )
    return BarChart(
        bars=bars, width=WIDTH, height=max(len(rows), 1) * bar_height, label_width=label_width
    )
