"""What a customer wants when an item is missing at picking: a substitute or nothing.

Set on each cart line (a substitute is allowed unless they say `none`, and they may name
the product they would like instead), copied onto the order line at checkout and obeyed by
the picker.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from grocery.core.errors import invalid


class Substitution(StrEnum):
    ALLOW = "allow"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class SubstitutionChoice:
    substitution: Substitution = Substitution.ALLOW
    preferred_substitute_id: UUID | None = None

    @property
    def allowed(self) -> bool:
        return self.substitution is Substitution.ALLOW


NO_PREFERENCE = SubstitutionChoice()


@dataclass(frozen=True, slots=True)
class SubstitutionRequest:
    """A customer's choice as sent: it replaces the line's whole choice, so a field left
    out takes its default (substitutes allowed, none preferred)."""

    substitution: str = Substitution.ALLOW
    preferred_substitute_id: UUID | None = None


def substitution_choice(
    product_id: UUID, substitution: str, preferred_substitute_id: UUID | None
) -> SubstitutionChoice:
    """A line's choice, checked: a preferred substitute is another product, and only where
    substitutes are allowed."""
    try:
        chosen = Substitution(substitution)
    except ValueError:
        raise invalid("substitution", "must be one of allow, none") from None
    if preferred_substitute_id is not None:
        if chosen is Substitution.NONE:
            raise invalid("preferred_substitute_id", "can't be set when substitution is none")
        if preferred_substitute_id == product_id:
            raise invalid("preferred_substitute_id", "must be another product")
    return SubstitutionChoice(chosen, preferred_substitute_id)
