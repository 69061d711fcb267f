"""Identifiers: UUID v7, so ids sort by creation time and index well."""

from uuid import UUID

from uuid_utils.compat import uuid7


def new_id() -> UUID:
    return uuid7()
