"""How the back office writes amounts and moments: the store's currency and time zone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment


class StoreFormats:
    def __init__(self, *, currency: str, timezone: str) -> None:
        self.currency = currency
        self.zone = ZoneInfo(timezone)

    def money(self, amount: Decimal | str | None) -> str:
        if amount is None:
            return ""
        return f"{Decimal(amount):,.2f} {self.currency}"

    def moment(self, at: datetime | None) -> str:
        """A timestamp on the store's clock, to the minute."""
        return "" if at is None else at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def span(self, starts: datetime, ends: datetime) -> str:
        """A slot's times on the store's clock: its day and start, and its end."""
        return f"{self.moment(starts)}–{ends.astimezone(self.zone).strftime('%H:%M')}"

    def today(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def install(self, environment: Environment) -> None:
        """The filters the templates use: `|money`, `|moment`, `starts|span(ends)`."""
        filters: dict[str, Any] = {"money": self.money, "moment": self.moment, "span": self.span}
        environment.filters.update(filters)
        environment.globals.update(currency=self.currency, timezone=str(self.zone))
