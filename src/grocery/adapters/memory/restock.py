"""Notify-me requests in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from grocery.adapters.memory.accounts import AccountsTables
from grocery.adapters.memory.wishlists import WishlistTables
from grocery.core.restock import Waiting


@dataclass
class RestockTables:
    requests: dict[tuple[UUID, UUID], datetime] = field(default_factory=dict)  # -> asked_at


class MemoryRestockNotices:
    def __init__(
        self, tables: RestockTables, accounts: AccountsTables, wishlists: WishlistTables
    ) -> None:
        self._requests = tables.requests
        self._accounts = accounts
        self._wishlists = wishlists

    async def ask(self, user_id: UUID, product_id: UUID, at: datetime) -> bool:
        if (user_id, product_id) in self._requests:
            return False
        self._requests[(user_id, product_id)] = at
        return True

    async def withdraw(self, user_id: UUID, product_id: UUID) -> bool:
        return self._requests.pop((user_id, product_id), None) is not None

    async def take_waiting(self, product_id: UUID) -> list[Waiting]:
        asked = {user for user, product in list(self._requests) if product == product_id}
        for user in asked:
            del self._requests[(user, product_id)]
        wished = {user for user, product in self._wishlists.items if product == product_id}
        users = (self._accounts.users.get(user) for user in sorted(asked | wished))
        return [
            Waiting(user_id=user.id, email=user.email, username=user.username)
            for user in users
            if user is not None and user.is_active
        ]
