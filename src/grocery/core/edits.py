"""Edits: a manager's form changes only the fields it sends.

A field left out of an edit is KEEP, never None: None is a value, the one that clears a
field that may be empty (a promo code's expiry, its limits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from enum import Enum
from typing import Any, Final, TypeVar

from grocery.core.errors import Problems


class Keep(Enum):
    """A field an edit leaves as it is."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP

Value = TypeVar("Value")
Thing = TypeVar("Thing")
Sent = TypeVar("Sent")


def kept(sent: Value | Keep, current: Value) -> Value:
    """What the field becomes: the value sent, or the current one when the edit keeps it."""
    return current if isinstance(sent, Keep) else sent


def keep_if_none(sent: Value | None) -> Value | Keep:
    """A field of a form none of whose fields can be cleared: null, like a field left out,
    leaves it as it is."""
    return KEEP if sent is None else sent


def changed(sent: Sent | Keep, current: Value, check: Callable[[Sent], Value]) -> Value:
    """What the field becomes: the value sent as `check` makes it (noting any problem), or
    the current one, unchecked, when the edit keeps it."""
    return current if isinstance(sent, Keep) else check(sent)


def left_out(form: object, required: Iterable[str]) -> Problems:
    """The `required` fields a form for a new thing left out."""
    problems = Problems()
    for field in required:
        if getattr(form, field) is KEEP:
            problems.add(field, "is required")
    return problems


def applied(thing: Thing, edit: object) -> Thing:
    """`thing` (a dataclass) with the fields `edit` (a dataclass naming some of them) sends."""
    sent: dict[str, Any] = {
        field.name: getattr(edit, field.name)
        for field in fields(edit)  # type: ignore[arg-type]
        if getattr(edit, field.name) is not KEEP
    }
    return replace(thing, **sent)  # type: ignore[type-var]
