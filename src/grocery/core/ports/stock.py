"""Stock as checkout and cancellation move it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol
from uuid import UUID

from grocery.core.alerts import StockMove
from grocery.core.orders import TakenStock


class StockRoom(Protocol):
    """Stock as checkout and cancellation move it: updates of the products' rows relative
    to themselves."""

    async def take(self, wanted: Mapping[UUID, int]) -> dict[UUID, TakenStock]:
        """Take each product's units off the shelf in one conditional step, the products'
        rows locked in id order (two checkouts never wait on each other in a circle) and
        kept locked until the transaction ends. A product missing from the answer had fewer
        in stock, or is archived or gone, and nothing of it changed; the caller rolls back
        what was taken of the others."""
        ...

    async def put_back(self, quantities: Mapping[UUID, int]) -> list[StockMove]:
        """Return each product's units to the shelf in one step, in `quantities`' order;
        the rows are locked in id order and stay locked likewise."""
        ...
