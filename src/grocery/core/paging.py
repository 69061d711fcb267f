"""Keyset pages: a page is read with one row more than it shows, so whether another page
follows is known without counting the rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

Row = TypeVar("Row")


async def keyset_page(
    read: Callable[[int], Awaitable[list[Row]]], limit: int
) -> tuple[list[Row], Row | None]:
    """The first `limit` rows `read` gives, and the last of them when more follow (the next
    page starts after it); None on the last page. `read` takes how many rows to read."""
    rows = await read(limit + 1)
    shown = rows[:limit]
    return shown, shown[-1] if len(rows) > limit else None
