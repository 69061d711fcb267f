"""Customers' addresses in PostgreSQL.

The default moves in the same transaction as the write that moves it; the partial unique
index `uq_addresses_default` keeps it to one per customer even when two writes race.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, delete, func, insert, select, update

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.addresses import addresses
from grocery.core.addresses import Address


class SqlAddressRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, address: Address) -> None:
        if address.is_default:
            await self._clear_default(address.user_id)
        await self._sql.execute(insert(addresses).values(asdict(address)))

    async def get(self, user_id: UUID, address_id: UUID) -> Address | None:
        query = select(addresses).where(
            addresses.c.id == address_id, addresses.c.user_id == user_id
        )
        row = (await self._sql.execute(query)).mappings().first()
        return None if row is None else _address(row)

    async def of_customer(self, user_id: UUID) -> list[Address]:
        query = (
            select(addresses)
            .where(addresses.c.user_id == user_id)
            .order_by(addresses.c.is_default.desc(), addresses.c.created_at, addresses.c.id)
        )
        return [_address(row) for row in (await self._sql.execute(query)).mappings()]

    async def count(self, user_id: UUID) -> int:
        query = select(func.count()).where(addresses.c.user_id == user_id)
        return int((await self._sql.execute(query)).scalar_one())

    async def update(self, address: Address) -> None:
        if address.is_default:
            await self._clear_default(address.user_id, but=address.id)
        values = {k: v for k, v in asdict(address).items() if k not in _FIXED}
        await self._sql.execute(
            update(addresses)
            .where(addresses.c.id == address.id, addresses.c.user_id == address.user_id)
            .values(values)
        )

    async def delete(self, user_id: UUID, address_id: UUID) -> bool:
        statement = (
            delete(addresses)
            .where(addresses.c.id == address_id, addresses.c.user_id == user_id)
            .returning(addresses.c.is_default)
        )
        was_default = (await self._sql.execute(statement)).scalar()
        if was_default is None:
            return False
        if was_default:
            oldest = (
                select(addresses.c.id)
                .where(addresses.c.user_id == user_id)
                .order_by(addresses.c.created_at, addresses.c.id)
                .limit(1)
                .scalar_subquery()
            )
            await self._sql.execute(
                update(addresses).where(addresses.c.id == oldest).values(is_default=True)
            )
        return True

    async def _clear_default(self, user_id: UUID, *, but: UUID | None = None) -> None:
        statement = update(addresses).where(addresses.c.user_id == user_id, addresses.c.is_default)
        if but is not None:
            statement = statement.where(addresses.c.id != but)
        await self._sql.execute(statement.values(is_default=False))


_FIXED = frozenset({"id", "user_id", "created_at"})


def _address(row: RowMapping) -> Address:
    values: dict[str, Any] = dict(row)
    return Address(**values)
