"""One transaction per use case: what every unit of work does, whatever it holds."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self, TypeAlias, TypeVar


class Transaction(Protocol):
    """Entered once per use case. Services commit; nothing else does. Leaving without a
    commit, or with an error, undoes everything."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


Work = TypeVar("Work", bound=Transaction)

UnitOfWorkFactory: TypeAlias = Callable[[], Work]
"""Opens a new unit of work: a service calls it once per use case. A service names the
narrow kind of work it needs (`UnitOfWorkFactory[CartWork]`); the wiring hands it the
full UnitOfWork, which is every kind at once."""
