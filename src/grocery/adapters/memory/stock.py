"""Stock in memory, as checkout and cancellation move it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from uuid import UUID

from grocery.adapters.memory.catalog import CatalogTables
from grocery.core.alerts import StockMove
from grocery.core.catalog import Product
from grocery.core.orders import TakenStock
from grocery.core.pricing import CartLine


class MemoryStockRoom:
    def __init__(self, catalog: CatalogTables) -> None:
        self._products = catalog.products

    async def take(self, wanted: Mapping[UUID, int]) -> dict[UUID, TakenStock]:
        taken: dict[UUID, TakenStock] = {}
        for product_id, quantity in wanted.items():
            product = self._products.get(product_id)
            if product is None or product.archived or product.stock < quantity:
                continue
            after = self._restocked(product, -quantity)
            line = CartLine(
                product_id=product_id,
                name=product.name,
                category_id=product.category_id,
                unit_price=product.price,
                quantity=quantity,
            )
            taken[product_id] = TakenStock(line=line, move=_stock_move(product, after))
        return taken

    async def put_back(self, quantities: Mapping[UUID, int]) -> list[StockMove]:
        moves: list[StockMove] = []
        for product_id, quantity in quantities.items():
            product = self._products[product_id]
            moves.append(_stock_move(product, self._restocked(product, quantity)))
        return moves

    def _restocked(self, product: Product, quantity: int) -> Product:
        moved = replace(product, stock=product.stock + quantity)
        self._products[product.id] = moved
        return moved


def _stock_move(before: Product, after: Product) -> StockMove:
    return StockMove(
        product_id=after.id,
        product_name=after.name,
        stock_before=before.stock,
        stock_after=after.stock,
        threshold=after.low_stock_threshold,
    )
