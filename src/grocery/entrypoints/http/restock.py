"""Notify-me over HTTP: a signed-in customer asks to be mailed when a product is back in
stock, or withdraws the request."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath

from grocery.core.identity import Principal
from grocery.core.services.restock import RestockService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import signed_in


class NotifyMeOut(msgspec.Struct):
    product_id: UUID
    notify_me: bool = True


class NotifyMeController(Controller):
    path = "/products/{product_id:uuid}/notify-me"
    tags = ("products",)
    guards = (signed_in,)

    @post(
        "/",
        responses={200: ResponseSpec(data_container=NotifyMeOut, description="Already asked")},
    )
    async def ask(
        self,
        product_id: FromPath[UUID],
        principal: Injected[Principal],
        restock: Injected[RestockService],
    ) -> Response[NotifyMeOut]:
        """Mail me once when this product is back in stock: 201, or 200 when already asked."""
        created = await restock.ask(principal, product_id)
        return Response(NotifyMeOut(product_id), status_code=201 if created else 200)

    @delete("/", status_code=204)
    async def withdraw(
        self,
        product_id: FromPath[UUID],
        principal: Injected[Principal],
        restock: Injected[RestockService],
    ) -> None:
        await restock.withdraw(principal, product_id)
