"""Reading a submitted form: text as typed, numbers and ids parsed, each problem kept
against its field so the page can show it there. The shop's rules stay in the core: this
only turns text into the types the services take."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from grocery.core.edits import KEEP, Keep
from grocery.core.errors import Invalid

E = TypeVar("E", bound=Enum)


class FormReader:
    def __init__(self, form: Mapping[str, Any]) -> None:
        self._form = form
        self.errors: dict[str, str] = {}

    def text(self, field: str) -> str:
        value = self._form.get(field, "")
        return value.strip() if isinstance(value, str) else ""

    def text_or_keep(self, field: str) -> str | Keep:
        """Blank means "as it is" (a slug left empty is derived, or kept)."""
        return self.text(field) or KEEP

    def whole(self, field: str) -> int | Keep:
        raw = self.text(field)
        if not raw:
            self.errors[field] = "is required"
            return KEEP
        try:
            return int(raw)
        except ValueError:
            self.errors[field] = "must be a whole number"
            return KEEP

    def whole_or_keep(self, field: str) -> int | Keep:
        return self.whole(field) if self.text(field) else KEEP

    def id(self, field: str) -> UUID | Keep:
        """Blank is "not chosen" (the core says whether it had to be)."""
        raw = self.text(field)
        if not raw:
            return KEEP
        try:
            return UUID(raw)
        except ValueError:
            self.errors[field] = "is not one of the choices"
            return KEEP

    def id_or_none(self, field: str) -> UUID | None:
        """Blank is "none" (untaxed, or taxed as its category is)."""
        found = self.id(field)
        return found if isinstance(found, UUID) else None

    def text_or_none(self, field: str) -> str | None:
        """Blank clears an optional term (no minimum, no limit)."""
        return self.text(field) or None

    def whole_or_none(self, field: str) -> int | None:
        if not self.text(field):
            return None
        number = self.whole(field)
        return number if isinstance(number, int) else None

    def ticked(self, field: str) -> bool:
        return field in self._form

    def ids(self, field: str) -> frozenset[UUID]:
        picked = self._form.getall(field, []) if hasattr(self._form, "getall") else []
        try:
            return frozenset(UUID(str(raw)) for raw in picked)
        except ValueError:
            self.errors[field] = "is not one of the choices"
            return frozenset()

    def wholes(self, field: str) -> frozenset[int]:
        """The ticked boxes of a group of numbers (the weekdays)."""
        picked = self._form.getall(field, []) if hasattr(self._form, "getall") else []
        try:
            return frozenset(int(str(raw)) for raw in picked)
        except ValueError:
            self.errors[field] = "is not one of the choices"
            return frozenset()

    def day(self, field: str) -> date | None:
        """A YYYY-MM-DD day (a date input), in the store's calendar."""
        raw = self.text(field)
        if not raw:
            self.errors[field] = "is required"
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.errors[field] = "must be a day"
            return None

    def choice(self, field: str, choices: type[E]) -> E | Keep:
        try:
            return choices(self.text(field))
        except ValueError:
            self.errors[field] = "choose one"
            return KEEP

    def day_or_none(self, field: str) -> date | None:
        """A date input's day; blank: none."""
        raw = self.text(field)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.errors[field] = "must be a date"
            return None

    def choice_or_none(self, field: str, choices: type[E]) -> E | None:
        """One of `choices`; blank: any."""
        if not self.text(field):
            return None
        chosen = self.choice(field, choices)
        return None if isinstance(chosen, Keep) else chosen

    def local_moment(self, field: str, zone: ZoneInfo) -> datetime | None:
        """A date and time typed on the store's clock (a datetime-local input); blank: none."""
        raw = self.text(field)
        if not raw:
            return None
        try:
            typed = datetime.fromisoformat(raw)
        except ValueError:
            self.errors[field] = "must be a date and time"
            return None
        if typed.tzinfo is not None:
            return typed
        moment = typed.replace(tzinfo=zone)
        # A time the clocks skip (02:30 when 02:00 becomes 03:00) would quietly move an hour.
        if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != typed:
            self.errors[field] = (
                "doesn't happen that day on the store's clock (the clocks go forward)"
            )
            return None
        return moment

    @property
    def values(self) -> dict[str, str]:
        """What was typed, to put back in the form when it is shown again."""
        return {key: value for key, value in self._form.items() if isinstance(value, str)}

    def refuse_unreadable(self) -> None:
        """Invalid when a field could not even be read (a number that isn't one), so the
        form comes back with each problem next to its field."""
        if self.errors:
            problems = [{"field": field, "message": text} for field, text in self.errors.items()]
            raise Invalid("The form is not valid.", errors=problems)
