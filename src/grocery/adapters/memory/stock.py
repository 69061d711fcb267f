"""Stock in memory, as checkout, cancellation, picking and managers move it, and its ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from uuid import UUID

from grocery.adapters.memory.catalog import CatalogTables
from grocery.core.alerts import StockMove
from grocery.core.catalog import Product
from grocery.core.orders import TakenStock
from grocery.core.pricing import CartLine
from grocery.core.stock import StockMovement
from grocery.core.weights import price_of_one


class MemoryStockRoom:
    def __init__(self, catalog: CatalogTables) -> None:
        self._catalog = catalog
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
                unit_price=price_of_one(product.price, product.weighing),
                quantity=quantity,
                weighing=product.weighing,
                taxed_by=self._catalog.taxed_by(product),
            )
            taken[product_id] = TakenStock(line=line, move=_stock_move(product, after))
        return taken

    async def put_back(self, quantities: Mapping[UUID, int]) -> list[StockMove]:
        moves: list[StockMove] = []
        for product_id, quantity in quantities.items():
            product = self._products[product_id]
            moves.append(_stock_move(product, self._restocked(product, quantity)))
        return moves

    async def exchange(self, changes: Mapping[UUID, int]) -> dict[UUID, StockMove]:
        moved: dict[UUID, StockMove] = {}
        for product_id in sorted(changes):
            units, product = changes[product_id], self._products.get(product_id)
            if product is None or (units > 0 and (product.archived or product.stock < units)):
                continue
            moved[product_id] = _stock_move(product, self._restocked(product, -units))
        return moved

    async def adjust(self, product_id: UUID, quantity: int) -> StockMove | None:
        product = self._products.get(product_id)
        if product is None or product.stock + quantity < 0:
            return None
        return _stock_move(product, self._restocked(product, quantity))

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


@dataclass
class StockTables:
    movements: dict[UUID, StockMovement] = field(default_factory=dict)


class MemoryStockLedger:
    def __init__(self, tables: StockTables) -> None:
        self._movements = tables.movements

    async def record(self, movements: Sequence[StockMovement]) -> None:
        for movement in movements:
            self._movements[movement.id] = movement

    async def page(
        self, product_id: UUID, *, before: UUID | None, limit: int
    ) -> list[StockMovement]:
        newest_first = sorted(self._movements.values(), key=lambda m: m.id, reverse=True)
        return [
            m
            for m in newest_first
            if m.product_id == product_id and (before is None or m.id < before)
        ][:limit]
