"""Field types for request bodies, carrying into the OpenAPI document the bounds the shop
enforces.

The core enforces each bound itself, so a client hears about every field's problem in one
answer; these annotations tell client generators and readers what those bounds are.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

import msgspec
from litestar.params import ParameterKwarg, QueryParameter
from msgspec import UNSET, UnsetType

from grocery.core.catalog import (
    DESCRIPTION_MAX_LENGTH,
    MAX_QUANTITY,
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
)
from grocery.core.edits import KEEP, Keep
from grocery.core.identity import (
    EMAIL_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    USERNAME_MAX_LENGTH,
    USERNAME_MIN_LENGTH,
)
from grocery.core.promotions import PROMO_CODE_MAX_LENGTH

T = TypeVar("T")

# ASCII digits only; JSON Schema's `$` is the end of the text.
MONEY_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"
KG_PATTERN = r"^[0-9]+(\.[0-9]{1,3})?$"
RATE_PATTERN = r"^[0-9]{1,3}(\.[0-9]{1,3})?$"


def documented(description: str | None = None, **schema: object) -> msgspec.Meta:
    """Bounds (OpenAPI Schema attribute names, snake_case) shown in the document only."""
    extra: dict[str, object] = {"extra": schema}
    if description is not None:
        extra["description"] = description
    return msgspec.Meta(extra_json_schema=extra)


Money = Annotated[
    str,
    documented(
        'A decimal string with at most two decimal places, e.g. "12.50".',
        pattern=MONEY_PATTERN,
    ),
]
Kg = Annotated[
    str,
    documented(
        'A weight in kg with at most three decimal places, e.g. "0.250".', pattern=KG_PATTERN
    ),
]
Rate = Annotated[
    str,
    documented(
        'A percent from 0 to 100 with at most three decimal places, e.g. "7.5".',
        pattern=RATE_PATTERN,
    ),
]
Name = Annotated[str, documented(min_length=1, max_length=NAME_MAX_LENGTH)]
Slug = Annotated[
    str, documented(min_length=1, max_length=SLUG_MAX_LENGTH, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
]
Description = Annotated[str, documented(max_length=DESCRIPTION_MAX_LENGTH)]
Stock = Annotated[int, documented(minimum=0, maximum=MAX_QUANTITY)]
Email = Annotated[str, documented(max_length=EMAIL_MAX_LENGTH)]
Username = Annotated[
    str,
    documented(
        min_length=USERNAME_MIN_LENGTH,
        max_length=USERNAME_MAX_LENGTH,
        pattern=r"^[A-Za-z0-9._-]+$",
    ),
]
PromoCodeText = Annotated[
    str, documented(min_length=1, max_length=PROMO_CODE_MAX_LENGTH, pattern=r"^[A-Za-z0-9_-]+$")
]
Password = Annotated[
    str, documented(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
]


def documented_query(
    description: str | None = None, *, name: str | None = None, **schema: object
) -> ParameterKwarg:
    """A query parameter whose bounds or choices the document shows and the core checks
    (with a message naming the parameter)."""
    return QueryParameter(name=name, description=description, schema_extra=schema)


def kept_unless_sent(value: T | UnsetType) -> T | Keep:
    """A field of a change whose null is a value (it clears the field): left out, it is KEEP."""
    return KEEP if value is UNSET else value
