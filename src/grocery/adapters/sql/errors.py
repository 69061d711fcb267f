"""Driver errors become the shop's errors here, and only here: the one place that reads
SQLSTATEs and constraint names.

Every statement the SQL adapters send fails through `raise_as_domain_error`: the unit of
work's (both kinds, SessionSql), the storefront's reads and the reports (Database). A
failure that means something to the shop leaves as a DomainError; any other is a fault of
ours and leaves as it came (a 500). So nothing outside adapters/sql inspects a driver error.

The database has the last word on clashes (two sign-ups racing for one name, a category
deleted while a product is added to it), so the constraint that refused a row names the
refusal; a DELETE that foreign keys refuse is named by the table it deleted from (the
row others still refer to stays).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import structlog
from asyncpg import exceptions as pg_exc
from sqlalchemy import exc as sa_exc

from grocery.adapters.sql.schema.accounts import USERNAME_KEY_INDEX
from grocery.adapters.sql.schema.addresses import DEFAULT_ADDRESS_INDEX
from grocery.adapters.sql.schema.catalog import CATEGORY_NAME_INDEX, categories, products
from grocery.adapters.sql.schema.fulfilment import ZONE_PREFIX_KEY, delivery_zones, pickup_points
from grocery.adapters.sql.schema.promotions import PROMO_CODE_INDEX, TIMES_USED_CHECK
from grocery.adapters.sql.schema.taxes import TAX_CLASS_NAME_INDEX, tax_classes
from grocery.core.errors import (
    AlreadyExists,
    ConcurrentUpdate,
    DomainError,
    InUse,
    Invalid,
    NotFound,
    ServiceUnavailable,
    field_error,
)
from grocery.core.fulfilment.pickup_points import pickup_point_in_use
from grocery.core.fulfilment.zones import zone_in_use
from grocery.core.guest_carts import guest_cart_refused
from grocery.core.taxes import tax_class_in_use

log = structlog.get_logger("grocery.database")

# SQLSTATEs (PostgreSQL's appendix A).
_UNIQUE_VIOLATION = "23505"
_FOREIGN_KEY_VIOLATION = "23503"
_RESTRICT_VIOLATION = "23001"  # ON DELETE RESTRICT's own code
_CHECK_VIOLATION = "23514"
_REFUSING_A_ROW = frozenset({_UNIQUE_VIOLATION, _FOREIGN_KEY_VIOLATION, _CHECK_VIOLATION})
_REFUSING_A_DELETE = frozenset({_FOREIGN_KEY_VIOLATION, _RESTRICT_VIOLATION})
# PostgreSQL broke a deadlock (40P01) or could not order two transactions (40001) by rolling
# one back: that transaction left nothing behind, and sent again it goes through.
_RACED = frozenset({"40P01", "40001"})
# PostgreSQL refuses text it can't hold: a NUL character (22021), or one its encoding lacks
# (22P05). Any query parameter, path id or JSON string can carry one: the client's mistake.
_UNSTORABLE_TEXT = frozenset({"22021", "22P05"})

# The driver's own "can't reach PostgreSQL", when it escapes SQLAlchemy's wrapping.
_DRIVER_DOWN: tuple[type[BaseException], ...] = (
    pg_exc.PostgresConnectionError,
    pg_exc.CannotConnectNowError,
    pg_exc.InterfaceError,
    pg_exc.AdminShutdownError,
)


def _taken(thing: str, field: str) -> Callable[[], DomainError]:
    return lambda: AlreadyExists(
        f"{thing} with this {field} already exists.",
        errors=[field_error(field, "is already taken")],
    )


def _no_such_tax_class() -> DomainError:
    return Invalid(
        "The tax class does not exist.",
        errors=[field_error("tax_class_id", "no such tax class")],
    )


def _category_not_empty() -> DomainError:
    return InUse(
        "The category still has products (archived ones count too); move or delete them first.",
        code="category_not_empty",
    )


def _slot_taken() -> DomainError:
    return AlreadyExists(
        "This place already has a slot with these times.",
        errors=[field_error("starts_at", "this place already has a slot with these times")],
    )


def _concurrent_default() -> DomainError:
    return ConcurrentUpdate(
        "Another request changed the default address at the same moment and nothing was saved;"
        " send this one again."
    )


def _no_such_substitute() -> DomainError:
    return Invalid(
        "The preferred substitute is not a product for sale.",
        errors=[field_error("preferred_substitute_id", "is not a product for sale")],
    )


# A row written (inserted or updated) that a constraint refused, by the constraint's name.
_BY_CONSTRAINT: Mapping[str, Callable[[], DomainError]] = {
    "uq_users_email": _taken("An account", "email"),
    USERNAME_KEY_INDEX: _taken("An account", "username"),
    "uq_categories_slug": _taken("A category", "slug"),
    CATEGORY_NAME_INDEX: _taken("A category", "name"),
    "uq_products_slug": _taken("A product", "slug"),
    "fk_products_category_id_categories": lambda: Invalid(
        "The category does not exist.",
        errors=[field_error("category_id", "no such category")],
    ),
    TAX_CLASS_NAME_INDEX: _taken("A tax class", "name"),
    "fk_categories_tax_class_id_tax_classes": _no_such_tax_class,
    "fk_products_tax_class_id_tax_classes": _no_such_tax_class,
    "fk_product_images_product_id_products": lambda: NotFound("No such product."),
    # The preferred substitute was deleted between its check and the line's update.
    "fk_cart_items_preferred_substitute_id_products": _no_such_substitute,
    "fk_guest_cart_items_preferred_substitute_id_products": _no_such_substitute,
    # The guest cart was merged or swept between its token's check and the line's write.
    "fk_guest_cart_items_cart_id_guest_carts": guest_cart_refused,
    PROMO_CODE_INDEX: _taken("A promo code", "code"),
    "fk_promo_code_categories_category_id_categories": lambda: Invalid(
        "A category of this promo code does not exist.",
        errors=[field_error("category_ids", "no such category")],
    ),
    "fk_promo_code_categories_promo_id_promo_codes": lambda: NotFound("No such promo code."),
    TIMES_USED_CHECK: lambda: Invalid(  # the code was used meanwhile
        "max_uses is below how often the code was already used.",
        errors=[field_error("max_uses", "is below times_used")],
    ),
    DEFAULT_ADDRESS_INDEX: _concurrent_default,
    ZONE_PREFIX_KEY: lambda: AlreadyExists(
        "A postal-code prefix of this zone belongs to another zone.",
        errors=[field_error("postal_code_prefixes", "a prefix belongs to another zone")],
    ),
    "fk_delivery_zone_prefixes_zone_id_delivery_zones": lambda: NotFound("No such delivery zone."),
    "uq_slots_zone_times": _slot_taken,
    "uq_slots_pickup_point_times": _slot_taken,
    "fk_slots_zone_id_delivery_zones": lambda: Invalid(
        "The delivery zone does not exist.",
        errors=[field_error("zone_id", "no such delivery zone")],
    ),
    "fk_slots_pickup_point_id_pickup_points": lambda: Invalid(
        "The pickup point does not exist.",
        errors=[field_error("pickup_point_id", "no such pickup point")],
    ),
}

# A row deleted while others still refer to it, by the table it was deleted from: whichever
# foreign key refused, the row stays (a product that orders refer to is archived instead).
_BY_DELETED_TABLE: Mapping[str, Callable[[], DomainError]] = {
    categories.name: _category_not_empty,
    products.name: lambda: InUse("Other records, such as order lines, still refer to the product."),
    delivery_zones.name: zone_in_use,
    pickup_points.name: pickup_point_in_use,
    tax_classes.name: tax_class_in_use,
}

MAPPED_CONSTRAINTS = frozenset(_BY_CONSTRAINT)


def raise_as_domain_error(error: BaseException, *, deleting_from: str | None = None) -> None:
    """Raise the shop's error that `error` means, if it means one; else return (and the
    caller re-raises `error`). `deleting_from`: the table the failed DELETE was on."""
    refusal = _domain_error(error, deleting_from=deleting_from)
    if refusal is not None:
        raise refusal from error


def _domain_error(error: BaseException, *, deleting_from: str | None = None) -> DomainError | None:
    if isinstance(error, DomainError):
        return None
    if is_database_down(error):
        log.warning("database.unavailable", error=type(error).__name__)
        return ServiceUnavailable("The database is unavailable; try again shortly.")
    state, constraint = _sqlstate_and_constraint(error)
    if state in _RACED:
        log.warning("database.raced", sqlstate=state)
        return ConcurrentUpdate(
            "Another request changed the same data at the same moment and nothing was saved;"
            " send this one again."
        )
    if state in _UNSTORABLE_TEXT:
        return Invalid("Text may not contain NUL characters.")
    refusal = None
    if state in _REFUSING_A_DELETE and deleting_from is not None:
        refusal = _BY_DELETED_TABLE.get(deleting_from)
    elif state in _REFUSING_A_ROW:
        refusal = _BY_CONSTRAINT.get(constraint or "")
    return None if refusal is None else refusal()


def is_database_down(error: BaseException) -> bool:
    """True for failures that mean "PostgreSQL can't be reached", not a bad statement."""
    return any(
        isinstance(seen, (OSError, TimeoutError, sa_exc.TimeoutError, *_DRIVER_DOWN))
        or (isinstance(seen, sa_exc.DBAPIError) and seen.connection_invalidated)
        for seen in _causes(error)
    )


def _sqlstate_and_constraint(error: BaseException) -> tuple[str | None, str | None]:
    """PostgreSQL's SQLSTATE and the constraint it names, from the driver's error."""
    for seen in _causes(error):
        if isinstance(seen, pg_exc.PostgresError):
            return seen.sqlstate, seen.constraint_name
    return None, None


def _causes(error: BaseException) -> list[BaseException]:
    """The error and what it wraps: the driver's error hides behind SQLAlchemy's wrappers."""
    chain: list[BaseException] = []
    seen: BaseException | None = error
    while seen is not None and len(chain) < 5:
        chain.append(seen)
        seen = getattr(seen, "orig", None) or seen.__cause__
    return chain
