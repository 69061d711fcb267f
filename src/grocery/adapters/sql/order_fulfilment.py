"""How an order is handed over, as its row keeps it: the slot's times and the address or
pickup point copied at checkout (schema/orders.py), and a day's orders counted by slot."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, func, select

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.orders import orders
from grocery.core.addresses import Address
from grocery.core.fulfilment.pickup_points import PickupPointRef
from grocery.core.fulfilment.slots import OrderFulfilment
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.orders import OrderStatus, SlotTally


def fulfilment_values(fulfilment: OrderFulfilment | None) -> tuple[Any, ...]:
    """The row's fulfilment_method, slot_id, slot_starts_at, slot_ends_at, delivery_address
    (JSON text), pickup_point_id and pickup_point_name."""
    if fulfilment is None:
        return (None,) * 7
    point = fulfilment.pickup_point
    return (
        fulfilment.method.value,
        fulfilment.slot_id,
        fulfilment.starts_at,
        fulfilment.ends_at,
        None if fulfilment.address is None else json.dumps(_address_json(fulfilment.address)),
        None if point is None else point.id,
        None if point is None else point.name,
    )


def order_fulfilment(row: RowMapping) -> OrderFulfilment | None:
    method = row["fulfilment_method"]
    if method is None:
        return None
    address = row["delivery_address"]
    point_id = row["pickup_point_id"]
    return OrderFulfilment(
        method=FulfilmentMethod(method),
        slot_id=row["slot_id"],
        starts_at=row["slot_starts_at"],
        ends_at=row["slot_ends_at"],
        address=None if address is None else _address(address),
        pickup_point=None
        if point_id is None
        else PickupPointRef(id=point_id, name=row["pickup_point_name"]),
    )


def _address_json(address: Address) -> dict[str, Any]:
    return {
        "id": str(address.id),
        "user_id": str(address.user_id),
        "label": address.label,
        "recipient": address.recipient,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "postal_code": address.postal_code,
        "country": address.country,
        "phone": address.phone,
        "instructions": address.instructions,
        "created_at": address.created_at.isoformat(),
    }


def _address(kept: Any) -> Address:
    values = json.loads(kept) if isinstance(kept, str) else dict(kept)
    return Address(
        id=UUID(values["id"]),
        user_id=UUID(values["user_id"]),
        label=values["label"],
        recipient=values["recipient"],
        line1=values["line1"],
        line2=values["line2"],
        city=values["city"],
        postal_code=values["postal_code"],
        country=values["country"],
        phone=values["phone"],
        instructions=values["instructions"],
        created_at=datetime.fromisoformat(values["created_at"]),
    )


async def count_slot_day(
    sql: SessionSql, starts_from: datetime, starts_before: datetime
) -> list[SlotTally]:
    """The day's booked orders counted by the database, on ix_orders_slot_starts_at."""
    start = orders.c.slot_starts_at
    slot = (
        orders.c.slot_id,
        start,
        orders.c.slot_ends_at,
        orders.c.fulfilment_method,
        orders.c.pickup_point_name,
        orders.c.status,
    )
    statement = (
        select(*slot, func.count().label("orders"))
        .where(start >= starts_from, start < starts_before)
        .group_by(*slot)
        .order_by(start, orders.c.slot_id, orders.c.status, orders.c.pickup_point_name)
    )
    return [
        SlotTally(
            slot_id=row.slot_id,
            starts_at=row.slot_starts_at,
            ends_at=row.slot_ends_at,
            method=FulfilmentMethod(row.fulfilment_method),
            pickup_point=row.pickup_point_name,
            status=OrderStatus(row.status),
            orders=row.orders,
        )
        for row in await sql.execute(statement)
    ]
