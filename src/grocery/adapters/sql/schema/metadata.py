"""The one MetaData every table of the shop is defined on.

Constraints and indexes take their names from this convention (the names the migrations
created, and the ones adapters/sql/errors.py maps to the shop's refusals).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import MetaData

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def sql_choices(choices: Iterable[object]) -> str:
    """The core's choices (an enum's members) as a SQL list of literals, `'a', 'b'`, for the
    CHECK constraints and statements that must agree with the core."""
    return ", ".join(f"'{choice}'" for choice in choices)
