"""Reading a submitted form: text as typed, numbers and ids parsed, each problem kept
against its field so the page can show it there. The shop's rules stay in the core: this
only turns text into the types the services take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from grocery.core.edits import KEEP, Keep


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
        raw = self.text(field)
        try:
            return UUID(raw)
        except ValueError:
            self.errors[field] = "choose one" if not raw else "is not one of the choices"
            return KEEP

    @property
    def values(self) -> dict[str, str]:
        """What was typed, to put back in the form when it is shown again."""
        return {key: value for key, value in self._form.items() if isinstance(value, str)}
